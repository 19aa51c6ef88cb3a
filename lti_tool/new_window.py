"""Open the activity in a new window when the browser keeps no cookie in the iframe.

The login leaves the state in a cookie (partitioned over HTTPS, which browsers that
block third-party cookies still keep per top-level site). A browser that keeps no
cookie at all in the platform's iframe (older Safari, a person's "block all cookies")
posts the launch without it, and the browser check (B17) cannot pass. When nothing
else went wrong with the launch, the person gets one button instead of a dead end: it
opens a new window on :func:`restart_url`, which starts the *same* login (same issuer,
client, deployment, hints and target) at top level, where the tool's cookie is
first-party, and the launch lands on the same page. Moodle forgets a launch after its
first use, so for Moodle the button opens Moodle's own launch page of the activity
instead (:func:`moodle_activity_url`), which starts a fresh launch of it.

Why this keeps the state bound to the browser: the restarted login issues a fresh
state whose cookie this browser holds; the id_token that came without a cookie is never
accepted. The restart parameters are signed and short-lived so the URL cannot be edited
into another login, and the restart runs every check a fresh login runs (they are only
what the platform sent at login; anyone can send a login initiation). A *different*
state cookie presented with the launch stays a plain B17 refusal: that is another
browser's login, not a dropped cookie.

Over plain HTTP nothing helps: the cookie cannot be ``SameSite=None`` (that needs
``Secure``), so even a top-level launch, which the platform posts cross-site, comes
without it. The page then says that Chemins needs HTTPS. See docs/decisions/0017.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Response, current_app, make_response, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from badges.models.columns import utcnow
from lti_tool.launch_store import SqlToolStore
from lti_tool.lti1p3.oidc_login import MAX_LENGTHS
from lti_tool.runtime_access import runtime_of

RESTART_PARAM = "t"
_SALT = "chemins.lti-login-again.v1"
#: Seconds the button keeps working: enough to read the page and click.
RESTART_MAX_AGE = 600
#: What a restart may carry: the login initiation parameters, nothing else.
RESTART_PARAMS = frozenset(MAX_LENGTHS)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def restart_url(params: Mapping[str, str]) -> str:
    """The tool URL that starts the login ``params`` describe again, signed."""
    token = _serializer().dumps({k: v for k, v in params.items() if k in RESTART_PARAMS})
    return url_for("lti.login_again", **{RESTART_PARAM: token}, _external=False)


def restart_params(token: str | None) -> dict[str, str] | None:
    """The login parameters a genuine, recent restart token carries; None otherwise."""
    if not token:
        return None
    try:
        params: Any = _serializer().loads(token, max_age=RESTART_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(params, dict) or not params.keys() <= RESTART_PARAMS:
        return None
    if not all(isinstance(v, str) for v in params.values()):
        return None
    return params


def moodle_activity_url(params: Mapping[str, str]) -> str | None:
    """Moodle's own launch page for the activity of a Moodle login, or None.

    Moodle (4.1 and later) puts ``{"cmid": …, "launchid": "ltilaunch…"}`` in
    ``lti_message_hint`` and forgets the launch id once its auth endpoint has read it:
    the same login sent again would only meet Moodle's error page. Its issuer is the
    site's address, and ``/mod/lti/launch.php?id=<cmid>`` starts a fresh launch of the
    same activity, which is what its "New window" launch container opens.
    """
    try:
        hint = json.loads(params.get("lti_message_hint") or "")
    except ValueError:
        return None
    if not isinstance(hint, dict):
        return None
    cmid, launch_id = hint.get("cmid"), hint.get("launchid")
    if type(cmid) is not int or cmid <= 0 or not isinstance(launch_id, str):
        return None
    if not launch_id.startswith("ltilaunch"):
        return None
    issuer = params.get("iss", "")
    if urlsplit(issuer).scheme not in ("http", "https") or "?" in issuer or "#" in issuer:
        return None
    return f"{issuer.rstrip('/')}/mod/lti/launch.php?{urlencode({'id': cmid})}"


def cookie_dropped(state_cookie_prefix: str) -> bool:
    """Whether this request carries no login-state cookie at all (of any state)."""
    return not any(name.startswith(state_cookie_prefix) for name in request.cookies)


def offer_page(state: str, state_ttl: int) -> Response | None:
    """The page offering a new window for a launch that came without its state cookie.

    None when the state is unknown, spent or expired, or was issued before the hints
    were kept: those stay plain refusals. Call it only after the validator refused the
    launch with B17 and :func:`cookie_dropped` holds.
    """
    if not state:
        return None
    with runtime_of(current_app).engine.connect() as connection:
        login = SqlToolStore(connection).login_again(state)
    if login is None or login.used:
        return None
    if (utcnow() - login.created_at).total_seconds() > state_ttl:
        return None
    secure = request.is_secure
    page = render_template(
        "lti/new_window.html",
        restart_url=(moodle_activity_url(login.params) or restart_url(login.params))
        if secure
        else None,
        code="B17",
    )
    response = make_response(page, 401)
    response.headers["Cache-Control"] = "no-store"
    return response
