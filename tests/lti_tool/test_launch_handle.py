"""Launch handles: genuine and unexpired only, whether verified now or remembered; their
session's sliding end; a handle of another person than the browser's own launch."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from badges.launches import SESSION_IDLE, SESSION_MAX_AGE, RecordedLaunch
from badges.models import LaunchSession
from badges.models.columns import utcnow
from badges.storage import transaction
from lti_tool import launch_handle
from lti_tool.launch_handle import _handle_payload, issue_handle
from tests.lti_launches import Browser, LtiWorld

LAUNCH = RecordedLaunch("session-1", "person-1", "deployment-1", None, None)
PAYLOAD = {"s": "session-1", "p": "person-1", "d": "deployment-1"}


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    now = time.time()
    monkeypatch.setattr(launch_handle.time, "time", lambda: now + seconds)


def test_an_issued_handle_is_read_back_until_it_expires(app, monkeypatch) -> None:
    with app.test_request_context():
        handle = issue_handle(LAUNCH)
        assert _handle_payload(handle) == PAYLOAD  # remembered at issue
        _later(monkeypatch, SESSION_MAX_AGE.total_seconds() + 2)
        assert _handle_payload(handle) is None


def test_a_handle_verified_once_still_expires(app, monkeypatch) -> None:
    with app.test_request_context():
        handle = issue_handle(LAUNCH)
        launch_handle._signer().verified.clear()  # as in another worker
        assert _handle_payload(handle) == PAYLOAD  # verified, then remembered
        assert handle in launch_handle._signer().verified
        _later(monkeypatch, SESSION_MAX_AGE.total_seconds() + 2)
        assert _handle_payload(handle) is None


def test_forged_and_foreign_handles_are_refused(app) -> None:
    with app.test_request_context():
        handle = issue_handle(LAUNCH)
        assert _handle_payload(handle[:-2] + ("AA" if not handle.endswith("AA") else "BB")) is None
        assert _handle_payload("not-a-handle") is None
    app.config["SECRET_KEY"] = "another secret"
    with app.test_request_context():
        assert _handle_payload(handle) is None  # a new secret forgets what the old one signed


def test_the_memory_is_bounded(app, monkeypatch) -> None:
    monkeypatch.setattr(launch_handle, "MAX_VERIFIED", 3)
    with app.test_request_context():
        handles = [issue_handle(replace(LAUNCH, id=f"s{n}")) for n in range(5)]
        assert len(launch_handle._signer().verified) <= 3
        assert [_handle_payload(h)["s"] for h in handles] == [f"s{n}" for n in range(5)]


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
