"""LTI 1.3 endpoints: login initiation, launch, the values to paste, the launched page.

HTTP only: the checks live in :mod:`lti_tool.lti1p3` (no Flask there), the writes in
:mod:`badges.launches`. A refused login or launch answers a clear page in the person's
language with a 4xx status, logs the reason code, opens no session and writes no row;
an accepted launch records everything in one transaction and redirects (303) to the
page the link points to, carrying the cookie-less launch handle.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from badges.launches import (
    ContextFacts,
    LaunchFacts,
    RecordedLaunch,
    ResourceLinkFacts,
    StateAlreadyUsed,
    burn_state,
    choose_language,
    forget_old_launches,
    record_launch,
)
from badges.models import Community, Deployment, Platform, ResourceLink
from badges.models.columns import utcnow
from badges.storage import transaction
from lti_tool import new_window, platform_storage
from lti_tool.app import runtime_of
from lti_tool.i18n import LANGUAGES
from lti_tool.launch_handle import (
    current_launch,
    init_launch_handle,
    issue_handle,
    requires_launch,
    set_launch_cookie,
)
from lti_tool.launch_store import DeploymentRef, SqlToolStore
from lti_tool.lti1p3.deep_link import SETTINGS_CLAIM
from lti_tool.lti1p3.exceptions import LaunchRefused, LoginRefused, LtiRefusal
from lti_tool.lti1p3.message_launch import CUSTOM, Launch, MessageLaunch
from lti_tool.lti1p3.oidc_login import initiate_login
from lti_tool.lti1p3.platform_keys import PlatformKeys
from lti_tool.lti1p3.registration import ToolUrls
from lti_tool.lti1p3.roles import chemins_role, teaching_assistant_learner
from lti_tool.outbound_client import outbound_client

log = logging.getLogger(__name__)

bp = Blueprint("lti", __name__, url_prefix="/lti")
bp.record_once(lambda state: init_launch_handle(state.app))

STATE_COOKIE = "chemins_lti_state_"
#: The largest login or launch body read (an id_token is a few kilobytes, and the
#: validator reads none over 64 KB): the app's limit is sized for photo uploads.
MAX_LTI_BODY = 256 * 1024
#: Seconds between two purges of old login states and launch sessions by one process.
#: Purging on every login added a write to each one for rows that age out by the hour.
STATE_PURGE_INTERVAL = 60.0
_next_purge = 0.0
KEYS_EXTENSION = "chemins.platform_keys"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
#: The claims a launch session keeps for the pages of the launch: its custom parameters
#: (which badge an "ask for this badge" page is for) and a Deep Linking request's
#: settings. Everything else the launch says is in columns (person, course, link,
#: role) or not kept: names and e-mails are not copied into every session row.
SESSION_CLAIMS = (CUSTOM, SETTINGS_CLAIM)
#: Named destinations (custom parameter ``target`` or message type) → endpoint. Later
#: blueprints add theirs with :func:`register_destination`.
DESTINATIONS: dict[str, str] = {}


def register_destination(name: str, endpoint: str) -> None:
    """Send launches whose ``custom.target`` (or message type) is ``name`` to ``endpoint``."""
    DESTINATIONS[name] = endpoint


def tool_urls() -> ToolUrls:
    return ToolUrls(runtime_of(current_app).instance.origin)


def platform_keys() -> PlatformKeys:
    """The process-wide JWKS cache (one per app, shared by its threads).

    It fetches through the app's guarded client: a JWKS URL is not trusted to lead
    into the tool's network because an admin typed it.
    """
    keys = current_app.extensions.get(KEYS_EXTENSION)
    if keys is None:
        fresh = PlatformKeys(http=outbound_client(current_app))
        keys = current_app.extensions.setdefault(KEYS_EXTENSION, fresh)
    return keys


def _refused(refusal: LtiRefusal) -> tuple[str, int]:
    """The page shown for a refusal: plain words for people, the code for admins."""
    log.warning("LTI %s refused %s: %s", type(refusal).__name__, refusal.code, refusal.message)
    if isinstance(refusal, LoginRefused):
        message = _(
            "Chemins is not set up for this learning platform, or the link is incomplete. "
            "Ask your platform administrator to check the registration."
        )
    elif refusal.code == "B18" and request.form.get("error"):
        message = _(
            "Your learning platform did not sign you in. Go back to your course and open "
            "the activity again."
        )
    elif refusal.code in ("B16", "B17"):
        message = _(
            "This launch was already used, has expired, or was started in another browser. "
            "Go back to your course and open the activity again."
        )
    elif refusal.http_status == 401:
        message = _(
            "Chemins could not confirm that this launch comes from your learning platform. "
            "Go back to your course and try again; if it keeps happening, tell your "
            "platform administrator."
        )
    else:
        message = _(
            "Your learning platform sent an incomplete launch. Tell your platform "
            "administrator, with the reason code below."
        )
    status = refusal.http_status if 400 <= refusal.http_status < 500 else 400
    # The refusal is shown inside the platform's iframe: let registered platforms frame
    # it (it holds no data and no action), or the person would see a blank frame.
    g.frame_ancestors = registered_origins()
    page = render_template(
        "lti/refused.html",
        message=message,
        code=refusal.code,
        platform_error=request.form.get("error") if refusal.code == "B18" else None,
    )
    return page, status


def registered_origins() -> tuple[str, ...]:
    """Origins of every registered platform (issuer and endpoints), for framing."""
    with transaction(runtime_of(current_app).sessions) as session:
        platforms = session.scalars(
            select(Platform).options(selectinload(Platform.registrations))
        ).all()
        origins: list[str] = []
        for platform in platforms:
            origins += [o for o in platform.origins() if o not in origins]
    return tuple(origins)


def _state_cookie_kwargs() -> dict[str, Any]:
    """Over HTTPS: cross-site capable and partitioned (CHIPS).

    Browsers that block third-party cookies drop a plain ``SameSite=None`` cookie set in
    the platform's iframe, but keep a partitioned one for that top-level site: the
    launch, posted in the same iframe, carries it back (docs/decisions/0017).
    """
    secure = request.is_secure
    return {
        "secure": secure,
        "httponly": True,
        "samesite": "None" if secure else "Lax",
        "partitioned": secure,
        "path": url_for("lti.launch"),
    }


def _purge_old_launches(connection: Connection) -> None:
    """Forget old login states and expired launch sessions, once a minute at most."""
    global _next_purge
    now = time.monotonic()
    if now >= _next_purge:
        _next_purge = now + STATE_PURGE_INTERVAL
        forget_old_launches(connection, utcnow())


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int]:
    """Third-party initiated login (GET from Open edX, POST from Moodle)."""
    request.max_content_length = MAX_LTI_BODY
    params = request.form if request.method == "POST" else request.args
    return _start_login(params.to_dict())


@bp.get("/login/again")
def login_again() -> Response | tuple[str, int]:
    """The same login again, in a new window: the button of the new-window page.

    The parameters come signed from that page (lti_tool/new_window.py) and pass every
    check of a fresh login; an altered or expired link is refused like a bad login.
    """
    params = new_window.restart_params(request.args.get(new_window.RESTART_PARAM))
    if params is None:
        return _refused(LoginRefused("B28", "new-window link altered or expired", 400))
    return _start_login(params)


def _start_login(params: dict[str, str]) -> Response | tuple[str, int]:
    """Check a login initiation, remember its state, send the browser to the platform."""
    runtime = runtime_of(current_app)
    try:
        # Core statements in a Core transaction: an ORM session and its commit would
        # cost more than the two statements of a login (see lti_tool/launch_store.py).
        with runtime.engine.begin() as connection:
            store = SqlToolStore(connection)
            accepted = initiate_login(params, store, tool_urls())
            _purge_old_launches(connection)
            store.save_login(accepted)
    except LoginRefused as refusal:
        return _refused(refusal)
    target = platform_storage.storage_target(params)
    if target is not None:  # platform storage (reference §9): the cookie may be blocked
        response = platform_storage.login_page(accepted, target)
    else:
        response = redirect(accepted.redirect_url, code=302)
    response.set_cookie(
        STATE_COOKIE + accepted.state,
        accepted.state,
        max_age=current_app.config.get("LTI_STATE_TTL", 600),
        **_state_cookie_kwargs(),
    )
    return response


def _text(value: Any, limit: int) -> str | None:
    """A claim value fit for a column: a non-empty string cut to ``limit``, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value[:limit]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _assistants_award(connection: Connection, deployment_pk: str) -> bool:
    """Whether the deployment's community lets teaching assistants who learn award.

    Read only for such a person (rare), so an ordinary launch costs no extra statement.
    """
    found = connection.execute(
        select(Community.teaching_assistants_award)
        .join(Deployment, Deployment.community_id == Community.id)
        .where(Deployment.id == deployment_pk)
    ).scalar()
    return bool(found)


