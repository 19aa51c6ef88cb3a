"""Launch handles: genuine and unexpired only, whether verified now or remembered."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from badges.launches import SESSION_LIFETIME, RecordedLaunch
from lti_tool import launch_handle
from lti_tool.launch_handle import _handle_payload, issue_handle

LAUNCH = RecordedLaunch("session-1", "person-1", "deployment-1", None, None)
PAYLOAD = {"s": "session-1", "p": "person-1", "d": "deployment-1"}


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    now = time.time()
    monkeypatch.setattr(launch_handle.time, "time", lambda: now + seconds)


def test_an_issued_handle_is_read_back_until_it_expires(app, monkeypatch) -> None:
    with app.test_request_context():
        handle = issue_handle(LAUNCH)
        assert _handle_payload(handle) == PAYLOAD  # remembered at issue
        _later(monkeypatch, SESSION_LIFETIME.total_seconds() + 2)
        assert _handle_payload(handle) is None


def test_a_handle_verified_once_still_expires(app, monkeypatch) -> None:
    with app.test_request_context():
        handle = issue_handle(LAUNCH)
        launch_handle._signer().verified.clear()  # as in another worker
        assert _handle_payload(handle) == PAYLOAD  # verified, then remembered
        assert handle in launch_handle._signer().verified
        _later(monkeypatch, SESSION_LIFETIME.total_seconds() + 2)
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
