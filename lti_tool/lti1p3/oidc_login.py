"""Third-party initiated login (LTI Core §5.1.1, OIDC): the first step of every launch.

The platform sends ``iss``, ``login_hint`` and ``target_link_uri`` (plus optional
``client_id``, ``lti_deployment_id``, ``lti_message_hint``) by GET (Open edX) or form POST
(Moodle). The tool checks them against its registrations, mints a ``state`` and a
``nonce`` bound to it, and sends the browser to the platform's authorization endpoint.
``lti_message_hint`` goes back exactly as received: Moodle puts JSON in it, Open edX a
cache key, and either breaks if the tool touches it.

Every parameter has a length limit (:data:`MAX_LENGTHS`): what the tool stores must fit
its columns, and what it sends back (the hints) goes into a ``Location`` header, which
no parameter may inflate to megabytes. Refusals here all carry code ``B28`` (the login
rows of the bad-launch matrix).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from lti_tool.lti1p3.exceptions import LoginRefused
from lti_tool.lti1p3.registration import RegistrationInfo, ToolStore, ToolUrls

#: The longest value of each login parameter. Moodle sends a user id and a small JSON
#: hint, Open edX an id and a cache key, Canvas a signed hint of about a kilobyte: the
#: hints get room to spare, the values the tool stores the size of their columns.
MAX_LENGTHS = {
    "iss": 500,
    "client_id": 255,
    "lti_deployment_id": 255,
    "target_link_uri": 2000,
    "login_hint": 2048,
    "lti_message_hint": 4096,
}
#: Characters no URL holds (RFC 3986): whitespace and controls.
_NOT_IN_URLS = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class LoginRequest:
    """An accepted login: where to send the browser and what to remember for the launch."""

    registration: RegistrationInfo
    state: str
    nonce: str
    target_link_uri: str
    lti_deployment_id: str | None
    redirect_url: str
    #: The platform's hints, kept to start the same login again at top level when the
    #: browser drops the state cookie in an iframe (see lti_tool/new_window.py).
    login_hint: str = ""
    lti_message_hint: str | None = None


def _param(params: Mapping[str, str], name: str, required: bool = False) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise LoginRefused("B28", f"login initiation without {name}", 400)
        return None
    return value


def _check_lengths(params: Mapping[str, str]) -> None:
    """Refuse any login parameter longer than :data:`MAX_LENGTHS` allows, before any lookup."""
    for name, limit in MAX_LENGTHS.items():
        value = params.get(name)
        if value is not None and len(value) > limit:
            raise LoginRefused("B28", f"login parameter {name} is too long ({len(value)})", 400)


def _registration(store: ToolStore, issuer: str, client_id: str | None) -> RegistrationInfo:
    candidates = store.registrations(issuer)
    if not candidates:
        raise LoginRefused("B28", f"unknown issuer {issuer!r}", 400)
    if client_id is not None:
        for registration in candidates:
            if registration.client_id == client_id:
                return registration
        raise LoginRefused("B28", f"unknown client_id {client_id!r} for {issuer!r}", 400)
    if len(candidates) > 1:
        raise LoginRefused(
            "B28", f"{issuer!r} has several registrations and sent no client_id", 400
        )
    return candidates[0]


def _with_query(url: str, params: dict[str, str]) -> str:
    separator = "&" if urlsplit(url).query else "?"
    return f"{url}{separator}{urlencode(params)}"


def initiate_login(params: Mapping[str, str], store: ToolStore, urls: ToolUrls) -> LoginRequest:
    """Check a login initiation and build the OIDC authentication request (SF §5.1.1).

    ``params`` are the query or form parameters exactly as received. Raises
    :class:`LoginRefused` (B28) for an unknown issuer or client, a missing
    ``login_hint`` or ``target_link_uri``, a foreign target or an unknown deployment.
    """
    _check_lengths(params)
    issuer = _param(params, "iss", required=True)
    login_hint = _param(params, "login_hint", required=True)
    target = _param(params, "target_link_uri", required=True)
    assert issuer is not None and login_hint is not None and target is not None
    if _NOT_IN_URLS.search(target) or not urls.is_ours(target):
        raise LoginRefused("B28", f"target_link_uri {target!r} is not one of this tool's", 400)
    registration = _registration(store, issuer, _param(params, "client_id"))
    deployment_id = _param(params, "lti_deployment_id")
    if deployment_id is not None and deployment_id not in registration.deployment_ids:
        raise LoginRefused("B28", f"unknown lti_deployment_id {deployment_id!r}", 400)

    state = secrets.token_urlsafe(32)
    nonce = secrets.token_urlsafe(32)
    auth = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": registration.client_id,
        "redirect_uri": urls.launch_url,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    message_hint = params.get("lti_message_hint")
    if message_hint is not None:
        auth["lti_message_hint"] = message_hint
    return LoginRequest(
        registration=registration,
        state=state,
        nonce=nonce,
        target_link_uri=target,
        lti_deployment_id=deployment_id,
        redirect_url=_with_query(registration.auth_login_url, auth),
        login_hint=login_hint,
        lti_message_hint=message_hint,
    )