def _facts(
    launch: Launch,
    state: str,
    platform_id: str,
    deployment_pk: str,
    assistants_award: bool = False,
) -> LaunchFacts:
    claims = launch.claims
    roles = tuple(launch.claim("roles"))
    context = _dict(launch.claim("context"))
    link = _dict(launch.claim("resource_link"))
    custom = _dict(launch.claim("custom"))
    presentation = _dict(launch.claim("launch_presentation"))
    ags = _dict(claims.get(AGS))
    nrps = _dict(claims.get(NRPS))
    scopes = ags.get("scope") if isinstance(ags.get("scope"), list) else []
    return LaunchFacts(
        state=state,
        platform_id=platform_id,
        deployment_pk=deployment_pk,
        sub=claims["sub"],
        message_type=launch.message_type,
        role=chemins_role(roles, assistants_award=assistants_award),
        lti_roles=roles,
        name=_text(claims.get("name"), 200),
        given_name=_text(claims.get("given_name"), 200),
        family_name=_text(claims.get("family_name"), 200),
        email=_text(claims.get("email"), 254),
        locale=_text(presentation.get("locale") or claims.get("locale"), 20),
        return_url=_text(presentation.get("return_url"), 2000),
        context=ContextFacts(
            context_id=context["id"],
            title=_text(context.get("title"), 500),
            label=_text(context.get("label"), 200),
            memberships_url=_text(nrps.get("context_memberships_url"), 1000),
        )
        if context
        else None,
        resource_link=ResourceLinkFacts(
            resource_link_id=str(link["id"]),
            title=_text(link.get("title"), 500),
            custom_target=_text(custom.get("target"), 200),
            custom_badge=_text(custom.get("badge"), 200),
            custom_grade=_text(custom.get("grade"), 20),
            lineitem_url=_text(ags.get("lineitem"), 1000),
            lineitems_url=_text(ags.get("lineitems"), 1000),
            ags_scopes=tuple(s for s in scopes if isinstance(s, str)),
        )
        if isinstance(link.get("id"), str) and link["id"]
        else None,
        claims={name: claims[name] for name in SESSION_CLAIMS if name in claims},
    )


