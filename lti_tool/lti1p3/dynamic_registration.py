"""LTI Dynamic Registration 1.0, tool side, as Moodle 4.x performs it.

An admin pastes the tool's registration URL into the platform; the platform opens it with
``openid_configuration`` (where to read the platform's OpenID configuration) and a
one-time ``registration_token``. The tool reads the configuration (sending the token as
Bearer: Moodle checks it there too, Canvas expects it), checks that the configuration's
``issuer`` belongs to the URL it came from, posts its own client registration with the
same Bearer token, and reads back ``client_id`` and ``deployment_id``.

Facts that shaped this module (reference §8, §10.1):

- DR §3.5.1 wants ``issuer`` to match the configuration URL, but Moodle and Canvas
  deviate (an issuer on another host); mismatches are logged and accepted only for
  issuers on an explicit allow-list.
- Moodle lists ``messages_supported`` as plain strings; the spec says objects with
  ``type`` and ``placements``. Both are read.
- Moodle uses only the ``LtiDeepLinkingRequest`` message of the registration, turns the
  ``name``/``email`` claims into its "send name/email: Always" privacy settings, and
  creates the tool *pending*: an admin must activate it, which the tool tells its user.
  Its answer carries no status field, so "pending" is inferred from the platform's
  ``product_family_code``.

(``registration.py`` next to this module holds the registered platforms' values the
launch code reads; this one is how a registration comes to exist.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from badges.outbound.client import OutboundClient
from badges.outbound.errors import OutboundError
from badges.outbound.errors import PrivateAddress as OutboundPrivateAddress
from badges.outbound.response import OutboundResponse
from badges.outbound.summary import summarise
from lti_tool.lti1p3.claims import (
    AGS_SCOPES,
    DEEP_LINKING_REQUEST,
    NRPS_SCOPE,
    PLATFORM_CONFIGURATION,
    RESOURCE_LINK_REQUEST,
    TOOL_CONFIGURATION,
)
from lti_tool.lti1p3.service_errors import (
    PrivateAddress,
    RegistrationFailed,
    RegistrationTokenRefused,
    UntrustedIssuer,
)

log = logging.getLogger(__name__)

#: Name and email let the tool greet people and put an email in their badges; Moodle
#: sends them only if the registration asks (privacy "Always" instead of "Never").
CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email", "locale")
#: The placement DR's examples use for "add content" when the platform names none.
DEFAULT_DL_PLACEMENTS = ("ContentArea",)
COURSE_NAVIGATION = "course_navigation"
#: Platforms known to create dynamically registered tools in a pending state.
PENDING_FAMILIES = frozenset({"moodle"})
TIMEOUT = 15


@dataclass(frozen=True)
class SupportedMessage:
    type: str
    placements: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlatformConfiguration:
    """The parts of a platform's OpenID configuration the tool uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product_family_code: str | None = None
    version: str | None = None
    messages_supported: tuple[SupportedMessage, ...] = ()
    scopes_supported: tuple[str, ...] = ()
    claims_supported: tuple[str, ...] = ()
    #: DR's ``authorization_server``: the ``aud`` of client assertions when given.
    token_endpoint_audience: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def supports(self, message_type: str) -> bool:
        """Whether the platform lists ``message_type`` (no list at all: assume yes)."""
        if not self.messages_supported:
            return True
        return any(m.type == message_type for m in self.messages_supported)

    def placements_for(self, message_type: str) -> tuple[str, ...]:
        for message in self.messages_supported:
            if message.type == message_type and message.placements:
                return message.placements
        return ()


@dataclass(frozen=True)
class ToolDescription:
    """What the tool says about itself in the registration request."""

    client_name: str
    base_url: str
    login_url: str
    launch_url: str
    jwks_url: str
    deep_linking_url: str
    course_navigation_url: str
    logo_url: str
    description: str = ""
    redirect_uris: tuple[str, ...] = ()
    deep_linking_label: str = "Chemins"
    course_navigation_label: str = "Chemins"


