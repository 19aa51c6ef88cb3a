"""What the protocol code needs to know about registered platforms, as plain values.

The web layer reads the database and hands these frozen values (and small lookup
objects implementing :class:`ToolStore`) to the login and launch code, which therefore
never touches storage or Flask and can be tested with a dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class RegistrationInfo:
    """One (issuer, client_id) registration and the deployment ids it allows."""

    id: str
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    deployment_ids: frozenset[str]


@dataclass(frozen=True)
class LoginRecord:
    """What the tool stored when it answered a login initiation (one ``state``)."""

    state: str
    nonce: str
    registration_id: str
    target_link_uri: str
    lti_deployment_id: str | None
    created_at: datetime
    used: bool


@dataclass(frozen=True)
class ToolUrls:
    """The tool's own public URLs, all built on the instance origin."""

    origin: str

    @property
    def login_url(self) -> str:
        return f"{self.origin}/lti/login"

    @property
    def launch_url(self) -> str:
        return f"{self.origin}/lti/launch"

    @property
    def redirect_uris(self) -> tuple[str, ...]:
        """Where platforms may POST id_tokens: only the launch URL."""
        return (self.launch_url,)

    @property
    def jwks_url(self) -> str:
        return f"{self.origin}/.well-known/jwks.json"

    def is_ours(self, url: str) -> bool:
        """Whether ``url`` points into this tool (same origin, any path)."""
        return url == self.origin or url.startswith(self.origin + "/")


class ToolStore(Protocol):
    """Lookups the login and launch steps need; the web layer implements them."""

    def registrations(self, issuer: str) -> list[RegistrationInfo]:
        """Every registration of ``issuer`` (empty when the issuer is unknown)."""
        ...

    def login(self, state: str) -> LoginRecord | None:
        """The login that issued ``state``, used or not; None if never issued."""
        ...

    def nonce_issued(self, nonce: str) -> bool:
        """Whether the tool ever issued ``nonce`` (tells a replay from a forgery)."""
        ...
