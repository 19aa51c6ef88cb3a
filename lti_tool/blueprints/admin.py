"""The ``admin`` audience: the platform registration page (list, add and remove, as
``chemins platform`` does), registration links to hand out, and the door of the
instance admin's session.

Reached with the instance admin's session (every platform; opened by an admin link,
see :mod:`lti_tool.admin_access`) or from an administrator's launch (only that
platform's registrations and that community's registration links: the sysadmin of one
Moodle must not edit another's).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from badges.models import AccessLink, Community, Platform
from badges.models.access_link import ADMIN, REGISTRATION
from badges.platforms.access_links import (
    AccessLinkError,
    LinkRefused,
    check_link,
    create_registration_link,
    registration_links,
    spend_link,
    withdraw_link,
)
from badges.platforms.registering import (
    PlatformError,
    PlatformFields,
    list_registrations,
    register_platform,
    remove_registration,
)
from badges.storage.database import transaction
from lti_tool.admin_access import (
    ADMIN_PARAM,
    AdminAccess,
    forget_admin_session,
    requires_admin,
    start_admin_session,
)
from lti_tool.blueprints.lti.registration import registration_link_url
from lti_tool.outbound_client import keyset_url_problem
from lti_tool.runtime_access import runtime_of

bp = Blueprint("admin", __name__, url_prefix="/admin/platforms")

#: The community choice of a registration link that makes a new community.
NEW = "__new__"


def _access() -> AdminAccess:
    return g.admin_access  # type: ignore[no-any-return]


def _link_communities(session: Session, access: AdminAccess) -> list[tuple[str, str]]:
    """(id, name) of the communities this admin may make registration links into."""
    query = select(Community.id, Community.name).order_by(Community.name, Community.id)
    if not access.instance_wide:
        query = query.where(Community.id == access.community_id)
    return [(row.id, row.name) for row in session.execute(query)]


def _when(moment: datetime) -> str:
    return format_datetime(moment, "medium")


def _waiting_links(session: Session, access: AdminAccess) -> list[dict[str, str]]:
    scope = None if access.instance_wide else frozenset({access.community_id or ""})
    return [
        {
            "id": link.id,
            "community": link.community.name if link.community is not None else None,
            "expires": _when(link.expires_at),
        }
        for link in registration_links(session, scope)
    ]


def _page(
    error: str | None = None, status: int = 200, new_link: dict[str, str] | None = None
) -> tuple[str, int]:
    access = _access()
    with transaction(runtime_of(current_app).sessions) as session:
        link_communities = _link_communities(session, access)
        waiting = _waiting_links(session, access)
        issuer = None
        if access.platform_id is not None:
            platform = session.get(Platform, access.platform_id)
            issuer = platform.issuer if platform is not None else None
        rows = [
            {
                "issuer": r.platform.issuer,
                "client_id": r.client_id,
                "deployments": [d.deployment_id for d in r.deployments],
                "auth_login_url": r.auth_login_url,
                "auth_token_url": r.auth_token_url,
                "jwks_url": r.jwks_url,
            }
            for r in list_registrations(session, issuer)
            if issuer is not None or access.platform_id is None
        ]
    page = render_template(
        "admin/platforms.html",
        rows=rows,
        access=access,
        fixed_issuer=issuer,
        error=error,
        link_communities=link_communities,
        waiting_links=waiting,
        new_link=new_link,
        new=NEW,
    )
    return page, status


def _own_issuer(issuer: str) -> None:
    """A launched admin may only touch their own platform's registrations."""
    access = _access()
    if access.platform_id is None:
        return
    with transaction(runtime_of(current_app).sessions) as session:
        platform = session.get(Platform, access.platform_id)
        if platform is None or platform.issuer != issuer:
            abort(403)


@bp.get("/")
@requires_admin
def index() -> tuple[str, int]:
    return _page()