def _destination(launch: Launch, handle: str, resource_link_pk: str | None) -> str:
    """Where an accepted launch goes: named target, the signed target URL, or the link page.

    Only the signed ``target_link_uri`` is used (never the login's unsigned parameter),
    and validation already made sure it is one of the tool's own URLs.
    """
    custom = _dict(launch.claim("custom"))
    for name in (custom.get("target"), launch.message_type):
        endpoint = DESTINATIONS.get(name) if isinstance(name, str) else None
        if endpoint and endpoint in current_app.view_functions:
            return url_for(endpoint, lh=handle)
    target = str(launch.claim("target_link_uri"))
    path = urlsplit(target).path.rstrip("/")
    generic = {url_for("lti.launch").rstrip("/"), url_for("lti.login").rstrip("/"), ""}
    if path not in generic:
        separator = "&" if urlsplit(target).query else "?"
        return f"{target}{separator}{urlencode({'lh': handle})}"
    if resource_link_pk is not None:
        return url_for("lti.link", link_pk=resource_link_pk, lh=handle)
    return url_for("lti.launched", lh=handle)


@bp.post("/launch")
def launch() -> Response | tuple[str, int]:
    """The platform POSTs ``id_token`` and ``state`` here (or an OIDC ``error``)."""
    request.max_content_length = MAX_LTI_BODY
    form = request.form.to_dict()
    state = (form.get("state") or "").strip()
    browser_state = request.cookies.get(STATE_COOKIE + state) if state else None
    waiting = platform_storage.launch_page(form, browser_state)
    if waiting is not None:  # read the state back from platform storage first
        return waiting
    browser_state = browser_state or platform_storage.browser_state(form)
    runtime = runtime_of(current_app)
    try:
        # One pooled connection: the checks only read, then one write transaction
        # records the launch and spends the state atomically.
        with runtime.engine.connect() as connection:
            store = SqlToolStore(connection)
            if state:
                store.read_launch(state)  # the state and its registrations: one read
            validator = MessageLaunch(
                store,
                tool_urls(),
                platform_keys(),
                leeway=current_app.config.get("LTI_LEEWAY", 60),
                max_age=current_app.config.get("LTI_ID_TOKEN_MAX_AGE", 300),
                state_ttl=current_app.config.get("LTI_STATE_TTL", 600),
            )
            accepted = validator.validate(form, browser_state)
            row, deployment = _record(connection, store, accepted, state)
        handle = issue_handle(row)
        resource_link_pk = row.resource_link_id
    except LaunchRefused as refusal:
        offer = None
        dropped = new_window.cookie_dropped(STATE_COOKIE)
        if refusal.code == "B17" and dropped and not form.get(platform_storage.VALUE_FIELD):
            # The browser kept no cookie in the frame (and proved nothing else): offer a
            # new window, or say that HTTPS is needed, rather than a dead end. Read
            # before the state is spent. A cookie or stored value of another login is
            # another browser's: a plain B17.
            offer = new_window.offer_page(state, current_app.config.get("LTI_STATE_TTL", 600))
        if state:
            with transaction(runtime.sessions) as session:
                burn_state(session, state)
        if offer is not None:
            log.warning("LTI LaunchRefused refused B17: no state cookie; new window offered")
            g.frame_ancestors = registered_origins()
            return offer
        return _refused(refusal)
    log.info("LTI launch accepted: %s, deployment %s", accepted.message_type, deployment.id)
    response = redirect(_destination(accepted, handle, resource_link_pk), code=303)
    set_launch_cookie(response, handle)
    response.delete_cookie(STATE_COOKIE + state, **_state_cookie_kwargs())
    return response


