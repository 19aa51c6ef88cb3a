"""Remote answers summarised in one line: real answers of a real server, read by the client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from badges.outbound.client import OutboundClient
from badges.outbound.summary import FIRST_LINE_LIMIT, summarise
from tests.live_server import LiveServer

LOCAL = ("127.0.0.1", "localhost")
#: What Moodle answers every service call while it is in maintenance mode (abridged).
MAINTENANCE = b"""<!DOCTYPE html>
<html dir="ltr" lang="fr" xml:lang="fr">
<head>
    <title>Site under maintenance</title>
    <style>body { font-family: sans-serif; }</style>
    <script>var M = {}; M.cfg = {"wwwroot": "https://moodle.example"};</script>
</head>
<body id="page-maintenance">
  <div class="maintenance">
    <h1>Site en maintenance</h1>
    <p>Ce site est en cours de maintenance &amp; sera bient\xc3\xb4t disponible.</p>
  </div>
</body>
</html>
"""
OPENEDX_STALE = b'{"timestamp": ["Score already exists for the provided timestamp"]}'


def _answer(status: str, body: bytes, content_type: str | None) -> Callable[..., Any]:
    def app(environ: dict, start_response):  # type: ignore[no-untyped-def]
        headers = [("Content-Type", content_type)] if content_type else []
        start_response(status, headers)
        return [body]

    return app


@pytest.fixture
def fetch() -> Iterator[Callable[[str, bytes, str | None], str]]:
    """Serve one answer on 127.0.0.1, fetch it with the guarded client, summarise it."""
    servers: list[LiveServer] = []

    def run(status: str, body: bytes, content_type: str | None) -> str:
        servers.append(LiveServer(_answer(status, body, content_type)).start())
        return summarise(OutboundClient(LOCAL).post(servers[-1].url + "/scores"))

    yield run
    for server in servers:
        server.stop()


def test_an_html_error_page_is_its_title_on_one_line(fetch) -> None:  # type: ignore[no-untyped-def]
    line = fetch("503 Service Unavailable", MAINTENANCE, "text/html; charset=utf-8")

    assert line == f'HTTP 503, text/html, "Site under maintenance", {len(MAINTENANCE)} bytes'
    assert "\n" not in line and "<" not in line and "wwwroot" not in line


def test_a_json_error_keeps_its_words(fetch) -> None:  # type: ignore[no-untyped-def]
    line = fetch("400 Bad Request", OPENEDX_STALE, "application/json")

    assert line == (
        "HTTP 400, application/json, "
        "\"{'timestamp': ['Score already exists for the provided timestamp']}\""
    )


def test_a_long_first_line_is_cut_and_an_empty_body_says_nothing(fetch) -> None:  # type: ignore[no-untyped-def]
    long = fetch("502 Bad Gateway", b"x" * 5000 + b"\nsecond line", "text/plain")
    empty = fetch("500 Internal Server Error", b"", None)
    untyped_html = fetch("500 Internal Server Error", b"\n\n<p>  Oops\t here </p>", None)

    assert long == f'HTTP 502, text/plain, "{"x" * (FIRST_LINE_LIMIT - 1)}…", 5012 bytes'
    assert "second line" not in long
    assert empty == "HTTP 500, no content type"
    assert untyped_html == 'HTTP 500, no content type, "Oops here", 22 bytes'
