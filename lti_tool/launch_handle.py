"""The cookie-less launch handle: how a launched page knows who is there.

Inside an LMS iframe the tool is a third party, and Safari (by default) and more and
more browsers drop its cookies. So after a launch the tool does not rely on a session
cookie: it issues a *launch handle*, the signed and expiring id of a server-side
``LaunchSession`` row bound to the person and the deployment, and carries it in every
link and form (``lh``). A cookie with the same value is also set (``SameSite=None;
Secure`` over HTTPS) for browsers that keep it, but a handle in the request always wins.

Forms carry a CSRF token derived from the handle's session id, so a page of another
site cannot post on a person's behalf even when the cookie is sent.

:func:`requires_launch` loads the :class:`LaunchContext` (person, deployment, community,
context, role) into ``g.launch`` for later blueprints; every query of a launched page
filters by ``g.launch.deployment_pk`` (or ``community_id``), which is how a person of one
deployment never reads another's data.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, abort, current_app, g, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from badges.launches import SESSION_LIFETIME
from badges.models import Deployment, LaunchSession, Platform, Registration
from badges.models.columns import utcnow
from badges.storage import transaction
from lti_tool.app import runtime_of
from lti_tool.lti1p3.roles import at_least

HANDLE_PARAM = "lh"
CSRF_FIELD = "csrf_token"
COOKIE = "chemins_launch"
_SALT = "chemins.launch-handle.v1"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class LaunchContext:
    """Who launched, from where, with which role; what every launched page is scoped to."""

    session_id: str
    handle: str
    person_id: str
    person_name: str | None
    deployment_pk: str
    community_id: str
    platform_id: str
    context_pk: str | None
    context_title: str | None
    resource_link_pk: str | None
    role: str
    lti_roles: tuple[str, ...]
    locale: str | None
    return_url: str | None
    frame_ancestors: tuple[str, ...]

    @property
    def csrf_token(self) -> str:
        return csrf_token_for(self.session_id)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_handle(launch: LaunchSession) -> str:
    """The signed handle of a launch session, bound to its person and deployment."""
    return _serializer().dumps({"s": launch.id, "p": launch.person_id, "d": launch.deployment_id})


def csrf_token_for(session_id: str) -> str:
    """A CSRF token that only the holder of this launch session's handle can know."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"chemins-launch-csrf:" + session_id.encode(), hashlib.sha256).hexdigest()


def _handle_from_request() -> str | None:
    return (
        request.args.get(HANDLE_PARAM)
        or (request.form.get(HANDLE_PARAM) if request.method not in _SAFE_METHODS else None)
        or request.cookies.get(COOKIE)
    )


def load_launch(handle: str) -> LaunchContext | None:
    """The launch context a handle stands for, or None if forged, expired or revoked."""
    try:
        payload = _serializer().loads(handle, max_age=int(SESSION_LIFETIME.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not {"s", "p", "d"} <= payload.keys():
        return None
    with transaction(runtime_of(current_app).sessions) as session:
        row = session.get(
            LaunchSession,
            payload["s"],
            options=[
                selectinload(LaunchSession.person),
                selectinload(LaunchSession.context),
                selectinload(LaunchSession.deployment)
                .selectinload(Deployment.registration)
                .selectinload(Registration.platform)
                .selectinload(Platform.registrations),
            ],
        )
        if row is None or row.person_id != payload["p"] or row.deployment_id != payload["d"]:
            return None
        if row.expires_at <= utcnow():
            return None
        platform = row.deployment.registration.platform
        return LaunchContext(
            session_id=row.id,
            handle=handle,
            person_id=row.person_id,
            person_name=row.person.display_name,
            deployment_pk=row.deployment_id,
            community_id=row.deployment.community_id,
            platform_id=platform.id,
            context_pk=row.context_id,
            context_title=row.context.title if row.context is not None else None,
            resource_link_pk=row.resource_link_id,
            role=row.role,
            lti_roles=tuple(row.lti_roles),
            locale=row.locale,
            return_url=row.return_url,
            frame_ancestors=tuple(platform.origins()),
        )


def enter_launch(launch: LaunchContext) -> None:
    """Make ``launch`` this request's: locale, framing origins and ``g.launch``."""
    g.launch = launch
    if launch.locale:
        g.launch_locale = launch.locale
    g.frame_ancestors = launch.frame_ancestors


def requires_launch(role: str | None = None) -> Callable[[F], F]:
    """Let a view run only within a valid launch (of at least ``role``).

    401 without a valid handle, 403 when the role is too low, 400 when a form comes
    without the CSRF token bound to the handle.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            handle = _handle_from_request()
            launch = load_launch(handle) if handle else None
            if launch is None:
                abort(401)
            enter_launch(launch)
            if role is not None and not at_least(launch.role, role):
                abort(403)
            if request.method not in _SAFE_METHODS:
                sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token", "")
                if not hmac.compare_digest(sent, launch.csrf_token):
                    abort(400)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def current_launch() -> LaunchContext:
    """``g.launch`` of a view behind :func:`requires_launch`."""
    launch = g.get("launch")
    if launch is None:
        abort(401)
    return cast(LaunchContext, launch)


def url_for_launch(endpoint: str, **values: Any) -> str:
    """``url_for`` that carries the current launch handle, for links inside a launch."""
    launch = g.get("launch")
    if launch is not None:
        values.setdefault(HANDLE_PARAM, launch.handle)
    return url_for(endpoint, **values)


def launch_fields() -> Markup:
    """Hidden form fields (handle and CSRF token) every form of a launched page carries."""
    launch = g.get("launch")
    if launch is None:
        return Markup("")
    hidden = Markup('<input type="hidden" name="{}" value="{}">')
    return hidden.format(HANDLE_PARAM, launch.handle) + hidden.format(CSRF_FIELD, launch.csrf_token)


def set_launch_cookie(response: Response, handle: str) -> None:
    """Also keep the handle in a cookie, cross-site capable when the request is HTTPS."""
    secure = request.is_secure
    response.set_cookie(
        COOKIE,
        handle,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
        path="/",
    )


def init_launch_handle(app: Flask) -> None:
    """Expose :func:`url_for_launch` and :func:`launch_fields` to every template."""
    app.jinja_env.globals.update(url_for_launch=url_for_launch, launch_fields=launch_fields)
