"""Fetching the documents an OB 2.0 badge links to, each at most once, each at its id.

A hosted Assertion, its BadgeClass, the issuer Profile, keys, revocation lists and
endorsements are all JSON-LD documents "identified by the URL they are served at". The
rule that matters for trust is that a document fetched from URL X declares X as its
``id`` (validator-core's "Node fetched from source X declared its id as Y"): otherwise a
server could answer for a document it does not host. Redirects are allowed, so the final
URL after redirects counts too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from badges.openbadges.loader import Loader, LoaderError
from badges.openbadges.ob2_rules import Sink

Json = dict[str, Any]


def is_http(value: Any) -> bool:
    """True for an http(s) URL, the only ids a verifier can dereference."""
    return isinstance(value, str) and value.startswith(("http://", "https://"))


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    document: Json | None  # None when the body is not a JSON object


class Fetcher:
    """GETs through the caller's Loader, caching per run, reporting through a Sink."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.responses: dict[str, Response | LoaderError] = {}

    def get(self, url: str) -> Response:
        """GET ``url`` once per run; raises LoaderError when the request fails."""
        cached = self.responses.get(url)
        if cached is None:
            try:
                fetched = self.loader(url)
                try:
                    document = json.loads(fetched.body) if fetched.body else None
                except ValueError:
                    document = None
                mapping = dict(document) if isinstance(document, Mapping) else None
                cached = Response(fetched.url, fetched.status, mapping)
            except LoaderError as exc:
                cached = exc
            self.responses[url] = cached
        if isinstance(cached, LoaderError):
            raise cached
        return cached

    def fetch(self, url: str, what: str, sink: Sink, path: str) -> Json | None:
        """The JSON object at ``url``, checked to declare ``url`` as its id; else None.

        Failures are reported to ``sink`` as ``ob2.fetch`` (unreachable, not 2xx, not a
        JSON object) or ``ob2.id-mismatch`` (the document names another id; it is
        still returned so that its other faults can be reported too).
        """
        try:
            response = self.get(url)
        except LoaderError as exc:
            sink.error("ob2.fetch", f"cannot fetch the {what}: {exc}", path)
            return None
        if not 200 <= response.status < 300:
            sink.error("ob2.fetch", f"the {what} at {url} answered HTTP {response.status}", path)
            return None
        if response.document is None:
            sink.error("ob2.fetch", f"the {what} at {url} is not a JSON object", path)
            return None
        declared = response.document.get("id")
        if declared not in (url, response.url):
            sink.error(
                "ob2.id-mismatch",
                f"the {what} fetched from {url} declares its id as {declared!r}",
                path,
            )
        return response.document
