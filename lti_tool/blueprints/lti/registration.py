"""``/lti/register``: LTI Dynamic Registration, the page a platform admin opens.

Moodle opens the tool's registration URL (in a frame) with ``openid_configuration`` and
a one-time ``registration_token``, appended to the URL's own query. The page reads the
platform's configuration, says which community the platform's deployment will belong
to (or asks, when the person may choose), registers the tool with the platform, stores
Platform, Registration and Deployment, says whether the platform created the tool
*pending* (Moodle does: an admin must activate it), then tells the platform's window
to close with ``org.imsglobal.lti.close``.

Who may register, and into which community, is :mod:`badges.platforms.registration_rights`. By
default a registration needs a **registration link** from the instance admin
(``/lti/register?rl=…``, made by ``chemins platform registration-link`` or the admin
page): single use, expiring, bound to the community it names or making a new one. An
admin launch (``lh``) may add a platform to its own community; the instance admin's
session may choose any. An instance may open registration to anyone
(``CHEMINS_OPEN_REGISTRATION=1``): each such registration makes a new community of its
own. Anyone else is refused before Chemins fetches anything.

When the platform is already connected, the page says to which community (as far as the
person may see it) and what Moodle's "Update" will do: keep that community, unless a
person with a right to it ticks "move". The tool's name on the platform carries the
community's ("Chemins — Centre social Les Tilleuls"). Opened in a browser without the
platform's parameters, the address answers a page saying what it is for.

The requests that wait on the platform take one of a few slots per process
(:mod:`lti_tool.fetch_slots`): when all are taken, the answer is 503 at once, so slow
platforms cannot hold every thread of a worker.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from badges.models import Community
from badges.models.access_link import REGISTRATION
from badges.models.platform import origin_of
from badges.outbound.allowlist import private_hosts
from badges.platforms.access_links import EXPIRED, REVOKED, USED, LinkRefused, check_link
from badges.platforms.registering import PlatformError, PlatformFields
from badges.platforms.registration_rights import (
    CLIENT_TAKEN,
    INSTANCE_ADMIN,
    NAME_MISSING,
    NAME_TAKEN,
    OPEN_REGISTRATION,
    Choice,
    RegistrationRefused,
    RegistrationRight,
    choose,
    community_admin_right,
    issuer_communities,
    joinable,
    link_right,
    store_registration,
)
from badges.storage.database import transaction
from lti_tool.admin_access import find_admin_access
from lti_tool.blueprints.lti import bp
from lti_tool.fetch_slots import FetchSlots, NoFreeSlot, fetch_slots
from lti_tool.form_csrf import require_token, token_for
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
from lti_tool.runtime_access import runtime_of
from lti_tool.tool_identity import tool_description

#: The LTI audience's logger (``lti_tool.blueprints.lti``): admins filter on it.
log = logging.getLogger(__package__)

#: The query parameter of a registration link (its secret).
LINK_PARAM = "rl"
NEW = "__new__"
#: Registrations waiting on a platform at once, per process (``REGISTRATION_FETCHES``).
FETCH_SLOTS = 4
#: What a busy answer asks the platform admin's browser to wait, in seconds.
RETRY_AFTER = 30

Page = tuple[str, int]


def registration_link_url(origin: str, secret: str) -> str:
    """The URL of a registration link, to paste as the platform's tool URL."""
    return f"{origin}/lti/register?{LINK_PARAM}={quote(secret, safe='')}"


def _source() -> MultiDict[str, str]:
    return request.form if request.method == "POST" else request.args


def _binding(configuration_url: str, token: str) -> str:
    """What the form is bound to (form_csrf): this registration attempt, no cookie."""
    return f"register:{configuration_url}\n{token}"


def _allow_framing(configuration_url: str) -> None:
    """Let the platform that opened the registration show it in its frame.

    The origin is rebuilt from the parsed URL (``origin_of``): the parameter is anyone's
    to choose, and its raw text in a header would add CSP directives.
    """
    origin = origin_of(configuration_url)
    if origin is not None:
        g.frame_ancestors = (origin,)


def _refused(message: str, status: int) -> Page:
    return render_template("lti/register_failed.html", message=message), status


