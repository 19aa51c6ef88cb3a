"""Launch handles: genuine and unexpired only; their session's row has the last word on
expiry; its sliding end; a handle of another person than the browser's own launch."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import itsdangerous.timed
import pytest
import requests
from sqlalchemy import select

from badges.courses.launches import (
    SESSION_IDLE,
    SESSION_MAX_AGE,
    ContextFacts,
    LaunchFacts,
    RecordedLaunch,
    record_launch,
)
from badges.models import LaunchSession
from badges.models.columns import utcnow
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from lti_tool.launch_handle import _handle_payload, issue_handle, launch_fields, load_launch
from lti_tool.runtime_access import runtime_of
from tests.lti_launches import Browser, LtiWorld
from tests.platform_rows import issue_login_state, registered_platform

LAUNCH = RecordedLaunch("session-1", "person-1", "deployment-1", None, None)
PAYLOAD = {"s": "session-1", "p": "person-1", "d": "deployment-1"}


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The handle signer's clock, ``seconds`` from now."""
    now = int(itsdangerous.timed.time.time())
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: now + int(seconds)
    )


def test_an_issued_handle_is_read_back_until_it_expires(app, monkeypatch) -> None:
    with app.test_request_context():
        handle = issue_handle(LAUNCH)
        assert _handle_payload(handle) == PAYLOAD
        _later(monkeypatch, SESSION_MAX_AGE.total_seconds() - 2)
        assert _handle_payload(handle) == PAYLOAD
        _later(monkeypatch, SESSION_MAX_AGE.total_seconds() + 2)
        assert _handle_payload(handle) is None


def test_a_handle_from_the_future_is_refused(app, monkeypatch) -> None:
    _later(monkeypatch, 3600)
    with app.test_request_context():
        handle = issue_handle(LAUNCH)
    monkeypatch.undo()
    with app.test_request_context():
        assert _handle_payload(handle) is None


def test_forged_and_foreign_handles_are_refused(app) -> None:
    with app.test_request_context():
        handle = issue_handle(LAUNCH)
        assert _handle_payload(handle[:-2] + ("AA" if not handle.endswith("AA") else "BB")) is None
        assert _handle_payload("not-a-handle") is None
    app.config["SECRET_KEY"] = "another secret"
    with app.test_request_context():
        assert _handle_payload(handle) is None  # a new secret forgets what the old one signed


def test_hidden_fields_carry_the_handle_and_its_token_escaped(app) -> None:
    from flask import g

    from lti_tool.launch_handle import LaunchContext

    launch = LaunchContext(
        'se"ss<ion>', 'h"<&>', "p", None, "d", "c", "pl", None, None, None, None, "learner",
        (), None, None, (),
    )  # fmt: skip
    with app.test_request_context():
        assert launch_fields() == ""
        g.launch = launch
        fields, token = str(launch_fields()), launch.csrf_token
    assert fields == (
        '<input type="hidden" name="lh" value="h&#34;&lt;&amp;&gt;">'
        f'<input type="hidden" name="csrf_token" value="{token}">'
    )


# -- the session's row: expired there, refused whatever the signature says ------------------


def _recorded(runtime: Runtime) -> RecordedLaunch:
    """A launch recorded in the database, as the launch view records it."""
    registration = registered_platform(runtime, "https://lms.example.org")
    issue_login_state(runtime, registration.registration_id, "s")
    with transaction(runtime.sessions) as session:
        return record_launch(
            session,
            LaunchFacts(
                state="s",
                platform_id=registration.platform_id,
                deployment_pk=registration.deployment_pk,
                sub="u1",
                message_type="LtiResourceLinkRequest",
                role="learner",
                lti_roles=(),
                context=ContextFacts("c1", "Cours"),
            ),
        )


def _set_times(runtime: Runtime, session_id: str, **times: object) -> None:
    with transaction(runtime.sessions) as session:
        row = session.get(LaunchSession, session_id)
        for name, value in times.items():
            setattr(row, name, value)


def test_the_sessions_row_decides_when_a_fresh_handle_has_expired(app) -> None:
    runtime = runtime_of(app)
    recorded = _recorded(runtime)
    with app.test_request_context():
        handle = issue_handle(recorded)
        launch = load_launch(handle)
        assert launch is not None and launch.context_title == "Cours"
        now = utcnow()
        # Idle past its end (or ended by the tool): the row says so, the signature cannot.
        _set_times(runtime, recorded.id, expires_at=now - timedelta(seconds=1))
        assert _handle_payload(handle) is not None
        assert load_launch(handle) is None
        # Launched over eight hours ago, even with an end the row still lets run.
        _set_times(
            runtime,
            recorded.id,
            created_at=now - SESSION_MAX_AGE - timedelta(seconds=1),
            expires_at=now + SESSION_IDLE,
        )
        assert _handle_payload(handle) is not None
        assert load_launch(handle) is None
        # Deleted (forgotten, or its person erased): nothing to load.
        _set_times(runtime, recorded.id, created_at=now, expires_at=now + SESSION_IDLE)
        assert load_launch(handle) is not None
        with transaction(runtime.sessions) as session:
            session.delete(session.get(LaunchSession, recorded.id))
        assert load_launch(handle) is None