@dataclass(frozen=True)
class RegistrationResult:
    """What the platform answered: the tool's identity there and its activation state."""

    client_id: str
    deployment_id: str | None
    pending_activation: bool
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def _text(mapping: Mapping[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    return value if isinstance(value, str) and value else None


def parse_messages_supported(value: Any) -> tuple[SupportedMessage, ...]:
    """``messages_supported`` as the spec's objects or as Moodle's plain strings."""
    messages: list[SupportedMessage] = []
    for entry in value if isinstance(value, list) else ():
        if isinstance(entry, str) and entry:
            messages.append(SupportedMessage(entry))
        elif isinstance(entry, Mapping) and isinstance(entry.get("type"), str):
            messages.append(SupportedMessage(entry["type"], _strings(entry.get("placements"))))
    return tuple(messages)


def parse_platform_configuration(data: Mapping[str, Any]) -> PlatformConfiguration:
    """Check the required endpoints and read the platform's capabilities."""
    required = (
        "issuer",
        "authorization_endpoint",
        "token_endpoint",
        "jwks_uri",
        "registration_endpoint",
    )
    missing = [key for key in required if _text(data, key) is None]
    if missing:
        raise RegistrationFailed(
            "the platform's configuration is incomplete (missing " + ", ".join(missing) + ")"
        )
    methods = _strings(data.get("token_endpoint_auth_methods_supported"))
    if methods and "private_key_jwt" not in methods:
        raise RegistrationFailed("the platform does not accept signed client assertions")
    lti = data.get(PLATFORM_CONFIGURATION)
    lti = lti if isinstance(lti, Mapping) else {}
    return PlatformConfiguration(
        issuer=data["issuer"],
        authorization_endpoint=data["authorization_endpoint"],
        token_endpoint=data["token_endpoint"],
        jwks_uri=data["jwks_uri"],
        registration_endpoint=data["registration_endpoint"],
        product_family_code=_text(lti, "product_family_code"),
        version=_text(lti, "version"),
        messages_supported=parse_messages_supported(lti.get("messages_supported")),
        scopes_supported=_strings(data.get("scopes_supported")),
        claims_supported=_strings(data.get("claims_supported")),
        token_endpoint_audience=_text(data, "authorization_server"),
        raw=dict(data),
    )


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_issuer(configuration_url: str, issuer: str, trusted_issuers: Iterable[str] = ()) -> None:
    """DR §3.5.1: the issuer must share the configuration URL's origin, or be allow-listed."""
    if _origin(issuer) == _origin(configuration_url):
        return
    if issuer.rstrip("/") in {t.rstrip("/") for t in trusted_issuers}:
        log.warning(
            "platform issuer %s differs from its configuration URL %s; accepted by allow-list",
            issuer,
            configuration_url,
        )
        return
    log.warning(
        "refused platform configuration %s: issuer %s is on another origin, not allow-listed",
        configuration_url,
        issuer,
    )
    raise UntrustedIssuer("the platform's issuer does not match the address of its configuration")


def _bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _error_code(response: OutboundResponse) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return _text(body, "error") if isinstance(body, Mapping) else None


def _client(http: OutboundClient | None, private_hosts: Iterable[str]) -> OutboundClient:
    return http or OutboundClient(private_hosts, timeout=TIMEOUT)


def _refused(error: OutboundError, what: str) -> RegistrationFailed:
    """The registration error for an outbound failure (a private address is its own)."""
    if isinstance(error, OutboundPrivateAddress):
        return PrivateAddress(str(error))
    return RegistrationFailed(f"{what}: {error}")


def fetch_platform_configuration(
    configuration_url: str,
    registration_token: str | None,
    *,
    trusted_issuers: Iterable[str] = (),
    private_hosts: Iterable[str] = (),
    http: OutboundClient | None = None,
) -> PlatformConfiguration:
    """GET the platform's OpenID configuration and check where it says it comes from.

    The call goes through the guarded client (:mod:`badges.outbound`): no redirect
    followed, no private address unless its host is in ``private_hosts`` (the
    instance's allowlist; ``http``, a client of its own, wins when given).
    """
    if not configuration_url.startswith(("https://", "http://")):
        raise RegistrationFailed("openid_configuration is not a web address")
    client = _client(http, private_hosts)
    try:
        response = client.get(
            configuration_url,
            headers={"Accept": "application/json", **_bearer(registration_token)},
        )
    except OutboundError as exc:
        raise _refused(exc, "the platform's configuration cannot be read") from exc
    if response.status_code != 200:
        log.warning("platform configuration %s: %s", configuration_url, summarise(response))
        raise RegistrationFailed(
            f"the platform's configuration cannot be read (HTTP {response.status_code})",
            status=response.status_code,
            code=_error_code(response),
        )
    try:
        data = response.json()
    except ValueError as exc:
        raise RegistrationFailed("the platform's configuration is not JSON") from exc
    if not isinstance(data, Mapping):
        raise RegistrationFailed("the platform's configuration is not a JSON object")
    configuration = parse_platform_configuration(data)
    check_issuer(configuration_url, configuration.issuer, trusted_issuers)
    # The tool calls these later, on launches and for services, with no one watching:
    # a stranger's configuration must not point them into the tool's network either.
    for endpoint in (configuration.jwks_uri, configuration.token_endpoint):
        try:
            client.check(endpoint)
        except OutboundError as exc:
            raise _refused(exc, "the platform's configuration names an unusable address") from exc
    return configuration


def registration_request(
    configuration: PlatformConfiguration, tool: ToolDescription
) -> dict[str, Any]:
    """The client registration JSON (DR §3.1 with the LTI tool configuration)."""
    dl_placements = configuration.placements_for(DEEP_LINKING_REQUEST) or DEFAULT_DL_PLACEMENTS
    messages: list[dict[str, Any]] = []
    if configuration.supports(DEEP_LINKING_REQUEST):
        messages.append(
            {
                "type": DEEP_LINKING_REQUEST,
                "target_link_uri": tool.deep_linking_url,
                "label": tool.deep_linking_label,
                "icon_uri": tool.logo_url,
                "placements": list(dl_placements),
            }
        )
    messages.append(
        {
            "type": RESOURCE_LINK_REQUEST,
            "target_link_uri": tool.course_navigation_url,
            "label": tool.course_navigation_label,
            "icon_uri": tool.logo_url,
            "placements": [COURSE_NAVIGATION],
        }
    )
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login_url,
        "redirect_uris": list(tool.redirect_uris or (tool.launch_url,)),
        "client_name": tool.client_name,
        "jwks_uri": tool.jwks_url,
        "logo_uri": tool.logo_url,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join((*AGS_SCOPES, NRPS_SCOPE)),
        TOOL_CONFIGURATION: {
            "domain": urlsplit(tool.base_url).netloc,
            "description": tool.description,
            "target_link_uri": tool.launch_url,
            "claims": list(CLAIMS),
            "messages": messages,
        },
    }


def parse_registration_response(
    data: Any, configuration: PlatformConfiguration
) -> RegistrationResult:
    """Read ``client_id`` and ``deployment_id`` from the platform's answer."""
    if not isinstance(data, Mapping):
        raise RegistrationFailed("the platform's registration answer is not a JSON object")
    client_id = data.get("client_id")
    if not isinstance(client_id, str | int) or str(client_id) == "":
        raise RegistrationFailed("the platform's registration answer has no client_id")
    tool_config = data.get(TOOL_CONFIGURATION)
    deployment = tool_config.get("deployment_id") if isinstance(tool_config, Mapping) else None
    return RegistrationResult(
        client_id=str(client_id),
        deployment_id=str(deployment) if isinstance(deployment, str | int) else None,
        pending_activation=(configuration.product_family_code or "").lower() in PENDING_FAMILIES,
        raw=dict(data),
    )


def register(
    configuration: PlatformConfiguration,
    tool: ToolDescription,
    registration_token: str | None,
    *,
    private_hosts: Iterable[str] = (),
    http: OutboundClient | None = None,
) -> RegistrationResult:
    """POST the registration with the one-time Bearer token and read the answer.

    The endpoint comes from the platform's configuration: it is called through the
    guarded client like the configuration's own address (``private_hosts``, ``http``).
    """
    try:
        response = _client(http, private_hosts).post(
            configuration.registration_endpoint,
            json=registration_request(configuration, tool),
            headers={"Accept": "application/json", **_bearer(registration_token)},
        )
    except OutboundError as exc:
        raise _refused(exc, "the platform cannot be reached") from exc
    code = _error_code(response)
    if response.status_code in (401, 403):
        log.warning(
            "registration at %s refused: %s",
            configuration.registration_endpoint,
            f"HTTP {response.status_code}, error {code}" if code else summarise(response),
        )
        if code == "token_already_used":
            message = "this registration link was already used; start again from the platform"
        else:
            message = "the platform refused the registration token; start again from the platform"
        raise RegistrationTokenRefused(message, status=response.status_code, code=code)
    if response.status_code not in (200, 201):
        log.warning(
            "registration at %s failed: %s",
            configuration.registration_endpoint,
            f"HTTP {response.status_code}, error {code}" if code else summarise(response),
        )
        raise RegistrationFailed(
            f"the platform refused the registration (HTTP {response.status_code})",
            status=response.status_code,
            code=code,
        )
    try:
        body = response.json()
    except ValueError as exc:
        raise RegistrationFailed("the platform's registration answer is not JSON") from exc
    return parse_registration_response(body, configuration)
