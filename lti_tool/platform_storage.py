"""LTI platform storage: the login state kept by the platform when cookies are blocked.

Inside an LMS iframe the tool is a third party, and browsers drop its cookies (Safari
by default, Chrome when the person blocks them). The state cookie set at login then never
comes back with the launch, so the browser check (B17) would refuse every launch. A
platform that offers storage says so with ``lti_storage_target`` on the login and the
launch (reference §9; 1EdTech "lti-pm-s", Canvas and Sakai implement it): the tool's
page asks that frame, by ``postMessage``, to keep a value (``lti.put_data``) and to give
it back (``lti.get_data``), and the platform keeps it in its own first-party storage.

- Login: instead of a bare redirect, :func:`login_page` answers a small page whose script
  (``static/lti_storage.js``) stores ``lti_state_<state>`` with the platform, then goes
  on to the platform's authentication endpoint. The state cookie is still set for
  browsers that keep it.
- Launch: when the platform's POST says storage is in use and no state cookie came back,
  :func:`launch_page` answers a page that reads the value back and posts the launch again
  with it (``lti_storage_state``); :func:`browser_state` then hands it to the validator
  as the browser's state.

What this proves, and what it does not: the value is an HMAC of the state under the
tool's secret, so a launch can only be completed this way for a login that went through
the storage page, and the page only accepts the platform's answer from the platform's
origin with the message id it sent. A person who runs a login in their own browser can
read their own value, exactly as they can read their own cookie; as with every
cookie-less flow, the single-use state, the nonce bound to it and the short state
lifetime are what the server keeps enforcing.

What keeps that person from completing *their* login in someone else's browser (login
CSRF: a page of theirs posting their id_token, state and value to the launch URL) is
the origin of the post: the value counts only when the browser says the form came from
a page of this tool (``Origin``), which only the launch page that read the value back
from the victim's own platform storage is. See docs/decisions/0013.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping

from flask import Response, current_app, g, make_response, render_template, request, url_for

from badges.models import Registration
from badges.models.platform import origin_of
from badges.storage.database import transaction
from lti_tool.constant_time import constant_time_equal
from lti_tool.launch_store import SqlToolStore
from lti_tool.lti1p3.oidc_login import LoginRequest
from lti_tool.runtime_access import runtime_of

TARGET_PARAM = "lti_storage_target"
#: The form field carrying the value read back from the platform at launch.
VALUE_FIELD = "lti_storage_state"
STATE_KEY_PREFIX = "lti_state_"
#: ``_parent`` or a frame name (Canvas: ``post_message_forwarding``); nothing that could
#: smuggle markup or script into the page.
_TARGET = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def storage_target(params: Mapping[str, str]) -> str | None:
    """The frame the platform offers for storage, when it offers one we can use."""
    target = (params.get(TARGET_PARAM) or "").strip()
    return target if _TARGET.match(target) else None


def storage_value(state: str) -> str:
    """What the login page stores for ``state``; only this tool can compute it."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"chemins-lti-storage:" + state.encode(), hashlib.sha256).hexdigest()


def _origins(*urls: str) -> tuple[str, ...]:
    """Origins allowed to frame the storage pages: the platform's own (issuer, endpoints)."""
    return tuple(dict.fromkeys(origin for origin in map(origin_of, urls) if origin))


def _message_origin(auth_login_url: str) -> str:
    """``targetOrigin`` of the messages: the origin of the platform's OIDC auth endpoint."""
    return origin_of(auth_login_url) or "null"


def login_page(accepted: LoginRequest, target: str) -> Response:
    """The login answer in storage mode: store the state with the platform, then go on."""
    registration = accepted.registration
    g.frame_ancestors = _origins(
        registration.issuer, registration.auth_login_url, registration.auth_token_url
    )
    page = render_template(
        "lti/storage_login.html",
        target=target,
        message_origin=_message_origin(registration.auth_login_url),
        key=STATE_KEY_PREFIX + accepted.state,
        value=storage_value(accepted.state),
        next_url=accepted.redirect_url,
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


def launch_page(form: Mapping[str, str], cookie_state: str | None) -> Response | None:
    """The page that reads the state back from the platform, or None to launch now.

    None when the platform did not ask for storage, when the state cookie came back (the
    browser kept it: nothing to fetch), when the value is already in the form, or when
    the state is unknown (the validator then refuses the launch with its own reason).
    """
    target = storage_target(form)
    state = (form.get("state") or "").strip()
    if target is None or not state or cookie_state or form.get(VALUE_FIELD):
        return None
    runtime = runtime_of(current_app)
    with transaction(runtime.sessions) as session:
        login = SqlToolStore(session).login(state)
        registration = session.get(Registration, login.registration_id) if login else None
        if registration is None:
            return None
        issuer = registration.platform.issuer
        auth_login_url = registration.auth_login_url
        auth_token_url = registration.auth_token_url
    g.frame_ancestors = _origins(issuer, auth_login_url, auth_token_url)
    fields = {
        name: value
        for name, value in form.items()
        if name in ("id_token", "state", TARGET_PARAM, "error", "error_description")
    }
    page = render_template(
        "lti/storage_launch.html",
        target=target,
        message_origin=_message_origin(auth_login_url),
        key=STATE_KEY_PREFIX + state,
        action=url_for("lti.launch"),
        fields=fields,
        value_field=VALUE_FIELD,
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


def _posted_by_this_tool() -> bool:
    """Whether the browser says this POST comes from a page of this tool (``Origin``).

    Browsers send ``Origin`` with every POST and no page can set it: a form another
    site submits says that site (or ``null``), never this tool's origin.
    """
    sent = origin_of(request.headers.get("Origin") or "")
    return sent is not None and sent == origin_of(runtime_of(current_app).instance.origin)


def browser_state(form: Mapping[str, str]) -> str | None:
    """The state this browser proved through platform storage, or None.

    Only from the tool's own launch page (see :func:`_posted_by_this_tool`): the value
    is the same for whoever ran the login, so where it is posted from is what binds it
    to the browser whose platform storage gave it back.
    """
    state = (form.get("state") or "").strip()
    value = form.get(VALUE_FIELD)
    if not state or not value or storage_target(form) is None:
        return None
    if not constant_time_equal(value, storage_value(state)) or not _posted_by_this_tool():
        return None
    return state
