"""The launch validator: every check of an id_token, as an explicit pipeline.

Each step is one small method named after the rule it enforces, with the bad-launch
cases of ``reference/lti13.md`` §12 it covers; :data:`PIPELINE` lists them in the order
they run. The order follows SF §5.1.3: the header and the issuer/audience are read
unverified only to pick the registration and its key, nothing else is trusted until the
signature has passed, then time, state and nonce, then the LTI claims (Core §5.3-§5.4).

Where pylti1p3 is lax this validator is strict (reference §13.1): ``exp`` and ``iat``
are required, ``aud`` may be an array but then ``azp`` must name this tool, the nonce is
bound to the state and used once, the deployment must equal the one announced at login,
``target_link_uri`` must be the login's and one of the tool's URLs, and a context claim
needs an ``id``. Clocks may disagree by :data:`LEEWAY` seconds (Moodle's tokens live 60 s).

The JWS itself (segments, base64url, header, critical extensions, the RS256 signature)
is PyJWT's job, as in pylti1p3: security-critical parsing stays in the library, and its
errors are mapped to the B-codes here. The payload is read by :func:`_claims_of`, stricter
than ``json``: no ``NaN``/``Infinity`` literals and a bounded nesting depth, so that an
odd token is refused with a code instead of reaching the checks (or the database) as
values nobody expects.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

from lti_tool.lti1p3.claims import (
    CONTEXT,
    DATA_PRIVACY_LAUNCH_REQUEST,
    DEEP_LINKING_REQUEST,
    DEEP_LINKING_SETTINGS,
    LTI,
    LTI_VERSION,
    RESOURCE_LINK_REQUEST,
    SUBMISSION_REVIEW_REQUEST,
)
from lti_tool.lti1p3.exceptions import (
    LaunchRefused,
    PlatformKeysUnavailable,
    UnknownKeyId,
    WeakPlatformKey,
)
from lti_tool.lti1p3.platform_keys import PlatformKeys
from lti_tool.lti1p3.registration import LoginRecord, RegistrationInfo, ToolStore, ToolUrls

MESSAGE_TYPES = frozenset(
    {
        RESOURCE_LINK_REQUEST,
        DEEP_LINKING_REQUEST,
        SUBMISSION_REVIEW_REQUEST,
        DATA_PRIVACY_LAUNCH_REQUEST,
    }
)
LEEWAY = 60
#: An id_token is used seconds after it is minted; older ones are refused (B10).
MAX_AGE = 300
#: A login's state may be redeemed for this long.
STATE_TTL = 600
MAX_ID = 255

#: The longest id_token read at all. Platforms send a few kilobytes (Moodle with every
#: service and custom parameter stays under 8 KB); anything this long is not a launch.
MAX_ID_TOKEN = 64 * 1024
#: The longest state read at all: the tool mints 43 characters.
MAX_STATE = 128
#: How deep objects and arrays may nest in the payload. LTI claims nest three levels
#: (payload → claim → value list); deeper structures only serve to exhaust a parser.
MAX_NESTING = 20
#: The only algorithm a launch may be signed with (cert §4.2: never ``none``, never HS*).
ALGORITHMS = ("RS256",)
_JWS = jwt.PyJWS(algorithms=list(ALGORITHMS))

UNAUTHORIZED = 401
BAD_REQUEST = 400


def _no_constant(name: str) -> float:
    """``json`` reads ``NaN`` and ``Infinity``, which RFC 8259 does not allow: refuse them."""
    raise ValueError(f"{name} is not JSON")


def _nesting_within(value: Any, limit: int) -> bool:
    """Whether objects and arrays in ``value`` nest at most ``limit`` levels deep."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def _claims_of(payload: bytes) -> dict[str, Any]:
    """The JSON object of an id_token payload; ValueError for anything else.

    RFC 8259 JSON only (``json`` alone would read ``NaN``, and ``exp: Infinity`` never
    expires), nested at most :data:`MAX_NESTING` levels: ``json`` gives up on deep
    nesting with a RecursionError, and structures just under that limit would fail
    later, where claims are stored or shown. Counting brackets first spares the walk
    for every payload that has few of them, as launches do.
    """
    try:
        claims = json.loads(payload, parse_constant=_no_constant)
    except RecursionError as exc:
        raise ValueError("the payload nests too deeply") from exc
    if not isinstance(claims, dict):
        raise ValueError("the payload is not a JSON object")
    brackets = payload.count(b"{") + payload.count(b"[")
    if brackets > MAX_NESTING and not _nesting_within(claims, MAX_NESTING):
        raise ValueError(f"the payload nests deeper than {MAX_NESTING} levels")
    return claims


