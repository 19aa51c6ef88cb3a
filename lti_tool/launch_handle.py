"""The cookie-less launch handle: how a launched page knows who is there.

Inside an LMS iframe the tool is a third party, and Safari (by default) and more and
more browsers drop its cookies. So after a launch the tool does not rely on a session
cookie: it issues a *launch handle*, the signed and expiring id of a server-side
``LaunchSession`` row bound to the person and the deployment, and carries it in every
link and form (``lh``). A cookie with the same value is also set (``SameSite=None;
Secure; Partitioned`` over HTTPS) for browsers that keep it, but a handle in the
request always wins.

Forms carry a CSRF token derived from the handle's session id, so a page of another
site cannot post on a person's behalf even when the cookie is sent.

A handle is a bearer credential that travels in URLs, so it is short-lived: its session
ends an hour after its last page (renewed while in use, without a write per page) and
eight hours after the launch in any case. A handle someone else sent (a link holding
*their* launch, "fixation") is refused when this browser's own launch cookie names
another person: see docs/decisions/0013 for what can and cannot be told apart.

:func:`requires_launch` loads the :class:`LaunchContext` (person, deployment, community,
context, role) into ``g.launch`` for later blueprints; every query of a launched page
filters by ``g.launch.deployment_pk`` (or ``community_id``), which is how a person of one
deployment never reads another's data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, abort, current_app, g, request, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy import bindparam, select
from werkzeug.exceptions import Forbidden

from badges.courses.launches import (
    SESSION_MAX_AGE,
    RecordedLaunch,
    extend_launch_session,
    renewed_expiry,
)
from badges.models import (
    Context,
    Deployment,
    LaunchSession,
    Person,
    Platform,
    Registration,
    ResourceLink,
)
from badges.models.columns import utcnow
from badges.models.person import best_name
from badges.models.platform import origins_of
from badges.roles import at_least
from lti_tool.form_csrf import FIELD, require_token, token_for
from lti_tool.page_url import this_page_url, with_parameter
from lti_tool.runtime_access import runtime_of

HANDLE_PARAM = "lh"
CSRF_FIELD = FIELD
COOKIE = "chemins_launch"
_SALT = "chemins.launch-handle.v1"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

log = logging.getLogger(__name__)

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
    #: The title of the resource link this launch came through (None: no link, no title).
    resource_link_title: str | None
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


def issue_handle(launch: RecordedLaunch) -> str:
    """The signed handle of a launch session, bound to its person and deployment."""
    return _serializer().dumps({"s": launch.id, "p": launch.person_id, "d": launch.deployment_id})


def _handle_payload(handle: str) -> Any | None:
    """What a genuine handle signed less than :data:`SESSION_MAX_AGE` ago carries; else None."""
    try:
        return _serializer().loads(handle, max_age=int(SESSION_MAX_AGE.total_seconds()))
    except BadSignature:  # SignatureExpired included
        return None


def launch_binding(session_id: str) -> str:
    """What the forms of a launched page are bound to: the launch session (form_csrf)."""
    return f"launch:{session_id}"


def csrf_token_for(session_id: str) -> str:
    """The form token of a launch session: only the holder of its handle can know it."""
    return token_for(launch_binding(session_id))


def _handle_from_request() -> str | None:
    return (
        request.args.get(HANDLE_PARAM)
        or (request.form.get(HANDLE_PARAM) if request.method not in _SAFE_METHODS else None)
        or request.cookies.get(COOKIE)
    )


_SESSION = LaunchSession.__table__
_PERSON = Person.__table__
_CONTEXT = Context.__table__
_LINK = ResourceLink.__table__
_DEPLOYMENT = Deployment.__table__
_REGISTRATION = Registration.__table__
_PLATFORM = Platform.__table__
_FRAME = Registration.__table__.alias("frame")
#: Everything a launched page needs, in one statement: the session row with its person,
#: course, resource link, deployment and platform, repeated once per registration of
#: that platform (their endpoints are the origins allowed to frame the page). Loading
#: the same through the relationships took seven lazy or select-in round trips, on
#: every page of every launch.
_LAUNCH = (
    select(
        _SESSION.c.id,
        _SESSION.c.person_id,
        _SESSION.c.deployment_id,
        _SESSION.c.context_id,
        _SESSION.c.resource_link_id,
        _SESSION.c.role,
        _SESSION.c.lti_roles,
        _SESSION.c.locale,
        _SESSION.c.return_url,
        _SESSION.c.created_at,
        _SESSION.c.expires_at,
        _PERSON.c.name,
        _PERSON.c.given_name,
        _PERSON.c.family_name,
        _CONTEXT.c.title.label("context_title"),
        _LINK.c.title.label("resource_link_title"),
        _DEPLOYMENT.c.community_id,
        _PLATFORM.c.id.label("platform_id"),
        _PLATFORM.c.issuer,
        _FRAME.c.auth_login_url,
        _FRAME.c.auth_token_url,
    )
    .join(_PERSON, _PERSON.c.id == _SESSION.c.person_id)
    .join(_DEPLOYMENT, _DEPLOYMENT.c.id == _SESSION.c.deployment_id)
    .join(_REGISTRATION, _REGISTRATION.c.id == _DEPLOYMENT.c.registration_id)
    .join(_PLATFORM, _PLATFORM.c.id == _REGISTRATION.c.platform_id)
    .join(_FRAME, _FRAME.c.platform_id == _PLATFORM.c.id)
    .outerjoin(_CONTEXT, _CONTEXT.c.id == _SESSION.c.context_id)
    .outerjoin(_LINK, _LINK.c.id == _SESSION.c.resource_link_id)
    .where(_SESSION.c.id == bindparam("session_id"))
    .order_by(_FRAME.c.client_id)
)


def load_launch(handle: str) -> LaunchContext | None:
    """The launch context a handle stands for, or None if forged, expired or revoked."""
    payload = _handle_payload(handle)
    if not isinstance(payload, dict) or not {"s", "p", "d"} <= payload.keys():
        return None
    # A read on a pooled connection: every launched page starts here, and an ORM
    # session with its commit costs more than the query.
    with runtime_of(current_app).engine.connect() as connection:
        rows = connection.execute(_LAUNCH, {"session_id": payload["s"]}).all()
    if not rows:
        return None
    row = rows[0]
    if row.person_id != payload["p"] or row.deployment_id != payload["d"]:
        return None
    now = utcnow()
    # The row has the last word: the signature only says when the handle was issued,
    # the row says whether its session went idle and when its launch was recorded.
    if row.expires_at <= now or row.created_at + SESSION_MAX_AGE <= now:
        return None
    renewal = renewed_expiry(row.created_at, row.expires_at, now)
    if renewal is not None:  # in use: push the end back (once every few minutes)
        with runtime_of(current_app).engine.begin() as connection:
            extend_launch_session(connection, row.id, renewal)
    # The same rule as Person.display_name, on the selected columns.
    endpoints = [url for r in rows for url in (r.auth_login_url, r.auth_token_url)]
    return LaunchContext(
        session_id=row.id,
        handle=handle,
        person_id=row.person_id,
        person_name=best_name(row.name, row.given_name, row.family_name),
        deployment_pk=row.deployment_id,
        community_id=row.community_id,
        platform_id=row.platform_id,
        context_pk=row.context_id,
        context_title=row.context_title,
        resource_link_pk=row.resource_link_id,
        resource_link_title=row.resource_link_title,
        role=row.role,
        lti_roles=tuple(row.lti_roles),
        locale=row.locale,
        return_url=row.return_url,
        frame_ancestors=tuple(origins_of([row.issuer, *endpoints])),
    )


def enter_launch(launch: LaunchContext) -> None:
    """Make ``launch`` this request's: locale, framing origins and ``g.launch``."""
    g.launch = launch
    if launch.locale:
        g.launch_locale = launch.locale
    g.frame_ancestors = launch.frame_ancestors


