"""Who may manage platform registrations on the web: an admin launch or a CLI token.

Two doors, both without a password to forget or steal: a launch whose LTI roles make the
person an administrator (system or institution ``Administrator``), limited to the
registrations of their own platform; or a signed, short-lived token printed by
``chemins platform admin-link`` for the person who runs the server, which sees every
platform. Forms carry the credential and a CSRF token bound to it, like launched pages,
so no cookie is needed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup

from lti_tool.launch_handle import CSRF_FIELD, HANDLE_PARAM, enter_launch, load_launch
from lti_tool.lti1p3.roles import ADMIN

ADMIN_PARAM = "at"
TOKEN_LIFETIME = 3600
_SALT = "chemins.admin-token.v1"

F = TypeVar("F", bound=Callable[..., Any])


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def issue_admin_token(secret_key: str) -> str:
    """A token granting the platform admin pages for :data:`TOKEN_LIFETIME` seconds."""
    return _serializer(secret_key).dumps({"admin": True, "n": secrets.token_urlsafe(8)})


@dataclass(frozen=True)
class AdminAccess:
    """An admin credential checked for this request, and what it may touch."""

    param: str
    credential: str
    platform_id: str | None  # None: every platform (CLI token)

    @property
    def csrf_token(self) -> str:
        key = str(current_app.config["SECRET_KEY"]).encode()
        message = b"chemins-admin-csrf:" + self.credential.encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()

    def fields(self) -> Markup:
        """Hidden inputs every admin form carries."""
        hidden = Markup('<input type="hidden" name="{}" value="{}">')
        return hidden.format(self.param, self.credential) + hidden.format(
            CSRF_FIELD, self.csrf_token
        )

    def url(self, endpoint: str, **values: Any) -> str:
        return url_for(endpoint, **{self.param: self.credential}, **values)


def _value(name: str) -> str | None:
    return request.args.get(name) or (request.form.get(name) if request.method == "POST" else None)


def find_admin_access() -> AdminAccess | None:
    """The admin credential this request carries (CLI token or admin launch), if any.

    Public for pages that serve everyone but offer more to an admin (Dynamic
    Registration lets an admin attach a platform to an existing community).
    """
    token = _value(ADMIN_PARAM)
    if token:
        try:
            payload = _serializer(current_app.config["SECRET_KEY"]).loads(
                token, max_age=TOKEN_LIFETIME
            )
        except BadSignature:
            return None
        if isinstance(payload, dict) and payload.get("admin") is True:
            return AdminAccess(ADMIN_PARAM, token, None)
        return None
    handle = _value(HANDLE_PARAM)
    launch = load_launch(handle) if handle else None
    if launch is None or launch.role != ADMIN:
        return None
    enter_launch(launch)
    return AdminAccess(HANDLE_PARAM, handle or "", launch.platform_id)


def requires_admin(view: F) -> F:
    """401 without an admin credential; 400 for a form without its CSRF token."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        access = find_admin_access()
        if access is None:
            abort(401)
        if request.method == "POST" and not hmac.compare_digest(
            request.form.get(CSRF_FIELD, ""), access.csrf_token
        ):
            abort(400)
        g.admin_access = access
        return view(*args, **kwargs)

    return cast(F, wrapper)
