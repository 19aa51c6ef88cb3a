"""How a verifier reads documents it must fetch (hosted assertions, issuers, keys, lists).

Verification code never calls the network itself: it asks a :class:`Loader`. Production
uses :class:`HttpLoader` (``requests``, timeouts, size cap); tests use a loader over a
local server or a dict. JSON-LD contexts are bundled and never go through a loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import requests

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


class HttpLoader:
    """Fetches over HTTP(S) with a timeout and a size cap; follows redirects."""

    def __init__(self, timeout: float = 10.0, session: requests.Session | None = None) -> None:
        self.timeout = timeout
        self.session = session or requests.Session()

    def __call__(self, url: str, accept: str = "application/ld+json, application/json") -> Fetched:
        if not url.startswith(("http://", "https://")):
            raise LoaderError(f"not an http(s) URL: {url[:80]}")
        try:
            with self.session.get(
                url, headers={"Accept": accept}, timeout=self.timeout, stream=True
            ) as response:
                body = b""
                for chunk in response.iter_content(65536):
                    body += chunk
                    if len(body) > MAX_DOCUMENT_BYTES:
                        raise LoaderError(f"document larger than {MAX_DOCUMENT_BYTES} bytes: {url}")
                return Fetched(
                    response.url,
                    response.status_code,
                    response.headers.get("Content-Type", ""),
                    body,
                )
        except requests.RequestException as exc:
            raise LoaderError(f"cannot fetch {url}: {exc.__class__.__name__}") from exc
