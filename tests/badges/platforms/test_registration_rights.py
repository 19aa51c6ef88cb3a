"""Who may register a platform into which community: by id and by right, never by name."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from badges.models import AccessLink, Community, Deployment, Registration
from badges.models.access_link import REGISTRATION
from badges.platforms.access_links import LinkRefused, check_link, create_registration_link
from badges.platforms.registering import PlatformFields, community_named, register_platform
from badges.platforms.registration_rights import (
    CLIENT_TAKEN,
    INSTANCE_ADMIN,
    NAME_MISSING,
    NAME_TAKEN,
    NOT_ALLOWED,
    OPEN_REGISTRATION,
    Choice,
    RegistrationRefused,
    choose,
    community_admin_right,
    joinable,
    link_right,
    store_registration,
)
from badges.storage.database import transaction
from badges.storage.runtime import Runtime

VICTIM = "Centre social Les Tilleuls"
ATTACKER_ISSUER = "https://moodle.attacker.example"


def _fields(client_id: str = "c-1", issuer: str = ATTACKER_ISSUER) -> PlatformFields:
    return PlatformFields(
        issuer=issuer,
        client_id=client_id,
        deployment_ids=("1",),
        auth_login_url=f"{issuer}/auth",
        auth_token_url=f"{issuer}/token",
        jwks_url=f"{issuer}/jwks",
    )


@pytest.fixture
def victim(runtime: Runtime) -> str:
    with transaction(runtime.sessions) as session:
        community = community_named(session, VICTIM, runtime.instance.origin)
        register_platform(
            session,
            PlatformFields(
                "https://moodle.tilleuls.example",
                "tilleuls",
                ("7",),
                "https://moodle.tilleuls.example/auth",
                "https://moodle.tilleuls.example/token",
                "https://moodle.tilleuls.example/jwks",
                community_id=community.id,
            ),
            runtime.instance.origin,
        )
        return community.id


def _refused(runtime: Runtime, right, community_id=None, name=None) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(RegistrationRefused) as refused, transaction(runtime.sessions) as session:
        choose(session, right, community_id, name)
    return refused.value.code


def _deployments(runtime: Runtime, community_id: str) -> list[tuple[str, str]]:
    with transaction(runtime.sessions) as session:
        rows = session.scalars(select(Deployment).where(Deployment.community_id == community_id))
        return sorted((d.registration.client_id, d.deployment_id) for d in rows)


def test_open_registration_never_joins_an_existing_community(runtime: Runtime, victim: str) -> None:
    assert _refused(runtime, OPEN_REGISTRATION, name=VICTIM) == NAME_TAKEN
    # The same name differently written makes the same slug: still taken.
    assert _refused(runtime, OPEN_REGISTRATION, name="centre SOCIAL les  tilleuls") == NAME_TAKEN
    assert _refused(runtime, OPEN_REGISTRATION, community_id=victim) == NOT_ALLOWED
    assert _refused(runtime, OPEN_REGISTRATION, name="  ") == NAME_MISSING
    assert _refused(runtime, OPEN_REGISTRATION, name="x" * 201) == NAME_MISSING
    with transaction(runtime.sessions) as session:
        assert joinable(session, OPEN_REGISTRATION) == []
        assert choose(session, OPEN_REGISTRATION, None, " Les  Lilas ") == Choice(
            new_name="Les Lilas"
        )


def test_a_community_admin_chooses_only_their_own_community(runtime: Runtime, victim: str) -> None:
    with transaction(runtime.sessions) as session:
        own = community_named(session, "Attaquants", runtime.instance.origin).id
    right = community_admin_right(own, open_registration=False)
    assert _refused(runtime, right, community_id=victim) == NOT_ALLOWED
    assert _refused(runtime, right, name=VICTIM) == NOT_ALLOWED
    assert _refused(runtime, right, name="Une autre") == NOT_ALLOWED  # no new community
    with transaction(runtime.sessions) as session:
        assert joinable(session, right) == [(own, "Attaquants")]
        assert choose(session, right, own, None) == Choice(community_id=own)
    opened = community_admin_right(own, open_registration=True)
    assert _refused(runtime, opened, name=VICTIM) == NAME_TAKEN
    assert _refused(runtime, opened, community_id=victim) == NOT_ALLOWED


def test_the_instance_admin_chooses_any_community_by_id(runtime: Runtime, victim: str) -> None:
    with transaction(runtime.sessions) as session:
        assert [name for _id, name in joinable(session, INSTANCE_ADMIN)] == [VICTIM]
        assert choose(session, INSTANCE_ADMIN, victim, None) == Choice(community_id=victim)
    assert _refused(runtime, INSTANCE_ADMIN, name=VICTIM) == NAME_TAKEN  # never by name
    assert _refused(runtime, INSTANCE_ADMIN, community_id="not-an-id") == NOT_ALLOWED


def test_a_link_bound_to_a_community_leads_there_whatever_the_form_says(
    runtime: Runtime, victim: str
) -> None:
    with transaction(runtime.sessions) as session:
        other = community_named(session, "Centre social Bastide", runtime.instance.origin).id
        issued = create_registration_link(session, community_id=victim)
        right = link_right(check_link(session, issued.secret, REGISTRATION), issued.secret)
        assert right.fixed_community == victim
        assert choose(session, right, None, None) == Choice(community_id=victim)
        assert choose(session, right, victim, None) == Choice(community_id=victim)
    assert _refused(runtime, right, community_id=other) == NOT_ALLOWED
    assert _refused(runtime, right, name="Un nom") == NOT_ALLOWED


def test_storing_spends_the_link_and_records_the_platform(runtime: Runtime, victim: str) -> None:
    with transaction(runtime.sessions) as session:
        issued = create_registration_link(session)
        right = link_right(check_link(session, issued.secret, REGISTRATION), issued.secret)
    with transaction(runtime.sessions) as session:
        registration = store_registration(
            session, right, Choice(new_name="Les Lilas"), _fields(), runtime.instance.origin
        )
        platform_id = registration.platform_id
    with transaction(runtime.sessions) as session:
        link = session.get(AccessLink, issued.id)
        assert link.used_at is not None and link.platform_id == platform_id
        lilas = session.scalars(select(Community).where(Community.name == "Les Lilas")).one()
        assert lilas.issuer.name == "Les Lilas"  # a community always has its issuer profile
    assert _deployments(runtime, lilas.id) == [("c-1", "1")]
    with pytest.raises(LinkRefused), transaction(runtime.sessions) as session:
        store_registration(
            session, right, Choice(new_name="Encore"), _fields("c-2"), runtime.instance.origin
        )
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Registration)) == 2


def test_a_refused_store_writes_nothing_and_keeps_the_link(runtime: Runtime, victim: str) -> None:
    with transaction(runtime.sessions) as session:
        issued = create_registration_link(session)
        right = link_right(check_link(session, issued.secret, REGISTRATION), issued.secret)
    # The name was free when the form was checked, then taken before the store.
    with pytest.raises(RegistrationRefused) as taken, transaction(runtime.sessions) as session:
        store_registration(session, right, Choice(new_name=VICTIM), _fields(), origin="https://x")
    assert taken.value.code == NAME_TAKEN
    with transaction(runtime.sessions) as session:
        assert session.get(AccessLink, issued.id).used_at is None
        assert session.scalar(select(func.count()).select_from(Registration)) == 1


def test_a_known_client_cannot_be_moved_into_another_community(
    runtime: Runtime, victim: str
) -> None:
    """Re-registering the victim's client id elsewhere would repoint its keys and URLs."""
    victims_client = dataclasses.replace(
        _fields("tilleuls", "https://moodle.tilleuls.example"),
        jwks_url="https://attacker.example/jwks",
    )
    with pytest.raises(RegistrationRefused) as new, transaction(runtime.sessions) as session:
        store_registration(
            session, OPEN_REGISTRATION, Choice(new_name="Ailleurs"), victims_client, "https://x"
        )
    assert new.value.code == CLIENT_TAKEN
    with transaction(runtime.sessions) as session:
        attacker = community_named(session, "Attaquants", runtime.instance.origin).id
    right = community_admin_right(attacker, open_registration=False)
    with pytest.raises(RegistrationRefused) as moved, transaction(runtime.sessions) as session:
        store_registration(
            session, right, Choice(community_id=attacker), victims_client, "https://x"
        )
    assert moved.value.code == CLIENT_TAKEN
    assert _deployments(runtime, victim) == [("tilleuls", "7")]
    with transaction(runtime.sessions) as session:
        registration = session.scalars(
            select(Registration).where(Registration.client_id == "tilleuls")
        ).one()
        assert registration.jwks_url == "https://moodle.tilleuls.example/jwks"


