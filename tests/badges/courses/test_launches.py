"""Recording launches and registering platforms, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from badges.courses.launches import (
    RECORD_ATTEMPTS,
    ContextFacts,
    LaunchFacts,
    ResourceLinkFacts,
    StateAlreadyUsed,
    burn_state,
    commit_launch,
    record_launch,
)
from badges.models import (
    Context,
    LaunchSession,
    LaunchState,
    Membership,
    Person,
    ResourceLink,
)
from badges.platforms.registering import (
    PlatformError,
    list_registrations,
    remove_registration,
)
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from tests.platform_rows import issue_login_state, registered_platform

ISS = "https://moodle.example.org"


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
    registration_id, platform_id, deployment_pk = registered_platform(runtime, client_id="abc")
    issue_login_state(runtime, registration_id, "s1")
    with transaction(runtime.sessions) as session:
        record_launch(session, _facts("s1", platform_id, deployment_pk))
    with pytest.raises(StateAlreadyUsed), transaction(runtime.sessions) as session:
        record_launch(session, _facts("s1", platform_id, deployment_pk))
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(LaunchSession)) == 1
        assert session.scalar(select(func.count()).select_from(Person)) == 1


def test_a_burnt_state_cannot_launch(runtime: Runtime) -> None:
    registration_id, platform_id, deployment_pk = registered_platform(runtime, client_id="abc")
    issue_login_state(runtime, registration_id, "s2")
    with transaction(runtime.sessions) as session:
        burn_state(session, "s2")
    with pytest.raises(StateAlreadyUsed), transaction(runtime.sessions) as session:
        record_launch(session, _facts("s2", platform_id, deployment_pk))
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_several_client_ids_per_issuer_and_removal(runtime: Runtime) -> None:
    registration_id, platform_id, deployment_pk = registered_platform(runtime, client_id="abc")
    registered_platform(runtime, client_id="def")
    with transaction(runtime.sessions) as session:
        assert [r.client_id for r in list_registrations(session, ISS)] == ["abc", "def"]
    issue_login_state(runtime, registration_id, "s3")
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
    registration_id, platform_id, deployment_pk = registered_platform(runtime, client_id="abc")
    for state, badge in (("s4", "badge-1"), ("s5", "badge-2")):
        issue_login_state(runtime, registration_id, state)
        with transaction(runtime.sessions) as session:
            record_launch(session, _link_facts(state, platform_id, deployment_pk, badge))
        with transaction(runtime.sessions) as session:
            link = session.scalars(select(ResourceLink)).one()
            assert link.custom_badge == badge


def test_old_states_and_expired_sessions_are_forgotten(runtime: Runtime) -> None:
    from datetime import timedelta

    from badges.courses.launches import SESSION_MAX_AGE, STATE_RETENTION, forget_old_launches
    from badges.models.columns import utcnow

    registration_id, platform_id, deployment_pk = registered_platform(runtime, client_id="abc")
    for state in ("old", "recent"):
        issue_login_state(runtime, registration_id, state)
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

    from badges.courses.launches import (
        SESSION_IDLE,
        SESSION_MAX_AGE,
        SESSION_RENEWAL,
        renewed_expiry,
    )

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


# -- through SQLAlchemy: events see it; its own transaction, again after a lost race -----


@contextmanager
def _statements(runtime: Runtime) -> Iterator[list[str]]:
    """The SQL every connection of ``runtime`` sends in the block (a listener's view)."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(runtime.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(runtime.engine, "before_cursor_execute", before)


def test_a_launch_is_recorded_through_sqlalchemy(runtime: Runtime) -> None:
    """Its statements pass where SQLAlchemy's events, echo and logging see them."""
    registration_id, platform_id, deployment_pk = registered_platform(runtime, client_id="abc")
    issue_login_state(runtime, registration_id, "seen")
    with _statements(runtime) as seen, runtime.engine.connect() as connection:
        commit_launch(connection, lambda again: _facts("seen", platform_id, deployment_pk))
    writes = [s.split()[:3] for s in seen if not s.lstrip().upper().startswith("SELECT")]
    assert ["UPDATE", LaunchState.__tablename__, "SET"] in writes  # the spend
    inserted = {words[2] for words in writes if words[0] == "INSERT"}
    rows = (Person, Context, Membership, ResourceLink, LaunchSession)
    assert inserted == {model.__tablename__ for model in rows}
    assert any("FROM (SELECT 1 AS one) AS launch_base" in s for s in seen)  # the one lookup


def test_a_lost_race_on_new_rows_is_recorded_again(runtime: Runtime) -> None:
    """Two first launches of one person: the one that lost inserting the person passes again."""
    registration_id, platform_id, deployment_pk = registered_platform(runtime, client_id="abc")
    issue_login_state(runtime, registration_id, "second")
    rival: list[str] = []

    def the_other_launch_inserts_first(conn, cursor, statement, *_: object) -> None:  # type: ignore[no-untyped-def]
        # Between this launch's lookup (no person yet) and its spend, the other launch
        # commits the same person.
        if not rival and statement.lstrip().startswith(f"UPDATE {LaunchState.__tablename__}"):
            rival.append("inserting")
            with transaction(runtime.sessions) as session:
                person = Person(platform_id=platform_id, sub="u1", name="Nathan")
                session.add(person)
                session.flush()
                rival[:] = [person.id]

    event.listen(runtime.engine, "before_cursor_execute", the_other_launch_inserts_first)
    passes: list[bool] = []

    def facts_for(again: bool) -> LaunchFacts:
        passes.append(again)
        return _facts("second", platform_id, deployment_pk)

    try:
        with runtime.engine.connect() as connection:
            recorded = commit_launch(connection, facts_for)
    finally:
        event.remove(runtime.engine, "before_cursor_execute", the_other_launch_inserts_first)
    assert passes == [False, True]
    assert recorded.person_id == rival[0]
    with transaction(runtime.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 1
        assert session.get(LaunchSession, recorded.id) is not None
        assert session.get(LaunchState, "second").used_at is not None


def test_a_launch_that_keeps_failing_writes_nothing(runtime: Runtime) -> None:
    """A deployment that is gone fails every pass: the last error, the state not spent."""
    registration_id, platform_id, _ = registered_platform(runtime, client_id="abc")
    issue_login_state(runtime, registration_id, "gone")
    passes: list[bool] = []

    def facts_for(again: bool) -> LaunchFacts:
        passes.append(again)
        return _facts("gone", platform_id, "no-such-deployment")

    with pytest.raises(IntegrityError), runtime.engine.connect() as connection:
        commit_launch(connection, facts_for)
    assert passes == [False] + [True] * (RECORD_ATTEMPTS - 1)
    with transaction(runtime.sessions) as session:
        assert session.get(LaunchState, "gone").used_at is None
        assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_a_refusal_between_passes_rolls_everything_back(runtime: Runtime) -> None:
    """What the caller raises while building a pass's facts ends the launch, unwritten."""
    registration_id, platform_id, _ = registered_platform(runtime, client_id="abc")
    issue_login_state(runtime, registration_id, "refused")

    class Refused(Exception):
        pass

    def facts_for(again: bool) -> LaunchFacts:
        if again:
            raise Refused
        return _facts("refused", platform_id, "no-such-deployment")

    with pytest.raises(Refused), runtime.engine.connect() as connection:
        commit_launch(connection, facts_for)
    with transaction(runtime.sessions) as session:
        assert session.get(LaunchState, "refused").used_at is None
