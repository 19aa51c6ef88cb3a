"""Registration and admin links: hashed, expiring, withdrawable, spent once even in a race."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from badges.models import AccessLink
from badges.models.access_link import ADMIN, REGISTRATION
from badges.models.columns import utcnow
from badges.platforms.access_links import (
    ADMIN_SESSION_LIFETIME,
    EXPIRED,
    REVOKED,
    UNKNOWN,
    USED,
    AccessLinkError,
    LinkRefused,
    admin_session,
    check_link,
    create_admin_link,
    create_registration_link,
    registration_links,
    secret_hash,
    spend_link,
    withdraw_admin_links,
    withdraw_link,
)
from badges.platforms.registering import community_named
from badges.storage.database import transaction
from badges.storage.runtime import Runtime


def _community(runtime: Runtime, name: str = "Centre social Les Tilleuls") -> str:
    with transaction(runtime.sessions) as session:
        return community_named(session, name, runtime.instance.origin).id


def _refusal(runtime: Runtime, secret: str, purpose: str = REGISTRATION) -> str:
    with pytest.raises(LinkRefused) as refused, transaction(runtime.sessions) as session:
        check_link(session, secret, purpose)
    return refused.value.reason


def test_only_the_hash_of_the_secret_is_stored(runtime: Runtime) -> None:
    community_id = _community(runtime)
    with transaction(runtime.sessions) as session:
        link = create_registration_link(session, community_id=community_id)
    with transaction(runtime.sessions) as session:
        row = session.get(AccessLink, link.id)
        assert row.secret_hash == secret_hash(link.secret) != link.secret
        assert link.secret not in {row.id, row.secret_hash}
        assert row.community_id == community_id and row.purpose == REGISTRATION
        assert check_link(session, link.secret, REGISTRATION).id == link.id


def test_a_link_of_one_purpose_opens_nothing_of_the_other(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        registration = create_registration_link(session)
        admin = create_admin_link(session)
    assert _refusal(runtime, registration.secret, ADMIN) == UNKNOWN
    assert _refusal(runtime, admin.secret, REGISTRATION) == UNKNOWN
    assert _refusal(runtime, registration.secret[:-1] + "x") == UNKNOWN
    assert _refusal(runtime, "") == UNKNOWN


def test_a_link_is_spent_once(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        link = create_registration_link(session)
    with transaction(runtime.sessions) as session:
        assert spend_link(session, link.secret, REGISTRATION).used_at is not None
    with pytest.raises(LinkRefused) as again, transaction(runtime.sessions) as session:
        spend_link(session, link.secret, REGISTRATION)
    assert again.value.reason == USED
    assert _refusal(runtime, link.secret) == USED


def test_a_spending_rolled_back_leaves_the_link_usable(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        link = create_registration_link(session)
    with pytest.raises(RuntimeError), transaction(runtime.sessions) as session:
        spend_link(session, link.secret, REGISTRATION)
        raise RuntimeError("the registration failed after the link was spent")
    with transaction(runtime.sessions) as session:
        assert check_link(session, link.secret, REGISTRATION).used_at is None


def test_of_two_concurrent_spendings_only_one_wins(runtime: Runtime) -> None:
    """The second waits on the first's write (row lock or SQLite's lock), then loses."""
    with transaction(runtime.sessions) as session:
        link = create_registration_link(session)
    outcomes: list[str] = []

    def second() -> None:
        try:
            with transaction(runtime.sessions) as other:
                check_link(other, link.secret, REGISTRATION)  # still looks unspent
                spend_link(other, link.secret, REGISTRATION)
            outcomes.append("spent")
        except LinkRefused as refused:
            outcomes.append(refused.reason)

    with transaction(runtime.sessions) as first:
        spend_link(first, link.secret, REGISTRATION)
        racer = threading.Thread(target=second)
        racer.start()
        racer.join(timeout=0.5)  # it is waiting for this transaction
        assert racer.is_alive() or outcomes == [USED]
    racer.join(timeout=10)
    assert outcomes == [USED]


def test_expired_and_withdrawn_links_are_refused(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        old = create_registration_link(session)
        withdrawn = create_registration_link(session)
        kept = create_registration_link(session)
        session.execute(
            update(AccessLink)
            .where(AccessLink.id == old.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    with transaction(runtime.sessions) as session:
        assert withdraw_link(session, withdrawn.id, REGISTRATION)
        assert not withdraw_link(session, withdrawn.id, REGISTRATION)  # once
        assert not withdraw_link(session, kept.id, ADMIN)  # wrong purpose: untouched
    assert _refusal(runtime, old.secret) == EXPIRED
    assert _refusal(runtime, withdrawn.secret) == REVOKED
    with transaction(runtime.sessions) as session:
        with pytest.raises(LinkRefused):
            spend_link(session, old.secret, REGISTRATION)
        assert [link.id for link in registration_links(session)] == [kept.id]


def test_a_registration_link_needs_an_existing_community_and_a_sane_lifetime(
    runtime: Runtime,
) -> None:
    with transaction(runtime.sessions) as session:
        with pytest.raises(AccessLinkError):
            create_registration_link(session, community_id="00000000-0000-4000-8000-000000000000")
        with pytest.raises(AccessLinkError):
            create_registration_link(session, lifetime=timedelta(days=31))
        with pytest.raises(AccessLinkError):
            create_registration_link(session, lifetime=timedelta(0))
        assert session.scalars(select(AccessLink)).all() == []


def test_registration_links_are_listed_per_community(runtime: Runtime) -> None:
    tilleuls, bastide = _community(runtime), _community(runtime, "Centre social Bastide")
    with transaction(runtime.sessions) as session:
        into_tilleuls = create_registration_link(session, community_id=tilleuls)
        create_registration_link(session, community_id=bastide)
        create_registration_link(session)
    with transaction(runtime.sessions) as session:
        assert len(registration_links(session)) == 3
        mine = registration_links(session, frozenset({tilleuls}))
        assert [link.id for link in mine] == [into_tilleuls.id]


def test_an_admin_session_lasts_an_hour_from_opening_unless_ended(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        link = create_admin_link(session)
        other = create_admin_link(session)
    with transaction(runtime.sessions) as session:
        assert admin_session(session, link.id) is None  # not opened yet
        spend_link(session, link.secret, ADMIN)
        spend_link(session, other.secret, ADMIN)
    with transaction(runtime.sessions) as session:
        assert admin_session(session, link.id) is not None
        session.execute(
            update(AccessLink)
            .where(AccessLink.id == link.id)
            .values(used_at=utcnow() - ADMIN_SESSION_LIFETIME - timedelta(seconds=1))
        )
    with transaction(runtime.sessions) as session:
        assert admin_session(session, link.id) is None  # too old
        assert admin_session(session, other.id) is not None
        assert withdraw_admin_links(session) == 2
    with transaction(runtime.sessions) as session:
        assert admin_session(session, other.id) is None  # ended
        assert withdraw_admin_links(session) == 0


def test_an_admin_link_must_be_opened_soon(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        link = create_admin_link(session)
        row = session.get(AccessLink, link.id)
        assert row.expires_at - row.created_at <= timedelta(minutes=15)
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert _refusal(runtime, link.secret, ADMIN) == EXPIRED
