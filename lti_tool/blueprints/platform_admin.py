"""The platform registration page: list, add and remove, as ``chemins platform`` does.

Reached with a CLI admin link (every platform) or from an administrator's launch (only
that platform's registrations: the sysadmin of one Moodle must not edit another's).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from badges.models import Platform
from badges.platforms import (
    PlatformError,
    PlatformFields,
    list_registrations,
    register_platform,
    remove_registration,
)
from badges.storage import transaction
from lti_tool.admin_access import AdminAccess, requires_admin
from lti_tool.app import runtime_of

bp = Blueprint("platform_admin", __name__, url_prefix="/admin/platforms")


def _access() -> AdminAccess:
    return g.admin_access  # type: ignore[no-any-return]


def _page(error: str | None = None, status: int = 200) -> tuple[str, int]:
    access = _access()
    with transaction(runtime_of(current_app).sessions) as session:
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
        "admin/platforms.html", rows=rows, access=access, fixed_issuer=issuer, error=error
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
    runtime = runtime_of(current_app)
    try:
        with transaction(runtime.sessions) as session:
            register_platform(session, fields, runtime.instance.origin)
    except PlatformError as exc:
        return _page(_("The registration was not saved: %(reason)s", reason=str(exc)), 400)
    return redirect(_access().url("platform_admin.index"), code=303)


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
    return redirect(_access().url("platform_admin.index"), code=303)
