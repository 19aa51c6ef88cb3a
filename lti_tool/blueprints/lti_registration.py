"""``/lti/register``: LTI Dynamic Registration, the page a platform admin opens.

Moodle opens the tool's registration URL (in a frame) with ``openid_configuration`` and
a one-time ``registration_token``. The page reads the platform's configuration, asks
which Community the platform's deployment belongs to, registers the tool with the
platform, stores Platform, Registration and Deployment, says whether the platform
created the tool *pending* (Moodle does: an admin must activate it), then tells the
platform's window to close with ``org.imsglobal.lti.close``.

Linking a new platform to an *existing* community would let any LMS admin read that
community's data, so it takes a Chemins admin credential: the server admin hands out
the registration URL with an admin token (``/lti/register?at=…``; Moodle appends its own
parameters to it). Without one, the registration creates a new community, and a name
that is already taken is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from badges.models import Community
from badges.platforms import PlatformError, PlatformFields, community_slug, register_platform
from badges.storage import transaction
from lti_tool.admin_access import AdminAccess, find_admin_access
from lti_tool.app import runtime_of
from lti_tool.lti1p3.dynamic_registration import (
    PlatformConfiguration,
    RegistrationResult,
    fetch_platform_configuration,
    register,
)
from lti_tool.lti1p3.service_errors import (
    PrivateAddress,
    RegistrationFailed,
    RegistrationTokenRefused,
    UntrustedIssuer,
)
from lti_tool.tool_identity import tool_description

log = logging.getLogger(__name__)

bp = Blueprint("lti_registration", __name__, url_prefix="/lti")

CSRF_FIELD = "csrf_token"
NEW = "__new__"


def _csrf(configuration_url: str, token: str) -> str:
    """A form token bound to this registration attempt (no session cookie in a frame)."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = f"chemins-dr:{configuration_url}\n{token}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _params() -> tuple[str, str]:
    source = request.form if request.method == "POST" else request.args
    configuration_url = (source.get("openid_configuration") or "").strip()
    token = (source.get("registration_token") or "").strip()
    if not configuration_url:
        abort(400)
    return configuration_url, token


def _allow_framing(configuration_url: str) -> None:
    """Let the platform that opened the registration show it in its frame."""
    parts = urlsplit(configuration_url)
    if parts.scheme in ("https", "http") and parts.netloc:
        g.frame_ancestors = (f"{parts.scheme}://{parts.netloc}",)


def _failure_message(error: RegistrationFailed) -> str:
    if isinstance(error, RegistrationTokenRefused):
        if error.code == "token_already_used":
            return _(
                "This registration link was already used. Start the registration again "
                "from your platform."
            )
        return _(
            "Your platform refused the registration token. Start the registration again "
            "from your platform."
        )
    if isinstance(error, PrivateAddress):
        return _(
            "Chemins does not connect to addresses of a private network. If your platform "
            "is on your organisation's network, ask the Chemins administrator to allow it."
        )
    if isinstance(error, UntrustedIssuer):
        return _(
            "The platform's configuration names another address than its own. Ask the "
            "Chemins administrator to trust this platform, or register it by hand."
        )
    return _(
        "Chemins could not complete the registration with your platform. Try again, or "
        "register the platform by hand."
    )


def _failed(error: RegistrationFailed) -> tuple[str, int]:
    log.warning(
        "dynamic registration failed: %s (status %s, code %s)", error, error.status, error.code
    )
    page = render_template("lti/register_failed.html", message=_failure_message(error))
    return page, 400 if error.status in (None, 400, 401, 403) else 502


def _trusted_issuers() -> tuple[str, ...]:
    """Issuers accepted on another origin than their configuration (DR §3.5.1 exceptions).

    ``LTI_TRUSTED_ISSUERS`` in the app config, else ``CHEMINS_LTI_TRUSTED_ISSUERS`` from
    the environment (space-separated), like every other setting of an instance.
    """
    configured = current_app.config.get("LTI_TRUSTED_ISSUERS")
    if configured is None:
        configured = os.environ.get("CHEMINS_LTI_TRUSTED_ISSUERS", "").split()
    return tuple(configured)


def _private_platforms() -> tuple[str, ...]:
    """Hosts a registration may reach although they are on a private network.

    ``LTI_PRIVATE_PLATFORMS`` in the app config, else ``CHEMINS_LTI_PRIVATE_PLATFORMS``
    from the environment (space-separated host names, ``*`` for any): an intranet
    Moodle, or the demo platform on localhost. Empty by default.
    """
    configured = current_app.config.get("LTI_PRIVATE_PLATFORMS")
    if configured is None:
        configured = os.environ.get("CHEMINS_LTI_PRIVATE_PLATFORMS", "").split()
    return tuple(configured)