# -- over HTTP: the session's sliding end, and handles of another person -------------------


def _session_times(world: LtiWorld, **changes: object) -> LaunchSession:
    """The one launch session's row, after setting ``changes`` on it."""
    with transaction(world.runtime.sessions) as session:
        row = session.scalars(select(LaunchSession)).one()
        for name, value in changes.items():
            setattr(row, name, value)
        session.flush()
        session.expunge(row)
        return row


def test_a_session_ends_after_an_idle_hour_and_is_renewed_while_in_use(
    lti_world: LtiWorld,
) -> None:
    world = lti_world
    outcome = Browser().launch(world.demo, world.moodle.client_id, world.spec())
    page = outcome.page.url
    row = _session_times(world)
    assert row.expires_at - row.created_at == SESSION_IDLE

    # Last renewed ten minutes ago: this page moves the end an idle hour from now...
    now = utcnow()
    _session_times(world, expires_at=now + SESSION_IDLE - timedelta(minutes=10))
    assert requests.get(page, timeout=10).status_code == 200
    renewed = _session_times(world).expires_at
    assert renewed >= now + SESSION_IDLE - timedelta(seconds=5)
    # ...and the next page, a moment later, writes nothing.
    assert requests.get(page, timeout=10).status_code == 200
    assert _session_times(world).expires_at == renewed

    # Idle for an hour: over.
    _session_times(world, expires_at=utcnow() - timedelta(seconds=1))
    assert requests.get(page, timeout=10).status_code == 401


def test_a_session_ends_eight_hours_after_its_launch_however_busy(lti_world: LtiWorld) -> None:
    world = lti_world
    outcome = Browser().launch(world.demo, world.moodle.client_id, world.spec())
    now = utcnow()
    # Seven and a half hours in: renewed, but only up to the eighth hour.
    launched = now - SESSION_MAX_AGE + timedelta(minutes=30)
    _session_times(world, created_at=launched, expires_at=now + timedelta(minutes=5))
    assert requests.get(outcome.page.url, timeout=10).status_code == 200
    assert _session_times(world).expires_at == launched + SESSION_MAX_AGE
    # Past the eighth hour: over, whatever the row's end says.
    _session_times(
        world,
        created_at=now - SESSION_MAX_AGE - timedelta(minutes=1),
        expires_at=now + SESSION_IDLE,
    )
    assert requests.get(outcome.page.url, timeout=10).status_code == 401


def test_a_handle_of_another_person_is_refused_where_this_browser_has_its_own(
    sqlite_lti_world: LtiWorld,
) -> None:
    """Fixation: someone sends their own launch's link to a person who launched here."""
    world = sqlite_lti_world
    mine = Browser()
    own = mine.launch(world.demo, world.moodle.client_id, world.spec())
    theirs = Browser().launch(world.demo, world.moodle.client_id, world.spec(user_id="other"))
    sent_link = theirs.page.url
    answer = mine.http.get(sent_link, headers={"Accept-Language": "fr"}, timeout=10)
    assert answer.status_code == 403
    assert "la session de quelqu" in answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    # Own pages still open, and a browser without a launch of its own cannot be told apart.
    assert mine.http.get(own.page.url, timeout=10).status_code == 200
    assert requests.get(sent_link, timeout=10).status_code == 200
    # A cookie that is no genuine handle proves nothing either.
    forged = requests.get(sent_link, cookies={"chemins_launch": "forged"}, timeout=10)
    assert forged.status_code == 200


def test_several_launches_of_one_person_open_side_by_side(sqlite_lti_world: LtiWorld) -> None:
    """Two tabs of one person (two courses): the older tab's handle still opens its page."""
    world = sqlite_lti_world
    browser = Browser()
    first = browser.launch(world.demo, world.moodle.client_id, world.spec())
    second = browser.launch(
        world.demo,
        world.moodle.client_id,
        world.spec(context={"id": "course-2", "title": "Autre cours"}),
    )
    assert first.handle != second.handle
    assert browser.http.cookies["chemins_launch"] == second.handle
    assert browser.http.get(first.page.url, timeout=10).status_code == 200
    assert urlsplit(first.page.url).query