def _refuse_another_persons_handle(launch: LaunchContext) -> None:
    """403 when this browser's own launch cookie belongs to another person than ``launch``.

    The handle in a link wins over the cookie (several launches of one person may be
    open in tabs), but a person never holds someone else's launch: a link carrying it
    was sent to them (to have them work, unknowingly, in the sender's account) or left
    on a shared computer. Without a cookie (blocked in a frame) nothing can be told.
    """
    cookie = request.cookies.get(COOKIE)
    if not cookie or cookie == launch.handle:
        return
    theirs = _handle_payload(cookie)
    if isinstance(theirs, dict) and theirs.get("p") != launch.person_id:
        log.warning("launch handle of another person than this browser's launch refused")
        refused = Forbidden()
        refused.chemins_message = _(  # type: ignore[attr-defined]
            "This link opens someone else's session. Go back to your course and open "
            "the activity again."
        )
        raise refused


def requires_launch(role: str | None = None) -> Callable[[F], F]:
    """Let a view run only within a valid launch (of at least ``role``).

    401 without a valid handle, 403 when the role is too low or the handle is another
    person's than this browser's launch, 400 when a form comes without the CSRF token
    bound to the handle.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            handle = _handle_from_request()
            launch = load_launch(handle) if handle else None
            if launch is None:
                abort(401)
            _refuse_another_persons_handle(launch)
            enter_launch(launch)
            if role is not None and not at_least(launch.role, role):
                abort(403)
            if request.method not in _SAFE_METHODS:
                require_token(launch_binding(launch.session_id))
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


def launch_page_url() -> str:
    """This page's URL, carrying the launch handle: where a launched page's forms post.

    The same as ``url_for_launch(request.endpoint, **request.view_args)``, taken from
    the request instead of building the route again (every launched page has a form).
    """
    url = this_page_url()
    launch = g.get("launch")
    if launch is not None and HANDLE_PARAM not in request.args:
        url = with_parameter(url, HANDLE_PARAM, launch.handle)
    return url


def launch_fields() -> Markup:
    """Hidden form fields (handle and CSRF token) every form of a launched page carries."""
    launch = g.get("launch")
    if launch is None:
        return Markup("")
    return _HIDDEN_FIELDS.format(
        handle_name=HANDLE_PARAM,
        handle=launch.handle,
        csrf_name=CSRF_FIELD,
        csrf_token=launch.csrf_token,
    )


#: Markup.format escapes every value it fills in.
_HIDDEN_FIELDS = Markup(
    '<input type="hidden" name="{handle_name}" value="{handle}">'
    '<input type="hidden" name="{csrf_name}" value="{csrf_token}">'
)


def set_launch_cookie(response: Response, handle: str) -> None:
    """Also keep the handle in a cookie, cross-site capable when the request is HTTPS.

    Partitioned (CHIPS) over HTTPS: a browser blocking third-party cookies still keeps
    it for the platform's site, so the pages of the launch in that iframe get it back
    (and the fixation check below has a cookie to compare with).
    """
    secure = request.is_secure
    response.set_cookie(
        COOKIE,
        handle,
        max_age=int(SESSION_MAX_AGE.total_seconds()),
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
        partitioned=secure,
        path="/",
    )


def init_launch_handle(app: Flask) -> None:
    """Expose the launch's URL helpers and :func:`launch_fields` to every template."""
    app.jinja_env.globals.update(
        url_for_launch=url_for_launch, launch_page_url=launch_page_url, launch_fields=launch_fields
    )