@bp.post("/add")
@requires_admin
def add() -> Response | tuple[str, int]:
    form = request.form
    issuer = form.get("issuer", "").strip()
    _own_issuer(issuer)
    fields = PlatformFields(
        issuer=issuer,
        client_id=form.get("client_id", ""),
        deployment_ids=tuple(form.get("deployment_ids", "").replace(",", " ").split()),
        auth_login_url=form.get("auth_login_url", ""),
        auth_token_url=form.get("auth_token_url", ""),
        jwks_url=form.get("jwks_url", ""),
        community=form.get("community", "").strip() or None,
        # A launched admin adds deployments to their own community, never another's.
        community_id=g.launch.community_id if _access().platform_id is not None else None,
    )
    keyset_problem = keyset_url_problem(current_app, fields.jwks_url.strip())
    if keyset_problem:
        return _page(keyset_problem, 400)
    runtime = runtime_of(current_app)
    try:
        with transaction(runtime.sessions) as session:
            register_platform(session, fields, runtime.instance.origin)
    except PlatformError as exc:
        return _page(_("The registration was not saved: %(reason)s", reason=str(exc)), 400)
    return redirect(_access().url("admin.index"), code=303)


@bp.post("/remove")
@requires_admin
def remove() -> Response | tuple[str, int]:
    issuer = request.form.get("issuer", "")
    _own_issuer(issuer)
    try:
        with transaction(runtime_of(current_app).sessions) as session:
            remove_registration(session, issuer, request.form.get("client_id", ""))
    except PlatformError as exc:
        return _page(_("The registration was not removed: %(reason)s", reason=str(exc)), 400)
    return redirect(_access().url("admin.index"), code=303)


# -- registration links: what is handed to a platform admin ---------------------------


@bp.post("/registration-links")
@requires_admin
def create_link() -> tuple[str, int]:
    """Make a registration link and show it, once (only its hash is kept)."""
    access = _access()
    chosen = request.form.get("community_id") or NEW
    community_id = None if chosen == NEW else chosen
    # A launched admin hands out links into their own community only, never a new one.
    if not access.instance_wide and community_id != access.community_id:
        abort(403)
    runtime = runtime_of(current_app)
    try:
        with transaction(runtime.sessions) as session:
            link = create_registration_link(session, community_id=community_id)
            community = session.get(Community, community_id) if community_id else None
            shown = {
                "url": registration_link_url(runtime.instance.origin, link.secret),
                "expires": _when(link.expires_at),
                "community": community.name if community is not None else "",
            }
    except AccessLinkError:
        return _page(_("This community does not exist any more."), 400)
    return _page(new_link=shown)


@bp.post("/registration-links/withdraw")
@requires_admin
def withdraw() -> Response:
    """Withdraw a registration link that was not used yet."""
    access = _access()
    link_id = request.form.get("link_id", "")
    with transaction(runtime_of(current_app).sessions) as session:
        link = session.get(AccessLink, link_id)
        if link is None or link.purpose != REGISTRATION:
            abort(404)
        if not access.instance_wide and link.community_id != access.community_id:
            abort(403)
        withdraw_link(session, link_id, REGISTRATION)
    return redirect(access.url("admin.index"), code=303)


# -- the instance admin's own session ------------------------------------------------


def _admin_link_refused() -> tuple[str, int]:
    message = _(
        "This admin link has expired, was already used, or was withdrawn. Whoever runs "
        "the Chemins server can make a new one with “chemins platform admin-link”."
    )
    return render_template("error.html", code=401, message=message), 401


@bp.get("/open")
def open_page() -> tuple[str, int]:
    """What an admin link opens: a button, so that link previews cannot spend it."""
    secret = request.args.get(ADMIN_PARAM, "")
    with transaction(runtime_of(current_app).sessions) as session:
        try:
            expires = _when(check_link(session, secret, ADMIN).expires_at)
        except LinkRefused:
            return _admin_link_refused()
    return render_template("admin/open.html", secret=secret, expires=expires), 200


@bp.post("/open")
def open_session() -> Response | tuple[str, int]:
    """Spend the admin link and open the admin session in this browser."""
    secret = request.form.get(ADMIN_PARAM, "")
    try:
        with transaction(runtime_of(current_app).sessions) as session:
            link = spend_link(session, secret, ADMIN)
    except LinkRefused:
        return _admin_link_refused()
    response = redirect(url_for("admin.index"), code=303)
    start_admin_session(response, link.id)
    return response


@bp.post("/sign-out")
@requires_admin
def sign_out() -> Response | tuple[str, int]:
    """End this admin session: its link row is withdrawn, so the cookie opens nothing."""
    access = _access()
    if access.link_id is None:  # a launch ends on its platform, not here
        abort(403)
    with transaction(runtime_of(current_app).sessions) as session:
        withdraw_link(session, access.link_id, ADMIN)
    response = current_app.make_response((render_template("admin/signed_out.html"), 200))
    forget_admin_session(response)
    return response
