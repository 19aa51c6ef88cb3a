"""The demo LMS's LTI 1.3 launch side, built on lti1p3platform 0.1.8.

lti1p3platform builds the login initiation URL and the id_token (RS256, ``kid`` = RFC
7638 thumbprint of the platform key) but checks little of the authentication request
(reference §13.2), so :meth:`DemoPlatform.authorize` checks what Moodle's ``auth.php``
does first: ``scope``, ``response_type``, ``response_mode``, ``prompt``, a known
``client_id``, a registered ``redirect_uri``, the ``login_hint`` and ``lti_message_hint``
of a launch it started.

Two launch styles copy the real platforms (reference §10): Moodle logs in by form POST
and mints 60-second tokens with AGS URLs carrying ``?type_id=``; Open edX logs in by
GET with a UUID client id, deployment ``"1"`` and one-hour tokens, gives AGS claims in
its "programmatic" mode (``lineitems`` and the line-item scope, no ``lineitem``) and asks
Deep Linking for four types with ``auto_create`` and no ``accept_lineitem``. Tests may replace the
id_token with :attr:`DemoPlatform.tamper`, which receives the claims and header and a
signing helper, to build every bad launch of the matrix.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest

from demo_lms.service_state import ServiceState, ToolClient

MOODLE = "moodle"
OPENEDX = "openedx"
TOKEN_LIFETIME = {MOODLE: 60, OPENEDX: 3600}
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = LIS + "membership#Instructor"
LEARNER = LIS + "membership#Learner"


@dataclass
class ToolLink:
    """How the demo platform reaches one registration of a tool."""

    client_id: str
    login_url: str
    target_link_uri: str
    redirect_uris: tuple[str, ...]
    deployment_id: str
    style: str = MOODLE


@dataclass
class LaunchSpec:
    """Who launches what: any user, roles, course and link, in one platform style."""

    user_id: str
    roles: list[str] = field(default_factory=lambda: [LEARNER])
    name: str | None = None
    email: str | None = None
    context: dict[str, Any] | None = None  # {"id", "title", "label", "type"}
    resource_link: dict[str, Any] | None = None  # {"id", "title"}
    custom: dict[str, str] | None = None
    locale: str | None = None
    message_type: str = "LtiResourceLinkRequest"
    target_link_uri: str | None = None
    ags: bool = False
    nrps: bool = False
    deep_link_return_url: str | None = None
    #: Deep Linking: add ``"accept_lineitem": true`` to the settings. Neither real
    #: platform does: Moodle 4.3 sends no such key yet creates the line item of an item
    #: that brings one; Open edX sends none either and ignores it (programmatic mode).
    accept_lineitem: bool = False
    oidc_error: str | None = None  # answer the auth request with this OIDC error
    #: Offer platform storage (reference §9): sent as ``lti_storage_target`` with the
    #: login and the launch, as Canvas does when the course page answers postMessages.
    storage_target: str | None = None
    extra_claims: dict[str, Any] = field(default_factory=dict)


@dataclass
class PendingLaunch:
    client_id: str
    spec: LaunchSpec


@dataclass
class IdToken:
    """An id_token in the making, handed to :attr:`DemoPlatform.tamper`."""

    claims: dict[str, Any]
    header: dict[str, Any]
    private_key_pem: str = field(repr=False)

    def sign(
        self,
        claims: dict[str, Any] | None = None,
        header: dict[str, Any] | None = None,
        key: Any = None,
        algorithm: str = "RS256",
    ) -> str:
        """Sign ``claims`` (default: the current ones) again, by default with the platform key."""
        head = dict(self.header if header is None else header)
        head.pop("alg", None)
        head.pop("typ", None)
        return jwt.encode(
            self.claims if claims is None else claims,
            self.private_key_pem if key is None else key,
            algorithm=algorithm,
            headers=head or None,
        )


Tamper = Callable[[IdToken], str]


@dataclass(frozen=True)
class LoginInitiation:
    """Step 1 as the browser performs it: a GET to ``url`` or a POST of ``params``."""

    method: str
    url: str
    params: dict[str, str]


@dataclass(frozen=True)
class AuthAnswer:
    """What the auth endpoint answers: a form to auto-POST, or an error page (400)."""

    action: str | None
    fields: dict[str, str]
    error: str | None = None


class _DictRequest(Request):
    """lti1p3platform's request adapter over plain parameters (no web framework)."""

    def build_metadata(self, request: Any) -> TRequest:
        return {
            "method": "POST",
            "form_data": dict(request),
            "get_data": {},
            "headers": {},
            "content_type": "application/x-www-form-urlencoded",
            "path": "/lti/auth",
            "json": None,
        }


class _PlatformConf(LTI1P3PlatformConfAbstract):
    """lti1p3platform configuration for one tool registration of the demo platform."""

    def init_platform_config(self, **kwargs: Any) -> None:
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self._registration  # type: ignore[return-value]


class _Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class _Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return launch_data