def _seconds(value: Any) -> float | None:
    """A NumericDate (RFC 7519 §2) as a finite number of seconds; None for anything else.

    Booleans are numbers to Python and ``1e999`` parses as infinity: neither is a time.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an integer beyond any float
        return None
    return seconds if math.isfinite(seconds) else None


def _refuse(code: str, message: str, status: int = UNAUTHORIZED) -> LaunchRefused:
    return LaunchRefused(code, message, status)


@dataclass
class Launch:
    """A launch while it is checked, then the validated result handed to the web layer."""

    form: Mapping[str, str]
    browser_state: str | None
    id_token: str = ""
    state: str = ""
    header: dict[str, Any] = field(default_factory=dict)
    #: The payload as the token carries it, and what it says before the signature is
    #: checked (only to find the registration and its key).
    payload: bytes = b""
    unverified: dict[str, Any] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)
    registration: RegistrationInfo | None = None
    login: LoginRecord | None = None

    def claim(self, name: str) -> Any:
        """An LTI claim by its short name (``roles`` → ``LTI:roles``)."""
        return self.claims.get(LTI + name)

    @property
    def message_type(self) -> str:
        return str(self.claim("message_type"))

    @property
    def deployment_id(self) -> str:
        return str(self.claim("deployment_id"))


class MessageLaunch:
    """Validates one launch POST (``id_token`` + ``state``) against the tool's store."""

    def __init__(
        self,
        store: ToolStore,
        urls: ToolUrls,
        keys: PlatformKeys,
        *,
        clock: Callable[[], float] = time.time,
        leeway: int = LEEWAY,
        max_age: int = MAX_AGE,
        state_ttl: int = STATE_TTL,
    ) -> None:
        self.store = store
        self.urls = urls
        self.keys = keys
        self.clock = clock
        self.leeway = leeway
        self.max_age = max_age
        self.state_ttl = state_ttl

    def validate(self, form: Mapping[str, str], browser_state: str | None) -> Launch:
        """Run every check in order; return the launch or raise :class:`LaunchRefused`.

        ``browser_state`` is the state the tool left in this browser at login (a cookie);
        it must match the posted one, so that an id_token cannot be replayed from
        another browser (B17).
        """
        launch = Launch(form=form, browser_state=browser_state)
        for step in PIPELINE:
            step(self, launch)
        return launch

    # -- the form -----------------------------------------------------------------------

    def check_error_response(self, launch: Launch) -> None:
        """OIDC error POST (``error`` instead of ``id_token``): nobody is logged in. B18."""
        error = launch.form.get("error")
        if error:
            description = launch.form.get("error_description", "")
            raise _refuse("B18", f"platform answered {error}: {description}".strip(": "))

    def check_form(self, launch: Launch) -> None:
        """``id_token`` and ``state`` are both posted. B17 (no state), B18 (no id_token)."""
        launch.id_token = (launch.form.get("id_token") or "").strip()
        launch.state = (launch.form.get("state") or "").strip()
        if not launch.id_token:
            raise _refuse("B18", "launch without id_token", BAD_REQUEST)
        if not launch.state:
            raise _refuse("B17", "launch without state", BAD_REQUEST)
        if len(launch.state) > MAX_STATE:
            raise _refuse("B17", "state is longer than any this tool issues", BAD_REQUEST)

    # -- the token, unverified: enough to find the key ----------------------------------

    def check_jwt_format(self, launch: Launch) -> None:
        """A compact JWS PyJWT reads, with a JSON object for payload. B5.

        PyJWS refuses what is not three strict base64url segments, a header that is not
        a JSON object, and critical extensions it does not implement (RFC 7515
        §4.1.11, such as RFC 7797's unencoded payload). The payload is read here, by
        :func:`_claims_of`'s stricter rules.
        """
        if len(launch.id_token) > MAX_ID_TOKEN:
            raise _refuse("B5", "id_token is longer than any launch", BAD_REQUEST)
        try:
            parts = _JWS.decode_complete(launch.id_token, options={"verify_signature": False})
            claims = _claims_of(parts["payload"])
        except (jwt.InvalidTokenError, ValueError) as exc:
            raise _refuse("B5", f"id_token is not a JWT: {exc}", BAD_REQUEST) from exc
        launch.header, launch.payload, launch.unverified = parts["header"], parts["payload"], claims

    def check_algorithm(self, launch: Launch) -> None:
        """RS256 only: never ``none``, never HS* keyed with the public key. B4."""
        if launch.header.get("alg") != "RS256":
            raise _refuse("B4", f"algorithm {launch.header.get('alg')!r} is not RS256")

    def check_kid(self, launch: Launch) -> None:
        """A ``kid`` header picks the key in the platform's JWKS (SF §6.3). B1."""
        kid = launch.header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _refuse("B1", "id_token header has no kid")

    def check_lti_message(self, launch: Launch) -> None:
        """The payload is an LTI message at all (cert "invalid LTI message"). B6."""
        payload = launch.unverified
        if "iss" not in payload and not any(str(name).startswith(LTI) for name in payload):
            raise _refuse("B6", "id_token is not an LTI message", BAD_REQUEST)

    def check_issuer(self, launch: Launch) -> None:
        """``iss`` is a registered issuer, compared exactly (SF §5.1.3-2). B11."""
        issuer = launch.unverified.get("iss")
        if not isinstance(issuer, str) or not self.store.registrations(issuer):
            raise _refuse("B11", f"unknown issuer {issuer!r}")

    def check_audience(self, launch: Launch) -> None:
        """``aud`` names a registered client of the issuer; several → ``azp`` names it.

        SF §5.1.3-3/4/5: string or array; an array needs ``azp``, which must then be the
        tool's ``client_id`` (extra audiences are trusted only through it). B12, B13, B14.
        """
        aud = launch.unverified.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud
        if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
            raise _refuse("B12", "aud is neither a string nor an array of strings")
        by_client = {r.client_id: r for r in self.store.registrations(launch.unverified["iss"])}
        ours = [a for a in audiences if a in by_client]
        if not ours:
            raise _refuse("B12", f"aud {aud!r} does not name this tool")
        azp = launch.unverified.get("azp")
        if len(audiences) > 1 and azp is None:
            raise _refuse("B13", "aud has several audiences and no azp")
        if azp is not None:
            if azp not in ours:
                raise _refuse("B14", f"azp {azp!r} is not this tool's client_id")
            launch.registration = by_client[azp]
        else:
            launch.registration = by_client[ours[0]]

    # -- the signature: from here on the claims are trusted ------------------------------

    def check_signature(self, launch: Launch) -> None:
        """RS256 signature by the platform key named ``kid`` (one JWKS refetch). B2, B3, B4, B5.

        PyJWS verifies the token; its errors map to the codes: a signature that does not
        verify is B3 whether the key was wrong or the payload altered afterwards (B5),
        since cryptography cannot tell the two apart. The claims are the payload
        check_jwt_format read, once PyJWS has vouched for those very bytes (timestamps
        are checked below, by LTI's rules, not by PyJWT's).
        """
        assert launch.registration is not None
        try:
            key = self.keys.key(launch.registration.jwks_url, launch.header["kid"])
        except UnknownKeyId as exc:
            raise _refuse("B2", str(exc)) from exc
        except PlatformKeysUnavailable as exc:
            raise _refuse("KEYS", str(exc)) from exc
        except WeakPlatformKey as exc:
            raise _refuse("WEAK_KEY", str(exc)) from exc
        try:
            verified = _JWS.decode_complete(launch.id_token, key, algorithms=list(ALGORITHMS))
        except jwt.InvalidSignatureError as exc:
            raise _refuse("B3", "signature does not verify with the platform key") from exc
        except jwt.InvalidAlgorithmError as exc:
            raise _refuse("B4", f"algorithm refused: {exc}") from exc
        except jwt.InvalidTokenError as exc:
            raise _refuse("B5", f"id_token is not a JWT: {exc}", BAD_REQUEST) from exc
        if verified["payload"] != launch.payload:  # the same token: never, but say so
            raise _refuse("B5", "the verified payload is not the one read", BAD_REQUEST)
        launch.claims = launch.unverified

    def check_timestamps(self, launch: Launch) -> None:
        """``exp`` and ``iat`` required; not expired, not from the future, not too old.

        Both with :attr:`leeway` seconds of clock skew (SF §5.1.3-7/8); an ``nbf``, when
        present, is honoured too. Each must be a finite number: a boolean, a string or
        an infinity is no time (``exp: 1e999`` would never expire). B7, B8, B9, B10.
        """
        now = self.clock()
        if launch.claims.get("exp") is None:
            raise _refuse("B8", "id_token has no exp")
        if launch.claims.get("iat") is None:
            raise _refuse("B9", "id_token has no iat")
        exp, iat = _seconds(launch.claims["exp"]), _seconds(launch.claims["iat"])
        if exp is None or iat is None:
            raise _refuse("B7", "exp or iat is not a finite number")
        if exp < now - self.leeway:
            raise _refuse("B7", f"id_token expired {int(now - exp)} s ago")
        if iat > now + self.leeway:
            raise _refuse("B10", f"id_token issued {int(iat - now)} s in the future")
        if now - iat > self.max_age + self.leeway:
            raise _refuse("B10", f"id_token is {int(now - iat)} s old")
        if "nbf" in launch.claims:
            nbf = _seconds(launch.claims["nbf"])
            if nbf is None:
                raise _refuse("B7", "nbf is not a finite number")
            if nbf > now + self.leeway:
                raise _refuse("B7", f"id_token is not valid for {int(nbf - now)} s yet")

    def check_state(self, launch: Launch) -> None:
        """The state was issued by this tool, recently, to this browser, once. B16, B17.

        Without the login's cookie the id_token may have been carried to another
        browser (login CSRF), so the posted state must equal the one left at login.
        """
        login = self.store.login(launch.state)
        if login is None:
            raise _refuse("B17", "state was never issued")
        if login.used:
            raise _refuse("B16", "state was already used (replayed launch)")
        if launch.browser_state != launch.state:
            raise _refuse("B17", "state does not belong to this browser")
        age = self.clock() - login.created_at.timestamp()
        if age > self.state_ttl:
            raise _refuse("B17", f"state expired {int(age)} s after login")
        assert launch.registration is not None
        if login.registration_id != launch.registration.id:
            raise _refuse("B17", "state was issued for another registration")
        launch.login = login

    def check_nonce(self, launch: Launch) -> None:
        """The nonce is the one bound to this state, used once (SF §5.1.3-9). B15, B16."""
        assert launch.login is not None
        nonce = launch.claims.get("nonce")
        if not isinstance(nonce, str) or not nonce:
            raise _refuse("B15", "id_token has no nonce")
        if nonce != launch.login.nonce:
            if self.store.nonce_issued(nonce):
                raise _refuse("B16", "nonce belongs to another, earlier login")
            raise _refuse("B15", "nonce was never issued")

    # -- the LTI claims -------------------------------------------------------------------

    def check_deployment(self, launch: Launch) -> None:
        """``deployment_id`` allowed for the registration, equal to the login's. B19."""
        assert launch.registration is not None and launch.login is not None
        deployment = launch.claim("deployment_id")
        if not isinstance(deployment, str) or not deployment:
            raise _refuse("B19", "id_token has no deployment_id", BAD_REQUEST)
        if len(deployment) > MAX_ID or deployment not in launch.registration.deployment_ids:
            raise _refuse("B19", f"deployment_id {deployment!r} is not registered")
        announced = launch.login.lti_deployment_id
        if announced is not None and announced != deployment:
            raise _refuse("B19", f"deployment_id {deployment!r} differs from login's")

    def check_message_type(self, launch: Launch) -> None:
        """A known ``message_type``. B20."""
        message_type = launch.claim("message_type")
        if message_type not in MESSAGE_TYPES:
            raise _refuse("B20", f"unknown message_type {message_type!r}", BAD_REQUEST)

    def check_version(self, launch: Launch) -> None:
        """``version`` is exactly ``1.3.0``. B21."""
        version = launch.claim("version")
        if version != LTI_VERSION:
            raise _refuse("B21", f"LTI version {version!r} is not 1.3.0", BAD_REQUEST)

    def check_roles(self, launch: Launch) -> None:
        """``roles`` is an array of strings; an empty one is valid. B22."""
        roles = launch.claim("roles")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise _refuse("B22", "roles claim missing or not an array", BAD_REQUEST)

    def check_resource_link(self, launch: Launch) -> None:
        """Resource-link launches carry ``resource_link.id`` (≤255). B23."""
        if launch.message_type != RESOURCE_LINK_REQUEST:
            return
        link = launch.claim("resource_link")
        link_id = link.get("id") if isinstance(link, dict) else None
        if not isinstance(link_id, str) or not link_id or len(link_id) > MAX_ID:
            raise _refuse("B23", "resource_link claim missing or without id", BAD_REQUEST)

    def check_sub(self, launch: Launch) -> None:
        """``sub`` present, non-empty, ≤255 (anonymous launches are not offered). B24."""
        sub = launch.claims.get("sub")
        if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_ID:
            raise _refuse("B24", "sub missing, empty or too long", BAD_REQUEST)

    def check_target_link_uri(self, launch: Launch) -> None:
        """``target_link_uri`` is the login's and one of the tool's URLs. B25."""
        assert launch.login is not None
        target = launch.claim("target_link_uri")
        if not isinstance(target, str) or not target:
            raise _refuse("B25", "id_token has no target_link_uri", BAD_REQUEST)
        if not self.urls.is_ours(target):
            raise _refuse("B25", f"target_link_uri {target!r} is not this tool's")
        if target != launch.login.target_link_uri:
            raise _refuse("B25", "target_link_uri differs from the login's")

    def check_context(self, launch: Launch) -> None:
        """A ``context`` claim, when present, has an ``id`` (Core §5.4.1). B26."""
        if CONTEXT not in launch.claims:
            return
        context = launch.claim("context")
        context_id = context.get("id") if isinstance(context, dict) else None
        if not isinstance(context_id, str) or not context_id or len(context_id) > MAX_ID:
            raise _refuse("B26", "context claim without id", BAD_REQUEST)

    def check_deep_linking_settings(self, launch: Launch) -> None:
        """Deep Linking requests carry return URL, accept types and targets (DL §4.4). B27."""
        if launch.message_type != DEEP_LINKING_REQUEST:
            return
        settings = launch.claims.get(DEEP_LINKING_SETTINGS)
        if not isinstance(settings, dict):
            raise _refuse("B27", "deep linking request without settings", BAD_REQUEST)
        if not isinstance(settings.get("deep_link_return_url"), str) or not settings.get(
            "deep_link_return_url"
        ):
            raise _refuse("B27", "deep linking settings without deep_link_return_url", 400)
        for name in ("accept_types", "accept_presentation_document_targets"):
            value = settings.get(name)
            if not isinstance(value, list) or not value:
                raise _refuse("B27", f"deep linking settings without {name}", BAD_REQUEST)


#: The checks in the order they run; tests and reviewers read the rules from here.
PIPELINE: tuple[Callable[[MessageLaunch, Launch], None], ...] = (
    MessageLaunch.check_error_response,
    MessageLaunch.check_form,
    MessageLaunch.check_jwt_format,
    MessageLaunch.check_algorithm,
    MessageLaunch.check_kid,
    MessageLaunch.check_lti_message,
    MessageLaunch.check_issuer,
    MessageLaunch.check_audience,
    MessageLaunch.check_signature,
    MessageLaunch.check_timestamps,
    MessageLaunch.check_state,
    MessageLaunch.check_nonce,
    MessageLaunch.check_deployment,
    MessageLaunch.check_message_type,
    MessageLaunch.check_version,
    MessageLaunch.check_roles,
    MessageLaunch.check_resource_link,
    MessageLaunch.check_sub,
    MessageLaunch.check_target_link_uri,
    MessageLaunch.check_context,
    MessageLaunch.check_deep_linking_settings,
)
