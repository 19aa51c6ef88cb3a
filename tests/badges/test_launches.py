"""Recording launches and registering platforms, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from badges.launches import (
    ContextFacts,
    LaunchFacts,
    ResourceLinkFacts,
    StateAlreadyUsed,
    burn_state,
    record_launch,
)
from badges.models import LaunchSession, LaunchState, Person
from badges.platforms import (
    PlatformError,
    PlatformFields,
    list_registrations,
    register_platform,
    remove_registration,
)
from badges.runtime import Runtime
from badges.storage import transaction

ISS = "https://moodle.example.org"


def _register(runtime: Runtime, client_id: str = "abc") -> tuple[str, str, str]:
    with transaction(runtime.sessions) as session:
        registration = register_platform(
            session,
            PlatformFields(
                ISS, client_id, ("1",), f"{ISS}/auth", f"{ISS}/token", f"{ISS}/jwks", None
            ),
            runtime.instance.origin,
        )
        return registration.id, registration.platform_id, registration.deployments[0].id


def _state(runtime: Runtime, registration_id: str, state: str) -> None:
    with transaction(runtime.sessions) as session:
        session.add(
            LaunchState(
                state=state,
                nonce=f"n-{state}",
                registration_id=registration_id,
                target_link_uri="https://chemins.test/lti/launch",
            )
        )


def _facts(state: str, platform_id: str, deployment_pk: str) -> LaunchFacts:
    return LaunchFacts(
        state=state,
        platform_id=platform_id,
        deployment_pk=deployment_pk,
        sub="u1",
        message_type="LtiResourceLinkRequest",
        role="learner",
        lti_roles=(),
        context=ContextFacts("c1", "Cours"),
        resource_link=ResourceLinkFacts("rl1", "Lien"),
    )


def test_a_state_is_spent_once(runtime: Runtime) -> None:
    registration_id, platform_id, deployment_pk = _register(runtime)
    _state(runtime, registration_id, "s1")
    with transaction(runtime.sessions) as session:
        record_launch(session, _facts("s1", platform_id, deployment_pk))
    with pytest.raises(StateAlreadyUsed), transaction(runtime.sessions) as session:
        record_launch(session, _facts("s1", platform_id, deployment_pk))
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(LaunchSession)) == 1
        assert session.scalar(select(func.count()).select_from(Person)) == 1


def test_a_burnt_state_cannot_launch(runtime: Runtime) -> None:
    registration_id, platform_id, deployment_pk = _register(runtime)
    _state(runtime, registration_id, "s2")
    with transaction(runtime.sessions) as session:
        burn_state(session, "s2")
    with pytest.raises(StateAlreadyUsed), transaction(runtime.sessions) as session:
        record_launch(session, _facts("s2", platform_id, deployment_pk))
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_several_client_ids_per_issuer_and_removal(runtime: Runtime) -> None:
    registration_id, platform_id, deployment_pk = _register(runtime, "abc")
    _register(runtime, "def")
    with transaction(runtime.sessions) as session:
        assert [r.client_id for r in list_registrations(session, ISS)] == ["abc", "def"]
    _state(runtime, registration_id, "s3")
    with transaction(runtime.sessions) as session:
        record_launch(session, _facts("s3", platform_id, deployment_pk))
    # A registration whose deployment already holds people and courses stays.
    with pytest.raises(PlatformError), transaction(runtime.sessions) as session:
        remove_registration(session, ISS, "abc")
    with transaction(runtime.sessions) as session:
        assert remove_registration(session, ISS, "def") == 1
        assert [r.client_id for r in list_registrations(session)] == ["abc"]


def _link_facts(state: str, platform_id: str, deployment_pk: str, badge: str | None):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    facts = _facts(state, platform_id, deployment_pk)
    link = ResourceLinkFacts("rl1", "Lien", custom_target="ask-badge", custom_badge=badge)
    return replace(facts, resource_link=link)


def test_the_link_keeps_the_badge_of_its_latest_launch(runtime: Runtime) -> None:
    from badges.models import ResourceLink

    registration_id, platform_id, deployment_pk = _register(runtime)
    for state, badge in (("s4", "badge-1"), ("s5", "badge-2")):
        _state(runtime, registration_id, state)
        with transaction(runtime.sessions) as session:
            record_launch(session, _link_facts(state, platform_id, deployment_pk, badge))
        with transaction(runtime.sessions) as session:
            link = session.scalars(select(ResourceLink)).one()
            assert link.custom_badge == badge


def test_old_states_and_expired_sessions_are_forgotten(runtime: Runtime) -> None:
    from datetime import timedelta

    from badges.launches import SESSION_MAX_AGE, STATE_RETENTION, forget_old_launches
    from badges.models.columns import utcnow

    registration_id, platform_id, deployment_pk = _register(runtime)
    for state in ("old", "recent"):
        _state(runtime, registration_id, state)
    with transaction(runtime.sessions) as session:
        record_launch(session, _facts("recent", platform_id, deployment_pk))
    later = utcnow() + STATE_RETENTION / 2
    with transaction(runtime.sessions) as session:
        session.get(LaunchState, "old").created_at = utcnow() - STATE_RETENTION * 2
    with transaction(runtime.sessions) as session:
        forget_old_launches(session, later)  # the session is 12 h old: expired after 8
        assert later - SESSION_MAX_AGE > utcnow()
        assert [s.state for s in session.scalars(select(LaunchState))] == ["recent"]
        assert session.scalar(select(func.count()).select_from(LaunchSession)) == 0
        assert session.scalar(select(func.count()).select_from(Person)) == 1  # kept
    with transaction(runtime.sessions) as session:
        forget_old_launches(session, utcnow() + timedelta(seconds=1))
        assert session.scalar(select(func.count()).select_from(LaunchState)) == 1


def test_a_session_in_use_is_renewed_now_and_then_never_past_its_maximum() -> None:
    from datetime import UTC, datetime, timedelta

    from badges.launches import SESSION_IDLE, SESSION_MAX_AGE, SESSION_RENEWAL, renewed_expiry

    launched = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    first_end = launched + SESSION_IDLE
    # Within the renewal interval of the last renewal: no write.
    assert renewed_expiry(launched, first_end, launched + SESSION_RENEWAL / 2) is None
    # Later: an idle hour from now.
    now = launched + SESSION_RENEWAL + timedelta(seconds=1)
    assert renewed_expiry(launched, first_end, now) == now + SESSION_IDLE
    # Near the maximum: capped at it, and once there, never moved again.
    late = launched + SESSION_MAX_AGE - timedelta(minutes=20)
    capped = renewed_expiry(launched, late + timedelta(minutes=10), late)
    assert capped == launched + SESSION_MAX_AGE
    assert renewed_expiry(launched, capped, late + SESSION_RENEWAL * 2) is None