# -- updating a known client (Moodle's "Update") ---------------------------------------


def _victims_update(jwks: str = "https://moodle.tilleuls.example/jwks2") -> PlatformFields:
    """The victim's platform updating its tool: same client id and deployment."""
    return PlatformFields(
        "https://moodle.tilleuls.example",
        "tilleuls",
        ("7",),
        "https://moodle.tilleuls.example/auth",
        "https://moodle.tilleuls.example/token",
        jwks,
    )


def _names(runtime: Runtime) -> list[str]:
    with transaction(runtime.sessions) as session:
        return sorted(session.scalars(select(Community.name)))


def test_an_update_keeps_its_community_and_creates_none(runtime: Runtime, victim: str) -> None:
    right = community_admin_right(victim, open_registration=True)
    with transaction(runtime.sessions) as session:
        store_registration(
            session, right, Choice(new_name="Orphelin"), _victims_update(), "https://x"
        )
    assert _deployments(runtime, victim) == [("tilleuls", "7")]
    assert _names(runtime) == [VICTIM]  # the typed name left nothing behind
    with transaction(runtime.sessions) as session:
        registration = session.scalars(select(Registration)).one()
        assert registration.jwks_url == "https://moodle.tilleuls.example/jwks2"


def test_a_move_needs_a_request_and_a_right_to_both_communities(
    runtime: Runtime, victim: str
) -> None:
    with transaction(runtime.sessions) as session:
        other = community_named(session, "Centre social Bastide", runtime.instance.origin).id
    # A right to the target only (a link made for it) may not take the victim's client.
    with transaction(runtime.sessions) as session:
        issued = create_registration_link(session, community_id=other)
        right = link_right(check_link(session, issued.secret, REGISTRATION), issued.secret)
    for move in (False, True):
        with pytest.raises(RegistrationRefused) as refused, transaction(runtime.sessions) as s:
            store_registration(
                s, right, Choice(community_id=other, move=move), _victims_update(), "https://x"
            )
        assert refused.value.code == CLIENT_TAKEN
    assert _deployments(runtime, victim) == [("tilleuls", "7")]
    # The instance admin, asked to, moves the client and its deployment.
    with transaction(runtime.sessions) as session:
        store_registration(
            session, INSTANCE_ADMIN, Choice(community_id=other, move=True), _victims_update(), "x"
        )
    assert _deployments(runtime, victim) == []
    assert _deployments(runtime, other) == [("tilleuls", "7")]
