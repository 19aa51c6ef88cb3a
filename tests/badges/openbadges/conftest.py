"""Fixtures for verifying badges against real HTTP: a local server and recorded documents.

``badge_server`` is a real ``http.server`` on 127.0.0.1 (a free port) that answers each
path+query from a dict of ``(status, content type, body)``; verification reaches it
through the production :class:`HttpLoader`, redirects and all. ``moodle_loader`` serves
the recorded Moodle 4.3 bodies at the exact URLs written inside them, byte for byte.
``ob2_issuer`` builds a complete OB 2.0 issuer (Profile, key, BadgeClass, RevocationList) on
the local server with Chemins' own builders, so tests change one thing and see one rule.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from badges.openbadges import jws, ob2
from badges.openbadges.keys import generate_key, public_key_pem
from badges.openbadges.loader import Fetched, HttpLoader
from badges.outbound.client import OutboundClient
from tests.conftest import LOCAL_HOSTS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
MOODLE = FIXTURES / "moodle-4.3"
BADGR = FIXTURES / "badgr-server"
MOODLE_ORIGIN = "http://127.0.0.1:8081"
MOODLE_ASSERTION_URL = (
    f"{MOODLE_ORIGIN}/badges/assertion.php?b=f7bd6613cd2650036b40cc73622b30a03bde5af7&obversion=2"
)
# URL inside the recorded files → recorded body.
MOODLE_DOCUMENTS = {
    MOODLE_ASSERTION_URL: "assertion_obv2.json",
    f"{MOODLE_ORIGIN}/badges/badge_json.php?id=1": "badgeclass_obv2.json",
    f"{MOODLE_ORIGIN}/badges/issuer_json.php?id=1": "issuer_obv2.json",
    f"{MOODLE_ORIGIN}/badges/endorsement_json.php?id=1": "endorsement_obv2.json",
}
LEARNER = "learner1@example.com"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
PNG_DATA_URI = "data:image/png;base64,iVBORw0KGgo="


@dataclass
class DictLoader:
    """A Loader over a dict of URL → (status, content type, body); records every URL."""

    documents: dict[str, tuple[int, str, bytes]]
    requested: list[str] = field(default_factory=list)

    def __call__(self, url: str, accept: str = "application/ld+json, application/json") -> Fetched:
        self.requested.append(url)
        status, content_type, body = self.documents.get(url, (404, "text/plain", b"not found"))
        return Fetched(url, status, content_type, body)


@pytest.fixture
def moodle_loader() -> DictLoader:
    return DictLoader(
        {
            url: (200, "application/json; charset=utf-8", (MOODLE / name).read_bytes())
            for url, name in MOODLE_DOCUMENTS.items()
        }
    )


class BadgeServer:
    """What the local server answers: ``routes[path_and_query] = (status, type, body)``.

    ``requested`` lists the paths asked for, in order, so a test can tell what a
    verifier fetched.
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.requested: list[str] = []

    def url(self, path: str) -> str:
        return self.base_url + path

    def serve(self, path: str, body: bytes, content_type: str, status: int = 200) -> str:
        """Serve ``body`` at ``path``; returns its absolute URL."""
        self.routes[path] = (status, content_type, body)
        return self.url(path)

    def serve_json(self, path: str, document: Any, status: int = 200) -> str:
        """Serve ``document`` as JSON-LD at ``path``; returns its absolute URL."""
        return self.serve(path, json.dumps(document).encode("utf-8"), "application/ld+json", status)

    def redirect(self, path: str, target: str) -> str:
        """Answer ``path`` with a 302 to ``target``; returns the URL of ``path``."""
        return self.serve(path, target.encode("utf-8"), "text/plain", 302)


@pytest.fixture
def badge_server() -> Iterator[BadgeServer]:
    """A real HTTP server on 127.0.0.1 (free port) serving a ``BadgeServer``'s dict."""
    state: dict[str, BadgeServer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server = state["server"]
            server.requested.append(self.path)
            status, content_type, body = server.routes.get(
                self.path, (404, "text/plain", b"not found")
            )
            self.send_response(status)
            if status in (301, 302, 303, 307, 308):
                self.send_header("Location", body.decode("utf-8"))
                body = b""
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["server"] = BadgeServer(f"http://127.0.0.1:{httpd.server_address[1]}")
    # A short poll interval keeps shutdown (once per test) from costing half a second.
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state["server"]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def http_loader() -> HttpLoader:
    return HttpLoader(OutboundClient(LOCAL_HOSTS), timeout=5)


@pytest.fixture(scope="session")
def rsa_key() -> Any:
    return generate_key("RS256")


@pytest.fixture(scope="session")
def other_rsa_key() -> Any:
    return generate_key("RS256")


@dataclass
class Ob2Issuer:
    """A complete OB 2.0 issuer published on the local server."""

    server: BadgeServer
    key: Any
    profile: dict[str, Any]
    key_document: dict[str, Any]
    badge: dict[str, Any]
    revocations: dict[str, Any]

    def publish(self) -> None:
        """Serve the current state of every document at its path."""
        self.server.serve_json("/issuer", self.profile)
        self.server.serve_json("/keys/1", self.key_document)
        self.server.serve_json("/badges/1", self.badge)
        self.server.serve_json("/revocations", self.revocations)

    def signed(self, **changes: Any) -> tuple[dict[str, Any], str]:
        """A signed Assertion for LEARNER (``changes`` override properties) and its JWS."""
        document = ob2.assertion(
            id=f"urn:uuid:{uuid.uuid4()}",
            recipient=ob2.recipient_identity(identity=LEARNER),
            badge=self.badge["id"],
            verification=ob2.signed_verification(creator=self.key_document["id"]),
            issued_on=datetime(2026, 11, 28, 20, 0, tzinfo=UTC),
        )
        document.update(changes)
        return document, jws.sign(document, self.key)

    def hosted(self, path: str = "/assertions/1", **changes: Any) -> dict[str, Any]:
        """A hosted Assertion served at ``path`` (``changes`` override properties)."""
        document = ob2.assertion(
            id=self.server.url(path),
            recipient=ob2.recipient_identity(identity=LEARNER),
            badge=self.badge["id"],
            verification=ob2.hosted_verification(),
            issued_on=datetime(2026, 11, 28, 20, 0, tzinfo=UTC),
        )
        document.update(changes)
        self.server.serve_json(path, document)
        return document


@pytest.fixture
def ob2_issuer(badge_server: BadgeServer, rsa_key: Any) -> Ob2Issuer:
    url = badge_server.url
    profile = ob2.issuer_profile(
        id=url("/issuer"),
        name="Centre social des Chemins",
        url=url("/"),
        email="contact@chemins.example",
        public_key=[url("/keys/1")],
        revocation_list=url("/revocations"),
    )
    key_document = ob2.cryptographic_key(
        id=url("/keys/1"), owner=url("/issuer"), public_key_pem=public_key_pem(rsa_key)
    )
    badge = ob2.badge_class(
        id=url("/badges/1"),
        name="Je soutiens",
        description="Helped a peer",
        image=PNG_DATA_URI,
        criteria=ob2.criteria(narrative="Help a peer three times"),
        issuer=url("/issuer"),
    )
    revocations = ob2.revocation_list(id=url("/revocations"), issuer=url("/issuer"), revoked={})
    world = Ob2Issuer(badge_server, rsa_key, profile, key_document, badge, revocations)
    world.publish()
    return world