#: Passes of the launch transaction when simultaneous launches race on new rows.
RECORD_ATTEMPTS = 3


def _record(
    connection: Connection, store: SqlToolStore, accepted: Launch, state: str
) -> tuple[RecordedLaunch, DeploymentRef]:
    """Write an accepted launch in one transaction; retry when a race lost.

    Two launches of a person new to the tool (a double click) both find no person and
    both insert one; the database refuses the second. That transaction rolled back whole
    (its state is not spent), so a new pass finds the rows the winner wrote and updates
    them instead of answering 500. The deployment comes from the validator's reading
    of the registrations; a foreign key refuses it if it was removed since, and the next
    pass reads it again: gone, the launch is refused (B19).
    """
    assert accepted.registration is not None
    registration_id = accepted.registration.id
    deployment = store.deployment(registration_id, accepted.deployment_id)
    attempt = 1
    while True:
        if deployment is None:
            raise LaunchRefused("B19", "deployment vanished during the launch", 401)
        try:
            with connection.begin():
                assistants = teaching_assistant_learner(
                    accepted.claim("roles")
                ) and _assistants_award(connection, deployment.id)
                facts = _facts(accepted, state, deployment.platform_id, deployment.id, assistants)
                try:
                    return record_launch(connection, facts), deployment
                except StateAlreadyUsed as exc:
                    raise LaunchRefused("B16", "state spent by a concurrent launch", 401) from exc
        except IntegrityError:
            if attempt == RECORD_ATTEMPTS:
                raise
            attempt += 1
            log.info("launch raced another on new rows; recording again (pass %d)", attempt)
            deployment = store.deployment_now(registration_id, accepted.deployment_id)


@bp.get("/config")
def config() -> str:
    """The values a platform administrator pastes into Moodle or Open edX."""
    return render_template("lti/config.html", urls=tool_urls())


def _language_choice() -> bool:
    """On POST, keep the language picked on the landing page for the whole launch.

    The header's language links only change one page; in an iframe without cookies this
    form is how a choice survives the next click. True when a choice was saved.
    """
    if request.method != "POST":
        return False
    chosen = request.form.get("lang")
    if chosen not in LANGUAGES:
        abort(400)
    with runtime_of(current_app).engine.begin() as connection:
        choose_language(connection, current_launch().session_id, chosen)
    g.launch_locale = chosen
    refresh()  # this very page answers in the new language
    return True


@bp.route("/launched", methods=["GET", "POST"])
@requires_launch()
def launched() -> str:
    """The landing page of a launch that has no resource link (e.g. without a course)."""
    return render_template(
        "lti/launched.html", launch=current_launch(), link=None, saved=_language_choice()
    )


@bp.route("/links/<link_pk>", methods=["GET", "POST"])
@requires_launch()
def link(link_pk: str) -> str:
    """The page a resource link opens, for the person who launched it.

    The link is looked up within the launch's deployment: a handle from another
    deployment finds nothing here, whatever id it is given.
    """
    launch = current_launch()
    if link_pk == launch.resource_link_pk:
        # The link this launch came through, where every launch lands: the handle's
        # query already read it (and it belongs to the launch's deployment).
        title = launch.resource_link_title
    else:
        with transaction(runtime_of(current_app).sessions) as session:
            found = session.get(ResourceLink, link_pk)
            if found is None or found.deployment_id != launch.deployment_pk:
                abort(404)
            title = found.title
    return render_template(
        "lti/launched.html",
        launch=launch,
        link={"id": link_pk, "title": title},
        saved=_language_choice(),
    )