def _open_registration() -> bool:
    """Whether anyone may register a platform into a new community of its own.

    ``OPEN_REGISTRATION`` in the app config, else ``CHEMINS_OPEN_REGISTRATION`` from the
    environment (``1``, ``true``, ``yes`` or ``on``). Off by default.
    """
    configured = current_app.config.get("OPEN_REGISTRATION")
    if configured is None:
        configured = os.environ.get("CHEMINS_OPEN_REGISTRATION", "").strip().lower() in (
            "1",
            "true",
            "yes",
            "on",
        )
    return bool(configured)


def _link_refusal(reason: str) -> str:
    if reason == USED:
        return _(
            "This Chemins registration link was already used: each link connects one "
            "platform. Ask the Chemins administrator for a new registration link."
        )
    if reason == EXPIRED:
        return _(
            "This Chemins registration link has expired. Ask the Chemins administrator for "
            "a new registration link."
        )
    if reason == REVOKED:
        return _(
            "This Chemins registration link was withdrawn. Ask the Chemins administrator "
            "for a new registration link."
        )
    return _(
        "This Chemins registration link is not valid. Check that the whole address was "
        "copied, or ask the Chemins administrator for a new registration link."
    )


@dataclass(frozen=True)
class _Credential:
    """The right this request holds, and the field its form carries it back in."""

    right: RegistrationRight
    field: tuple[str, str] | None = None


def _credential() -> _Credential | Page:
    """Who is registering: a registration link, an admin, or anyone (open registration)."""
    secret = (_source().get(LINK_PARAM) or "").strip()
    if secret:
        with transaction(runtime_of(current_app).sessions) as session:
            try:
                link = check_link(session, secret, REGISTRATION)
            except LinkRefused as refused:
                log.warning("dynamic registration refused: registration link %s", refused.reason)
                return _refused(_link_refusal(refused.reason), 403)
            return _Credential(link_right(link, secret), (LINK_PARAM, secret))
    access = find_admin_access()
    if access is not None and access.instance_wide:
        return _Credential(INSTANCE_ADMIN)
    if access is not None and access.community_id is not None and access.param is not None:
        right = community_admin_right(access.community_id, open_registration=_open_registration())
        return _Credential(right, (access.param, access.credential))
    if _open_registration():
        return _Credential(OPEN_REGISTRATION)
    log.warning("dynamic registration refused: no registration link")
    return _refused(
        _(
            "Chemins connects a platform only with a registration link. Ask the Chemins "
            "administrator for a registration link, then paste it as the tool URL in your "
            "platform."
        ),
        403,
    )


@dataclass(frozen=True)
class _Attempt:
    """One registration attempt: where the platform's configuration is, and who asks."""

    configuration_url: str
    token: str
    credential: _Credential


def _info(*, with_link: bool = False) -> Page:
    """What ``/lti/register`` is for, to someone who opened it in a browser by mistake.

    400, since the request is not what the address expects, but with a page that says
    where the address goes (in Moodle) and how to get a registration link.
    """
    page = render_template("lti/register_info.html", with_link=with_link)
    return page, 400


def _begin() -> _Attempt | Page:
    """This attempt's configuration URL, token and credential, or the page refusing it."""
    bare = not request.args.get("openid_configuration", "").strip()
    if request.method == "GET" and bare and not (request.args.get(LINK_PARAM) or "").strip():
        # Pasted into a browser: say what the address is for (a link is still checked
        # first below, so that an expired one says so).
        return _info()
    credential = _credential()
    configuration_url = (_source().get("openid_configuration") or "").strip()
    token = (_source().get("registration_token") or "").strip()
    # After the credential: an admin launch sets the framing of its own platform.
    _allow_framing(configuration_url)
    if not isinstance(credential, _Credential):
        return credential
    if not configuration_url:
        return _info(with_link=credential.field is not None and credential.field[0] == LINK_PARAM)
    return _Attempt(configuration_url, token, credential)


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


def _failed(error: RegistrationFailed) -> Page:
    log.warning(
        "dynamic registration failed: %s (status %s, code %s)", error, error.status, error.code
    )
    return _refused(_failure_message(error), 400 if error.status in (None, 400, 401, 403) else 502)


