"""LTI 1.3 login and launch: check, record, send the person on.

HTTP only: the checks live in :mod:`lti_tool.lti1p3` (no Flask there), what the claims
mean in :mod:`lti_tool.lti1p3.launch_facts`, the writes in :mod:`badges.courses.launches`
and the words of a refusal in :mod:`lti_tool.launch_refusals`. A refused login or launch
answers a clear page in the person's language with a 4xx status, logs the reason code,
opens no session and writes no row; an accepted launch records everything in one
transaction and redirects (303) to the page the link points to, carrying the
cookie-less launch handle. Which page that is, other blueprints say when they are
registered (:mod:`lti_tool.launch_destinations`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Response, current_app, g, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from sqlalchemy import Connection, select
from sqlalchemy.orm import selectinload

from badges.courses.launches import (
    LaunchFacts,
    RecordedLaunch,
    StateAlreadyUsed,
    burn_state,
    commit_launch,
    forget_old_launches,
)
from badges.models import Community, Deployment, Platform
from badges.models.columns import utcnow
from badges.storage.database import transaction
from lti_tool import new_window, platform_storage
from lti_tool.blueprints.lti import bp
from lti_tool.launch_destinations import destination
from lti_tool.launch_handle import issue_handle, set_launch_cookie
from lti_tool.launch_refusals import PLATFORM_ERROR, refusal_message, refusal_status
from lti_tool.launch_store import DeploymentRef, SqlToolStore
from lti_tool.lti1p3.exceptions import LaunchRefused, LoginRefused, LtiRefusal
from lti_tool.lti1p3.launch_facts import launch_facts, lti_roles
from lti_tool.lti1p3.message_launch import Launch, MessageLaunch
from lti_tool.lti1p3.oidc_login import initiate_login
from lti_tool.lti1p3.platform_keys import PlatformKeys
from lti_tool.lti1p3.registration import ToolUrls
from lti_tool.lti1p3.roles import teaching_assistant_learner
from lti_tool.outbound_client import outbound_client
from lti_tool.runtime_access import runtime_of

#: The LTI audience's logger (``lti_tool.blueprints.lti``): admins filter on it.
log = logging.getLogger(__package__)

STATE_COOKIE = "chemins_lti_state_"
#: The largest login or launch body read (an id_token is a few kilobytes, and the
#: validator reads none over 64 KB): the app's limit is sized for photo uploads.
MAX_LTI_BODY = 256 * 1024
#: Seconds between two purges of old login states and launch sessions by one process.
#: Purging on every login added a write to each one for rows that age out by the hour.
STATE_PURGE_INTERVAL = 60.0
PURGE_EXTENSION = "chemins.launch_purge"
KEYS_EXTENSION = "chemins.platform_keys"


@dataclass
class PurgeSchedule:
    """When this app, in this process, next forgets old login states (monotonic time).

    Per app rather than per module: two apps in one process (tests, the demo) each
    purge their own database on their own schedule.
    """

    next_at: float = 0.0

    def due(self, now: float) -> bool:
        """True at most once per :data:`STATE_PURGE_INTERVAL`."""
        if now < self.next_at:
            return False
        self.next_at = now + STATE_PURGE_INTERVAL
        return True


def _init_purge(state: BlueprintSetupState) -> None:
    state.app.extensions.setdefault(PURGE_EXTENSION, PurgeSchedule())


bp.record_once(_init_purge)


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
    platform_error = request.form.get("error") if refusal.code == PLATFORM_ERROR else None
    # The refusal is shown inside the platform's iframe: let registered platforms frame
    # it (it holds no data and no action), or the person would see a blank frame.
    g.frame_ancestors = registered_origins()
    page = render_template(
        "lti/refused.html",
        message=refusal_message(refusal, platform_error=bool(platform_error)),
        code=refusal.code,
        platform_error=platform_error,
    )
    return page, refusal_status(refusal)


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
    schedule: PurgeSchedule = current_app.extensions[PURGE_EXTENSION]
    if schedule.due(time.monotonic()):
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


def _destination(launch: Launch, handle: str, resource_link_pk: str | None) -> str:
    """Where an accepted launch goes: named target, the signed target URL, or the link page.

    Only the signed ``target_link_uri`` is used (never the login's unsigned parameter),
    and validation already made sure it is one of the tool's own URLs.
    """
    custom = launch.claim("custom")
    target_name = custom.get("target") if isinstance(custom, dict) else None
    for name in (target_name, launch.message_type):
        endpoint = destination(current_app, name)
        if endpoint is not None:
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


def _record(
    connection: Connection, store: SqlToolStore, accepted: Launch, state: str
) -> tuple[RecordedLaunch, DeploymentRef]:
    """Write an accepted launch in one transaction (:func:`commit_launch` retries a lost race).

    The deployment comes from the validator's reading of the registrations; a foreign
    key refuses it if it was removed since, and the next pass reads it again: gone, the
    launch is refused (B19). A state spent by a concurrent launch is refused (B16).
    """
    assert accepted.registration is not None
    registration_id = accepted.registration.id
    recorded_for: list[DeploymentRef] = []

    def facts_for(again: bool) -> LaunchFacts:
        read = store.deployment_now if again else store.deployment
        deployment = read(registration_id, accepted.deployment_id)
        if deployment is None:
            raise LaunchRefused("B19", "deployment vanished during the launch", 401)
        recorded_for[:] = [deployment]
        assistants = teaching_assistant_learner(lti_roles(accepted.claims)) and _assistants_award(
            connection, deployment.id
        )
        return launch_facts(
            accepted.claims,
            state=state,
            platform_id=deployment.platform_id,
            deployment_pk=deployment.id,
            assistants_award=assistants,
        )

    try:
        recorded = commit_launch(connection, facts_for)
    except StateAlreadyUsed as exc:
        raise LaunchRefused("B16", "state spent by a concurrent launch", 401) from exc
    return recorded, recorded_for[0]
