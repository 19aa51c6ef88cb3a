"""Real HTTP servers on 127.0.0.1 for tests: the tool, a demo platform, fake remotes.

A WSGI app served by werkzeug in a daemon thread, on a free port, stopped at teardown.
Tests then talk to it over real sockets (requests, Playwright), as a browser or an LMS
would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import make_server


class LiveServer:
    def __init__(self, app: Callable[..., Any], host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = make_server(host, port, app, threaded=True)
        self.host = host
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


def free_port(host: str = "127.0.0.1") -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextmanager
def serving(
    app: Callable[..., Any], port: int = 0, host: str = "127.0.0.1"
) -> Iterator[LiveServer]:
    server = LiveServer(app, host, port).start()
    try:
        yield server
    finally:
        server.stop()