def _configuration(configuration_url: str, token: str) -> PlatformConfiguration:
    return fetch_platform_configuration(
        configuration_url,
        token or None,
        trusted_issuers=_trusted_issuers(),
        private_hosts=_private_platforms(),
    )


def _communities(access: AdminAccess | None) -> list[tuple[str, str]]:
    if access is None or access.platform_id is not None:
        return []
    with transaction(runtime_of(current_app).sessions) as session:
        rows = session.scalars(select(Community).order_by(Community.name))
        return [(c.id, c.name) for c in rows]


def _form(
    configuration: PlatformConfiguration,
    configuration_url: str,
    token: str,
    access: AdminAccess | None,
    error: str | None = None,
    status: int = 200,
) -> tuple[str, int]:
    page = render_template(
        "lti/register.html",
        configuration=configuration,
        configuration_url=configuration_url,
        registration_token=token,
        csrf_token=_csrf(configuration_url, token),
        communities=_communities(access),
        access=access,
        new=NEW,
        error=error,
    )
    return page, status


@bp.get("/register")
def start() -> tuple[str, int]:
    """Read the platform's configuration and ask which community it belongs to."""
    configuration_url, token = _params()
    _allow_framing(configuration_url)
    try:
        configuration = _configuration(configuration_url, token)
    except RegistrationFailed as error:
        return _failed(error)
    return _form(configuration, configuration_url, token, find_admin_access())


def _community_choice(access: AdminAccess | None) -> tuple[str | None, str | None, str | None]:
    """(community_id, new name, error) from the form."""
    chosen = request.form.get("community_id") or NEW
    if chosen != NEW:
        if access is None or access.platform_id is not None:
            abort(403)
        return chosen, None, None
    name = (request.form.get("community_name") or "").strip()
    if not name or len(name) > 200:
        return None, None, _("Give the name of the organisation this platform belongs to.")
    with transaction(runtime_of(current_app).sessions) as session:
        taken = session.scalars(
            select(Community.id).where(
                (Community.name == name) | (Community.slug == community_slug(name))
            )
        ).first()
    if taken is not None and access is None:
        return (
            None,
            None,
            _(
                "A community with this name already exists. To add this platform to it, ask "
                "the Chemins administrator for a registration link."
            ),
        )
    return (taken, None, None) if taken is not None else (None, name, None)


def _store(
    configuration: PlatformConfiguration,
    result: RegistrationResult,
    community_id: str | None,
    community_name: str | None,
) -> None:
    if result.deployment_id is None:
        raise PlatformError("the platform created no deployment")
    runtime = runtime_of(current_app)
    with transaction(runtime.sessions) as session:
        register_platform(
            session,
            PlatformFields(
                issuer=configuration.issuer,
                client_id=result.client_id,
                deployment_ids=(result.deployment_id,),
                auth_login_url=configuration.authorization_endpoint,
                auth_token_url=configuration.token_endpoint,
                jwks_url=configuration.jwks_uri,
                community=community_name,
                community_id=community_id,
            ),
            runtime.instance.origin,
        )


@bp.post("/register")
def finish() -> tuple[str, int]:
    """Register with the platform, store the registration, close the platform's window."""
    configuration_url, token = _params()
    _allow_framing(configuration_url)
    if not hmac.compare_digest(request.form.get(CSRF_FIELD, ""), _csrf(configuration_url, token)):
        abort(400)
    access = find_admin_access()
    try:
        configuration = _configuration(configuration_url, token)
    except RegistrationFailed as error:
        return _failed(error)
    community_id, community_name, problem = _community_choice(access)
    if problem:
        return _form(configuration, configuration_url, token, access, problem, 400)
    origin = runtime_of(current_app).instance.origin
    description = _("Open recognition: ask for badges, endorse each other, keep Open Badges.")
    try:
        result = register(
            configuration,
            tool_description(origin, description),
            token or None,
            private_hosts=_private_platforms(),
        )
    except RegistrationFailed as error:
        return _failed(error)
    try:
        _store(configuration, result, community_id, community_name)
    except PlatformError as error:
        log.warning("registration by %s could not be stored: %s", configuration.issuer, error)
        page = render_template(
            "lti/register_failed.html",
            message=_(
                "Your platform registered Chemins but gave no deployment. Add the deployment "
                "on the platform administration page of Chemins."
            ),
        )
        return page, 502
    log.info(
        "dynamic registration: %s client %s deployment %s (pending: %s)",
        configuration.issuer,
        result.client_id,
        result.deployment_id,
        result.pending_activation,
    )
    return render_template("lti/registered.html", result=result, configuration=configuration), 200