def _b64json(segment: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


class DemoPlatform:
    """The launch half of the demo LMS: tools, pending launches, id_tokens."""

    def __init__(self, state: ServiceState) -> None:
        self.state = state
        self.tools: dict[str, ToolLink] = {}
        self.pending: dict[str, PendingLaunch] = {}
        #: Moodle style: the launch behind each course module id, so that Moodle's own
        #: ``/mod/lti/launch.php?id=<cmid>`` can start it again at top level.
        self.activities: dict[int, PendingLaunch] = {}
        self.tamper: Tamper | None = None
        self.jwks_requests = 0
        self.last_id_token: str | None = None
        self._lock = threading.Lock()

    @property
    def issuer(self) -> str:
        return self.state.issuer

    @property
    def private_key_pem(self) -> str:
        key = self.state.platform.get_platform_private_key()
        assert key is not None
        return key

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            self.jwks_requests += 1
        return {"keys": self.state.platform.get_jwks()}

    def rotate_key(self, private_key_pem: str, public_key_pem: str) -> None:
        """Sign from now on with another key (its ``kid`` changes with it)."""
        self.state.platform.set_platform_private_key(private_key_pem)
        self.state.platform.set_platform_public_key(public_key_pem)

    # -- tools ---------------------------------------------------------------------------

    def add_tool(
        self,
        *,
        tool_origin: str,
        style: str = MOODLE,
        client_id: str | None = None,
        deployment_id: str | None = None,
        tool_jwks_url: str | None = None,
    ) -> ToolLink:
        """Register a tool the way an admin of that platform would (manual registration)."""
        client_id = client_id or (str(uuid.uuid4()) if style == OPENEDX else secrets.token_hex(8))
        deployment_id = deployment_id or ("1" if style == OPENEDX else "2")
        link = ToolLink(
            client_id=client_id,
            login_url=f"{tool_origin}/lti/login",
            target_link_uri=f"{tool_origin}/lti/launch",
            redirect_uris=(f"{tool_origin}/lti/launch",),
            deployment_id=deployment_id,
            style=style,
        )
        self.tools[client_id] = link
        self.state.add_client(
            ToolClient(
                client_id=client_id,
                jwks_url=tool_jwks_url or f"{tool_origin}/.well-known/jwks.json",
                deployment_ids={deployment_id},
                name=f"Chemins ({style})",
                style=style,
            )
        )
        return link

    def tool(self, client_id: str) -> ToolLink | None:
        """A registered tool, including one added by Dynamic Registration and activated."""
        if client_id in self.tools:
            return self.tools[client_id]
        client = self.state.clients.get(client_id)
        if client is None or not client.active or not client.registration:
            return None
        body = client.registration
        config = body.get(TOOL_CONFIGURATION, {})
        return ToolLink(
            client_id=client_id,
            login_url=body["initiate_login_uri"],
            target_link_uri=config.get("target_link_uri", body["redirect_uris"][0]),
            redirect_uris=tuple(body["redirect_uris"]),
            deployment_id=sorted(client.deployment_ids)[0],
        )

    def _registration(self, tool: ToolLink, spec: LaunchSpec | None = None) -> Registration:
        registration = (
            Registration()
            .set_iss(self.issuer)
            .set_client_id(tool.client_id)
            .set_deployment_id(tool.deployment_id)
            .set_oidc_login_url(tool.login_url)
            .set_launch_url((spec and spec.target_link_uri) or tool.target_link_uri)
            .set_platform_private_key(self.private_key_pem)
        )
        public = self.state.platform.get_platform_public_key()
        assert public is not None
        return registration.set_platform_public_key(public)

    # -- step 1: login initiation ---------------------------------------------------------

    def start(self, client_id: str, spec: LaunchSpec) -> LoginInitiation:
        """Begin a launch: remember it under a fresh message hint, build the login."""
        tool = self.tool(client_id)
        if tool is None:
            raise KeyError(f"unknown tool {client_id!r}")
        # Moodle's hint is JSON, Open edX's an opaque key: both must come back untouched.
        # Moodle's launch id is single use (auth.php unsets it from the session).
        cmid = 1 + secrets.randbelow(10_000)
        hint = (
            json.dumps({"cmid": cmid, "launchid": f"ltilaunch{cmid}_{secrets.randbelow(10**9)}"})
            if tool.style == MOODLE
            else secrets.token_urlsafe(12)
        )
        with self._lock:
            self.pending[hint] = PendingLaunch(client_id, spec)
            if tool.style == MOODLE:
                self.activities[cmid] = PendingLaunch(client_id, spec)
        login = _Login(None, _PlatformConf(registration=self._registration(tool, spec)))
        login.set_lti_message_hint(hint=hint)
        url = login.initiate_login(spec.user_id)
        if spec.storage_target:
            url += "&" + urlencode({"lti_storage_target": spec.storage_target})
        parts = urlsplit(url)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if tool.style == OPENEDX:
            return LoginInitiation("GET", url, params)
        base = url.split("?", 1)[0]
        return LoginInitiation("POST", base, params)

    # -- step 2/3: authentication request → id_token form ---------------------------------

    def authorize(self, params: Mapping[str, str]) -> AuthAnswer:
        """Check the tool's authentication request; answer the id_token form or an error."""
        client_id = params.get("client_id", "")
        tool = self.tool(client_id)
        redirect_uri = params.get("redirect_uri", "")
        if tool is None:
            return AuthAnswer(None, {}, "unknown client_id")
        if redirect_uri not in tool.redirect_uris:
            # Never send anything to an unregistered URI, not even an error.
            return AuthAnswer(None, {}, "redirect_uri is not registered for this client")
        state = params.get("state", "")

        def oidc_error(code: str, description: str) -> AuthAnswer:
            fields = {"error": code, "error_description": description}
            if state:
                fields["state"] = state
            return AuthAnswer(redirect_uri, fields)

        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
        }
        for name, value in expected.items():
            if params.get(name) != value:
                return oidc_error("invalid_request", f"{name} must be {value}")
        if not params.get("nonce") or not state:
            return oidc_error("invalid_request", "nonce and state are required")
        with self._lock:
            pending = self.pending.pop(params.get("lti_message_hint", ""), None)
        if pending is None or pending.client_id != client_id:
            return oidc_error("invalid_request", "unknown lti_message_hint")
        spec = pending.spec
        if params.get("login_hint") != spec.user_id:
            return oidc_error("login_required", "login_hint does not match the user")
        if spec.oidc_error:
            return oidc_error(spec.oidc_error, "the demo platform was asked to refuse")
        token = self._id_token(tool, spec, params)
        self.last_id_token = token
        fields = {"id_token": token, "state": state}
        if spec.storage_target:
            fields["lti_storage_target"] = spec.storage_target
        return AuthAnswer(redirect_uri, fields)

    def _id_token(self, tool: ToolLink, spec: LaunchSpec, params: Mapping[str, str]) -> str:
        conf = _PlatformConf(registration=self._registration(tool, spec))
        launch = _Launch(_DictRequest(dict(params)), conf)
        launch.set_id_token_expiration(TOKEN_LIFETIME[tool.style])
        launch.set_user_data(spec.user_id, list(spec.roles), spec.name, spec.email)
        if spec.resource_link is not None:
            launch.set_resource_link_claim(
                spec.resource_link["id"], title=spec.resource_link.get("title")
            )
        if spec.context is not None:
            launch.set_launch_context_claim(
                spec.context["id"],
                context_types=spec.context.get("type"),
                context_title=spec.context.get("title"),
                context_label=spec.context.get("label"),
            )
        if spec.custom:
            launch.set_custom_parameters_claim(dict(spec.custom))
        launch.set_launch_presentation_claim(
            document_target="iframe", return_url=f"{self.issuer}/course"
        )
        extra: dict[str, Any] = {}
        if spec.locale:
            extra["https://purl.imsglobal.org/spec/lti/claim/launch_presentation"] = {
                "document_target": "iframe",
                "return_url": f"{self.issuer}/course",
                "locale": spec.locale,
            }
        if tool.style == OPENEDX:
            extra["https://purl.imsglobal.org/spec/lti/claim/tool_platform"] = {
                "guid": str(uuid.uuid5(uuid.NAMESPACE_DNS, self.issuer)),
                "name": "Demo Open edX",
            }
        context_id = (spec.context or {}).get("id", "none")
        if spec.ags and tool.style == OPENEDX:
            # Open edX's "programmatic" grade mode: the line-items URL and scope, no
            # line item (the tool makes its own column).
            launch.set_ags(f"{self.issuer}/services/{context_id}/lineitems", None)
        elif spec.ags:
            suffix = "?type_id=3" if tool.style == MOODLE else ""
            base = f"{self.issuer}/services/{context_id}/lineitems"
            launch.set_ags(f"{base}{suffix}", f"{base}/1/lineitem{suffix}")
        if spec.nrps:
            launch.set_nrps(f"{self.issuer}/services/{context_id}/memberships")
        if spec.message_type == "LtiDeepLinkingRequest":
            extra["https://purl.imsglobal.org/spec/lti/claim/message_type"] = spec.message_type
            settings: dict[str, Any] = {
                "deep_link_return_url": spec.deep_link_return_url
                or f"{self.issuer}/deep-linking/return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True,
                "auto_create": False,
            }
            if tool.style == OPENEDX:
                # lti-consumer-xblock: these four types, several at once, auto_create.
                settings["accept_types"] = ["ltiResourceLink", "link", "html", "image"]
                settings["auto_create"] = True
            if spec.accept_lineitem:
                settings["accept_lineitem"] = True
            extra["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = settings
        extra.update(spec.extra_claims)
        if extra:
            launch.set_extra_claims(extra)
        token = launch.lti_launch()["id_token"]
        if self.tamper is None:
            return token
        head, body, _signature = token.split(".")
        return self.tamper(IdToken(_b64json(body), _b64json(head), self.private_key_pem))
