"""An "internal" HTTP service on 127.0.0.2 that records whatever reaches it.

It stands for everything behind the tool's firewall (a metadata service, an admin
interface, a database's HTTP port): tests aim the tool's outbound calls at it through
launches, redirects, registrations and DNS tricks, then check that it heard nothing.
127.0.0.2 is a loopback address the test configuration does not allow (only
``127.0.0.1`` and ``localhost`` are), so reaching it would be a real escape.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tests.live_server import LiveServer, free_port

HOST = "127.0.0.2"


@dataclass
class Heard:
    method: str
    path: str
    authorization: str | None


@dataclass
class InternalListener:
    url: str
    heard: list[Heard] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def origin(self) -> str:
        return self.url

    def app(self, environ: dict, start_response):  # type: ignore[no-untyped-def]
        with self.lock:
            query = environ.get("QUERY_STRING")
            path = environ.get("PATH_INFO", "") + (f"?{query}" if query else "")
            self.heard.append(
                Heard(environ["REQUEST_METHOD"], path, environ.get("HTTP_AUTHORIZATION"))
            )
        body = b'{"inside": true}'
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]


@contextmanager
def internal_listener() -> Iterator[InternalListener]:
    """A recording server on 127.0.0.2, stopped afterwards."""
    port = free_port(HOST)
    listener = InternalListener(f"http://{HOST}:{port}")
    server = LiveServer(listener.app, host=HOST, port=port).start()
    try:
        yield listener
    finally:
        server.stop()
