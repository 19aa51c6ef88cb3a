"""Service access tokens: the OAuth 2 client-credentials grant of LTI Advantage (SF §4.1).

The tool proves who it is with a JWT client assertion signed by its LTI key (RS256,
``kid`` header, ``iss`` = ``sub`` = client_id, ``aud`` = the token URL, ``iat``, ``exp``
about five minutes later, a fresh ``jti`` so the platform can refuse replays). Moodle's
``token.php`` insists on the exact ``application/x-www-form-urlencoded`` content type, so
the body is encoded by hand rather than left to a library default.

Tokens are cached per (issuer, client_id, scope set) until shortly before they expire:
NRPS paging and AGS score posts would otherwise ask for a token on every request, which
platforms rate-limit and which doubles the latency of every roster page.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from badges.outbound.client import OutboundClient
from badges.outbound.errors import OutboundError
from badges.outbound.origins import origins
from badges.outbound.response import OutboundResponse
from badges.outbound.summary import summarise
from lti_tool.lti1p3.claims import DEPLOYMENT_ID
from lti_tool.lti1p3.service_errors import InvalidScope, TokenRefused
from lti_tool.lti1p3.tool_key import ToolKey

log = logging.getLogger(__name__)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME = 300
#: A token is renewed this many seconds before the platform says it expires, so that a
#: request started just before expiry does not reach the platform with a dead token.
EXPIRY_MARGIN = 30
TIMEOUT = 10
#: A token answer is a few hundred bytes.
MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class PlatformAccess:
    """Where and as whom the tool asks one platform for service tokens.

    ``audience`` is the ``aud`` of the client assertion: the token URL unless the platform
    configured another value (SF §4.1 allows it; some platforms give an explicit one).
    ``known_origins``: the other origins of the registration (login, JWKS, and those an
    admin added for services hosted elsewhere); service URLs from launches are called
    only on these and on the issuer's and token URL's own (see :meth:`service_origins`).
    """

    issuer: str
    client_id: str
    token_url: str
    deployment_id: str | None = None
    audience: str | None = None
    known_origins: frozenset[str] = frozenset()

    def service_origins(self) -> frozenset[str]:
        """Every origin a service URL of this platform may be on."""
        return origins((self.issuer, self.token_url)) | origins(self.known_origins)


@dataclass(frozen=True)
class AccessToken:
    """A bearer token and what it is good for, as the platform granted it."""

    value: str
    scopes: frozenset[str]
    expires_at: float

    @property
    def authorization(self) -> str:
        return f"Bearer {self.value}"


class ServiceTokens:
    """Obtains and caches service access tokens signed with the tool's LTI key.

    One instance per process is enough: the cache is keyed by platform and scope set and
    guarded by a lock, so web threads share tokens safely. ``http`` is the guarded client
    for the token endpoint and the services (the app's, which knows its allowlist); the
    token endpoint's redirects are not followed, so no assertion ends up elsewhere.
    """

    def __init__(
        self,
        key: ToolKey,
        http: OutboundClient | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.key = key
        self.http = http or OutboundClient()
        self.clock = clock
        self._cache: dict[tuple[str, str, frozenset[str]], AccessToken] = {}
        self._lock = threading.Lock()

    def client_assertion(self, platform: PlatformAccess) -> str:
        """A one-use JWT proving the tool's identity to ``platform``'s token endpoint."""
        now = int(self.clock())
        claims: dict[str, object] = {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.audience or platform.token_url,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME,
            "jti": str(uuid.uuid4()),
        }
        if platform.deployment_id:
            claims[DEPLOYMENT_ID] = platform.deployment_id
        return self.key.sign(claims)

    def token(self, platform: PlatformAccess, scopes: Iterable[str]) -> AccessToken:
        """A valid token for exactly ``scopes`` (from the cache while it lives)."""
        wanted = frozenset(scopes)
        if not wanted:
            raise ValueError("a service token needs at least one scope")
        cache_key = (platform.issuer, platform.client_id, wanted)
        with self._lock:
            cached = self._cache.get(cache_key)
            if cached and cached.expires_at - EXPIRY_MARGIN > self.clock():
                return cached
        fresh = self._request(platform, wanted)
        with self._lock:
            self._cache[cache_key] = fresh
        return fresh

    def forget(self, platform: PlatformAccess, scopes: Iterable[str]) -> None:
        """Drop a cached token the platform no longer accepts (a 401 from a service)."""
        with self._lock:
            self._cache.pop((platform.issuer, platform.client_id, frozenset(scopes)), None)

    def _request(self, platform: PlatformAccess, scopes: frozenset[str]) -> AccessToken:
        body = urlencode(
            {
                "grant_type": "client_credentials",
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": self.client_assertion(platform),
                "scope": " ".join(sorted(scopes)),
            }
        )
        try:
            response = self.http.post(
                platform.token_url,
                data=body,
                headers={"Content-Type": FORM_CONTENT_TYPE, "Accept": "application/json"},
                timeout=TIMEOUT,
                max_bytes=MAX_BYTES,
            )
        except OutboundError as exc:
            raise TokenRefused(f"the platform's token endpoint cannot be reached: {exc}") from exc
        payload = _json_object(response)
        if response.status_code != 200:
            code = str(payload.get("error") or "") or None
            log.warning(
                "token endpoint %s refused scopes %s: %s",
                platform.token_url,
                sorted(scopes),
                # OAuth's error code, not its description (it may name the client);
                # an answer without one (a proxy's HTML page) in one line.
                f"HTTP {response.status_code}, error {code}" if code else summarise(response),
            )
            if code == "invalid_scope":
                raise InvalidScope(
                    "the platform does not grant these services to the tool",
                    status=response.status_code,
                    code=code,
                )
            raise TokenRefused(
                "the platform refused to give the tool a service token",
                status=response.status_code,
                code=code,
            )
        return self._parse(payload, scopes)

    def _parse(self, payload: dict[str, object], asked: frozenset[str]) -> AccessToken:
        value = payload.get("access_token")
        token_type = payload.get("token_type")
        if not isinstance(value, str) or not value:
            raise TokenRefused("the token endpoint answered without an access_token")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            raise TokenRefused(f"the token endpoint gave an unusable token type: {token_type!r}")
        expires_in = payload.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        granted = payload.get("scope")
        scopes = frozenset(granted.split()) if isinstance(granted, str) and granted else asked
        return AccessToken(value, scopes, self.clock() + lifetime)


def _json_object(response: OutboundResponse) -> dict[str, object]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
