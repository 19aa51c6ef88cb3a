"""How a verifier reads documents it must fetch (hosted assertions, issuers, keys, lists).

Verification code never calls the network itself: it asks a :class:`Loader`.
:class:`HttpLoader` fetches over HTTP(S) with the HTTP client its caller gives it: in
Chemins, the guarded client of :mod:`badges.outbound` (private addresses refused, a
total deadline, a size cap, each redirect re-checked), so this package holds no
network policy of its own and imports no HTTP library. Tests use a loader over a local
server or a dict. JSON-LD contexts are bundled and never go through a loader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024


class LoaderError(Exception):
    """The document could not be fetched (network error, too large, bad URL)."""


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL after redirects
    status: int
    content_type: str
    body: bytes


class Loader(Protocol):
    def __call__(
        self, url: str, accept: str = "application/ld+json, application/json"
    ) -> Fetched: ...


class HttpResponse(Protocol):
    """What :class:`HttpLoader` reads of an answer."""

    url: str
    status_code: int
    headers: Mapping[str, str]
    content: bytes


class HttpClient(Protocol):
    """A client whose ``get`` bounds time and size and raises an ``OSError`` on failure.

    :class:`badges.outbound.client.OutboundClient` is one.
    """

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str],
        timeout: float,
        max_bytes: int,
        allow_redirects: bool,
    ) -> HttpResponse: ...


class HttpLoader:
    """Fetches over HTTP(S) through ``http``, following redirects, with a size cap.

    ``http`` bounds the call's time and size itself; the size is checked here again.
    """

    def __init__(self, http: HttpClient, timeout: float = 10.0) -> None:
        self.http = http
        self.timeout = timeout

    def __call__(self, url: str, accept: str = "application/ld+json, application/json") -> Fetched:
        if not url.startswith(("http://", "https://")):
            raise LoaderError(f"not an http(s) URL: {url[:80]}")
        try:
            response = self.http.get(
                url,
                headers={"Accept": accept},
                timeout=self.timeout,
                max_bytes=MAX_DOCUMENT_BYTES,
                allow_redirects=True,
            )
        except OSError as exc:  # requests' and the guarded client's errors are OSErrors
            raise LoaderError(f"cannot fetch {url}: {exc.__class__.__name__}: {exc}") from exc
        if len(response.content) > MAX_DOCUMENT_BYTES:
            raise LoaderError(f"document larger than {MAX_DOCUMENT_BYTES} bytes: {url}")
        return Fetched(
            response.url,
            response.status_code,
            response.headers.get("Content-Type", ""),
            response.content,
        )
