"""The sentence a refused login or launch shows, and its status."""

from __future__ import annotations

import pytest

from lti_tool.launch_refusals import refusal_message, refusal_status
from lti_tool.lti1p3.exceptions import LaunchRefused, LoginRefused


@pytest.mark.parametrize(
    ("refusal", "platform_error", "words"),
    [
        (LoginRefused("B1", "unknown issuer"), False, "not set up for this learning platform"),
        (LaunchRefused("B18", "error response", 400), True, "did not sign you in"),
        (LaunchRefused("B16", "state used", 401), False, "already used, has expired"),
        (LaunchRefused("B17", "no state cookie", 401), False, "started in another browser"),
        (LaunchRefused("B5", "bad signature", 401), False, "could not confirm"),
        (LaunchRefused("B23", "no resource link", 400), False, "incomplete launch"),
        # An OIDC error code without the platform's error field: an incomplete launch.
        (LaunchRefused("B18", "error response", 400), False, "incomplete launch"),
    ],
)
def test_each_refusal_says_what_to_do_next(app, refusal, platform_error, words) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/?lang=en"):
        assert words in refusal_message(refusal, platform_error=platform_error)


def test_the_status_is_the_refusals_own_4xx() -> None:
    assert refusal_status(LaunchRefused("B5", "bad signature", 401)) == 401
    assert refusal_status(LoginRefused("B1", "unknown issuer", 400)) == 400
    assert refusal_status(LaunchRefused("B0", "odd", 500)) == 400
