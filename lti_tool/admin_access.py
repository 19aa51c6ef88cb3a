"""Who may manage platforms on the web: the instance admin's session, or an admin launch.

Two doors, neither with a password to forget or steal:

- The person who runs the server types ``chemins platform admin-link``. The link it
  prints must be opened within minutes, once: its page shows a button, and pressing it
  spends the link and opens an **admin session** in that browser, a first-party cookie
  (``HttpOnly``, ``SameSite=Strict``, ``Secure`` over HTTPS) that names the link's row
  for an hour. Ending the session (the page's button, or ``admin-link --revoke-all``)
  withdraws the row, and the cookie opens nothing any more. The admin pages are never
  framed, so a cookie works here. The link is spent by the button, not by opening
  it, because mail and chat previews fetch links; and the cookie is set by a POST
  from the tool's own page, so it is sent on the redirect that follows (a Strict
  cookie is not sent on a navigation that started on another site). The admin link
  is the instance admin's own: what is handed to a platform admin is a registration
  link (:mod:`badges.platforms.access_links`), which opens no admin page.
- A launch whose LTI roles make the person an administrator (system or institution
  ``Administrator``), limited to their own platform's registrations and their own
  community, carried as the launch handle in links and forms like every launched page.

Every admin form carries a CSRF token bound to the credential.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import quote

from flask import Response, abort, current_app, g, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup

from badges.platforms.access_links import ADMIN_SESSION_LIFETIME, admin_session
from badges.roles import may_manage_platforms
from badges.storage.database import transaction
from lti_tool.form_csrf import require_token, token_for
from lti_tool.launch_handle import CSRF_FIELD, HANDLE_PARAM, enter_launch, load_launch
from lti_tool.runtime_access import runtime_of

#: The query parameter of an admin link (its secret), on the page that opens it.
ADMIN_PARAM = "at"
COOKIE = "chemins_admin"
_SALT = "chemins.admin-session.v1"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class AdminAccess:
    """An admin credential checked for this request, and what it may touch."""

    #: The parameter links and forms carry the credential in (None: the session cookie).
    param: str | None
    credential: str
    #: The platform a launched admin came from (None: the instance admin, every platform).
    platform_id: str | None
    #: The community a launched admin's deployment belongs to (None: the instance admin).
    community_id: str | None = None
    #: The admin link row of an instance admin's session.
    link_id: str | None = None

    @property
    def instance_wide(self) -> bool:
        return self.platform_id is None

    @property
    def binding(self) -> str:
        """What this access's forms are bound to (form_csrf): the admin session or launch."""
        return f"admin:{self.param or 'session'}:{self.credential}"

    @property
    def csrf_token(self) -> str:
        return token_for(self.binding)

    def fields(self) -> Markup:
        """Hidden inputs every admin form carries."""
        hidden = Markup('<input type="hidden" name="{}" value="{}">')
        csrf = hidden.format(CSRF_FIELD, self.csrf_token)
        if self.param is None:
            return csrf
        return hidden.format(self.param, self.credential) + csrf

    def url(self, endpoint: str, **values: Any) -> str:
        if self.param is not None:
            values[self.param] = self.credential
        return url_for(endpoint, **values)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _value(name: str) -> str | None:
    return request.args.get(name) or (request.form.get(name) if request.method == "POST" else None)


def _session_access() -> AdminAccess | None:
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    try:
        payload = _serializer().loads(cookie, max_age=int(ADMIN_SESSION_LIFETIME.total_seconds()))
    except BadSignature:
        return None
    link_id = payload.get("l") if isinstance(payload, dict) else None
    if not isinstance(link_id, str):
        return None
    with transaction(runtime_of(current_app).sessions) as session:
        if admin_session(session, link_id) is None:  # ended, or too old
            return None
    return AdminAccess(None, link_id, None, None, link_id)


def find_admin_access() -> AdminAccess | None:
    """The admin credential this request carries (admin launch or admin session), if any.

    A launch handle in the request wins over the cookie, as it does on launched pages:
    it is what the page was opened with. Public for pages that serve everyone but
    offer more to an admin (Dynamic Registration lets an admin choose a community).
    """
    handle = _value(HANDLE_PARAM)
    if handle:
        launch = load_launch(handle)
        if launch is None or not may_manage_platforms(launch.role):
            return None
        enter_launch(launch)
        return AdminAccess(HANDLE_PARAM, handle, launch.platform_id, launch.community_id)
    return _session_access()


def start_admin_session(response: Response, link_id: str) -> None:
    """Open an admin session on ``response``'s browser for the spent admin link ``link_id``."""
    response.set_cookie(
        COOKIE,
        _serializer().dumps({"l": link_id}),
        max_age=int(ADMIN_SESSION_LIFETIME.total_seconds()),
        secure=request.is_secure,
        httponly=True,
        samesite="Strict",
        path="/",
    )


def forget_admin_session(response: Response) -> None:
    """Drop the session cookie (the row is withdrawn by the caller)."""
    response.delete_cookie(
        COOKIE, path="/", secure=request.is_secure, httponly=True, samesite="Strict"
    )


def _check_csrf(access: AdminAccess) -> None:
    if request.method == "POST":
        require_token(access.binding)


def requires_admin(view: F) -> F:
    """401 without an admin credential; 400 for a form without its CSRF token."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        access = find_admin_access()
        if access is None:
            abort(401)
        _check_csrf(access)
        g.admin_access = access
        return view(*args, **kwargs)

    return cast(F, wrapper)


def admin_link_url(origin: str, secret: str) -> str:
    """The URL ``chemins platform admin-link`` prints for an admin link's ``secret``."""
    return f"{origin}/admin/platforms/open?{ADMIN_PARAM}={quote(secret, safe='')}"