def fetch_slots_for(threads: int) -> int:
    """Registration slots for a worker of ``threads`` threads: half of them at most.

    ``chemins serve`` sets ``REGISTRATION_FETCHES`` with it, so that the other half of
    every worker's threads always stays free for everyone else.
    """
    return max(1, min(FETCH_SLOTS, threads // 2))


def _slots() -> FetchSlots:
    size = int(current_app.config.get("REGISTRATION_FETCHES", FETCH_SLOTS))
    return fetch_slots(current_app, "registration", size)


def _busy() -> ResponseReturnValue:
    log.warning("dynamic registration refused: every registration slot is taken")
    page, status = _refused(
        _(
            "Chemins is busy with other registrations. Wait a minute, then start the "
            "registration again from your platform."
        ),
        503,
    )
    return page, status, {"Retry-After": str(RETRY_AFTER)}


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

    The instance's allowlist (an intranet Moodle, the demo platform on localhost), read
    by the one function every outbound call uses.
    """
    return tuple(private_hosts(current_app.config))


def _configuration(configuration_url: str, token: str) -> PlatformConfiguration:
    return fetch_platform_configuration(
        configuration_url,
        token or None,
        trusted_issuers=_trusted_issuers(),
        private_hosts=_private_platforms(),
    )


def _refusal_message(code: str) -> str:
    if code == NAME_MISSING:
        return _("Give the name of the organisation this platform belongs to.")
    if code == NAME_TAKEN:
        return _(
            "A community with this name already exists. To add this platform to it, ask "
            "the Chemins administrator for a registration link."
        )
    if code == CLIENT_TAKEN:
        return _(
            "This platform's connection to Chemins already belongs to another community. "
            "Ask the Chemins administrator for help."
        )
    return _(
        "You may not add this platform to that community. To add it to an existing "
        "community, ask the Chemins administrator for a registration link."
    )


def _status(code: str) -> int:
    return 400 if code in (NAME_MISSING, NAME_TAKEN) else 403


@dataclass(frozen=True)
class _Known:
    """What Chemins already holds for this platform, as this person may see it."""

    #: (id, name) of the communities the platform is connected to that they may join.
    visible: list[tuple[str, str]]
    #: Whether it is also connected to communities they may not see.
    hidden: bool


def _known(session: Session, issuer: str, right: RegistrationRight) -> _Known:
    found = issuer_communities(session, issuer)
    visible = [(cid, name) for cid, name in found if right.may_join(cid)]
    return _Known(visible, len(visible) != len(found))


def _form(
    configuration: PlatformConfiguration,
    attempt: _Attempt,
    error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The form; it carries the platform's token (and a link or handle): never stored.

    When the platform is already connected, the page says to which community and what
    an "Update" on the platform's side will do: keep it there, unless this person may
    move it and asks to.
    """
    right = attempt.credential.right
    with transaction(runtime_of(current_app).sessions) as session:
        communities = joinable(session, right)
        fixed = right.fixed_community
        fixed_community = session.get(Community, fixed) if fixed else None
        fixed_name = fixed_community.name if fixed_community is not None else None
        known = _known(session, configuration.issuer, right)
    known_ids = {cid for cid, _name in known.visible}
    # Moving needs a right to the current community and somewhere else to go.
    may_move = (
        bool(known.visible)
        and not known.hidden
        and not fixed_name
        and (right.may_create or any(cid not in known_ids for cid, _name in communities))
    )
    page = render_template(
        "lti/register.html",
        configuration=configuration,
        configuration_url=attempt.configuration_url,
        registration_token=attempt.token,
        csrf_token=token_for(_binding(attempt.configuration_url, attempt.token)),
        carried=attempt.credential.field,
        communities=[] if fixed_name else communities,
        fixed_name=fixed_name,
        may_create=right.may_create,
        new=NEW,
        error=error,
        known=known,
        selected=known.visible[0][0] if len(known.visible) == 1 else None,
        may_move=may_move,
    )
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/register")
def start_registration() -> ResponseReturnValue:
    """Read the platform's configuration and say (or ask) where the platform will belong."""
    attempt = _begin()
    if not isinstance(attempt, _Attempt):
        return attempt
    try:
        with _slots().taken():
            configuration = _configuration(attempt.configuration_url, attempt.token)
    except NoFreeSlot:
        return _busy()
    except RegistrationFailed as error:
        return _failed(error)
    return _form(configuration, attempt)


def _choice(right: RegistrationRight) -> Choice:
    """The form's answer, checked against ``right`` (raises RegistrationRefused)."""
    chosen = request.form.get("community_id") or NEW
    name = request.form.get("community_name")
    with transaction(runtime_of(current_app).sessions) as session:
        choice = choose(session, right, None if chosen == NEW else chosen, name)
    return dataclasses.replace(choice, move=request.form.get("move") == "1")


def _community_name(issuer: str, right: RegistrationRight, choice: Choice) -> str | None:
    """The community the platform will show in the tool's name (see ``client_name``).

    The platform has not said yet whether it updates a tool Chemins knows: when this
    person is not moving anything and the platform is connected to one community,
    an update keeps it there, so that community names the tool.
    """
    with transaction(runtime_of(current_app).sessions) as session:
        known = _known(session, issuer, right)
        if not choice.move and len(known.visible) == 1 and not known.hidden:
            return known.visible[0][1]
        if choice.community_id:
            community = session.get(Community, choice.community_id)
            return community.name if community is not None else None
    return choice.new_name


def _store(
    configuration: PlatformConfiguration,
    result: RegistrationResult,
    right: RegistrationRight,
    choice: Choice,
) -> None:
    if result.deployment_id is None:
        raise PlatformError("the platform created no deployment")
    runtime = runtime_of(current_app)
    with transaction(runtime.sessions) as session:
        store_registration(
            session,
            right,
            choice,
            PlatformFields(
                issuer=configuration.issuer,
                client_id=result.client_id,
                deployment_ids=(result.deployment_id,),
                auth_login_url=configuration.authorization_endpoint,
                auth_token_url=configuration.token_endpoint,
                jwks_url=configuration.jwks_uri,
            ),
            runtime.instance.origin,
        )


def _not_kept(reason: str) -> Page:
    """The platform registered Chemins, but Chemins refused to keep the registration."""
    return _refused(
        _(
            "%(reason)s Chemins did not keep this registration: remove the new tool from "
            "your platform before you try again.",
            reason=reason,
        ),
        409,
    )


def _update_not_kept() -> Page:
    """The platform updated a tool of another community's: nothing changed in Chemins.

    Unlike a new tool, the platform's tool must not be removed: it still launches into
    its own community, with the keys and addresses Chemins already had.
    """
    return _refused(
        _(
            "Your platform updated a Chemins tool that belongs to another community. "
            "Chemins changed nothing: that tool keeps working as before. To connect this "
            "platform to your community, start again and choose “Register as a new "
            "external tool”, or ask the Chemins administrator to move it."
        ),
        409,
    )


@bp.post("/register")
def finish_registration() -> ResponseReturnValue:
    """Register with the platform, store the registration, close the platform's window."""
    attempt = _begin()
    if not isinstance(attempt, _Attempt):
        return attempt
    token, right = attempt.token, attempt.credential.right
    require_token(_binding(attempt.configuration_url, token))
    origin = runtime_of(current_app).instance.origin
    description = _("Open recognition: ask for badges, endorse each other, keep Open Badges.")
    try:
        with _slots().taken():
            configuration = _configuration(attempt.configuration_url, token)
            try:
                choice = _choice(right)
            except RegistrationRefused as refused:
                log.warning("registration by %s refused: %s", configuration.issuer, refused.code)
                message = _refusal_message(refused.code)
                return _form(configuration, attempt, message, _status(refused.code))
            community_name = _community_name(configuration.issuer, right, choice)
            result = register(
                configuration,
                tool_description(origin, description, community_name),
                token or None,
                private_hosts=_private_platforms(),
            )
    except NoFreeSlot:
        return _busy()
    except RegistrationFailed as error:
        return _failed(error)
    try:
        _store(configuration, result, right, choice)
    except LinkRefused as refused:
        log.warning(
            "registration by %s: link refused at storage: %s", configuration.issuer, refused
        )
        return _not_kept(_link_refusal(refused.reason))
    except RegistrationRefused as refused:
        log.warning("registration by %s refused at storage: %s", configuration.issuer, refused)
        if refused.code == CLIENT_TAKEN:
            return _update_not_kept()
        return _not_kept(_refusal_message(refused.code))
    except PlatformError as error:
        log.warning("registration by %s could not be stored: %s", configuration.issuer, error)
        return _refused(
            _(
                "Your platform registered Chemins but gave no deployment. Add the deployment "
                "on the platform administration page of Chemins."
            ),
            502,
        )
    log.info(
        "dynamic registration: %s client %s deployment %s (pending: %s, link: %s)",
        configuration.issuer,
        result.client_id,
        result.deployment_id,
        result.pending_activation,
        right.link_secret is not None,
    )
    return render_template("lti/registered.html", result=result, configuration=configuration), 200
