"""The guarded client against real servers: the internal listener on 127.0.0.2 hears
nothing, redirects are re-checked, slow and huge answers are cut, logs keep secrets."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from badges.outbound.client import OutboundClient
from badges.outbound.errors import (
    NotAWebAddress,
    OutboundError,
    OutboundTimeout,
    PrivateAddress,
    RedirectRefused,
    ResponseTooLarge,
)
from tests.internal_listener import InternalListener
from tests.live_server import LiveServer

#: What the test configuration allows: the test platforms' loopback address only.
LOCAL = ("127.0.0.1", "localhost")

Wsgi = Callable[..., Any]


@pytest.fixture
def serve() -> Iterator[Callable[[Wsgi], str]]:
    """Start WSGI apps on 127.0.0.1 (an allowed host); yields a function giving their URL."""
    servers: list[LiveServer] = []

    def start(app: Wsgi) -> str:
        servers.append(LiveServer(app).start())
        return servers[-1].url

    yield start
    for server in servers:
        server.stop()


def redirect_to(target: str, status: str = "302 Found") -> Wsgi:
    def app(environ: dict, start_response):  # type: ignore[no-untyped-def]
        start_response(status, [("Location", target), ("Content-Length", "0")])
        return [b""]

    return app


def answer(body: bytes, seen: list[dict] | None = None, **headers: str) -> Wsgi:
    def app(environ: dict, start_response):  # type: ignore[no-untyped-def]
        if seen is not None:
            seen.append({k: v for k, v in environ.items() if k.startswith("HTTP_")})
        start_response("200 OK", [("Content-Type", "application/json"), *headers.items()])
        return [body]

    return app


# -- addresses ------------------------------------------------------------------------


def test_a_private_address_is_refused_before_any_request(inside: InternalListener) -> None:
    client = OutboundClient(LOCAL)
    with pytest.raises(PrivateAddress):
        client.get(f"{inside.url}/latest/meta-data/")
    with pytest.raises(PrivateAddress):  # refused before a TLS handshake is tried
        client.post(inside.url.replace("http:", "https:") + "/admin", json={"x": 1})
    assert inside.heard == []


def test_allowed_hosts_are_reached_and_nothing_else(
    inside: InternalListener, serve: Callable[[Wsgi], str]
) -> None:
    local = serve(answer(b'{"ok": true}'))
    assert OutboundClient(LOCAL).get(local).json() == {"ok": True}
    with pytest.raises(PrivateAddress):
        OutboundClient().get(local)  # nothing allowed: 127.0.0.1 is private too
    assert OutboundClient(["127.0.0.2"]).get(f"{inside.url}/allowed").ok
    assert OutboundClient("*").get(f"{inside.url}/any").ok
    assert [h.path for h in inside.heard] == ["/allowed", "/any"]


def test_a_name_rebound_to_a_private_address_after_the_check_is_refused(
    inside: InternalListener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name is public when checked, the inside when connected.

    There is no DNS server to rebind in a test, so the resolver is patched: its first
    answer (the check before connecting) is public, every later one (the connection's
    own lookup) is 127.0.0.2. The check on the connected socket must catch it.
    """
    real = socket.getaddrinfo
    answers = iter(["93.184.215.14"])
    asked: list[str] = []

    def rebinding_dns(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "platform.example":
            asked.append(host)
            return real(next(answers, "127.0.0.2"), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    port = inside.url.rsplit(":", 1)[1]
    with pytest.raises(PrivateAddress, match=r"127\.0\.0\.2"):
        OutboundClient(LOCAL).get(f"http://platform.example:{port}/openid-configuration")
    assert len(asked) == 2  # checked, then resolved again by the connection
    assert inside.heard == []


# -- redirects ------------------------------------------------------------------------


def test_redirects_are_not_followed_unless_asked_then_each_hop_is_checked(
    inside: InternalListener, serve: Callable[[Wsgi], str]
) -> None:
    bouncer = serve(redirect_to(f"{inside.url}/latest/meta-data/"))
    client = OutboundClient(LOCAL)

    answered = client.get(f"{bouncer}/jwks", headers={"Authorization": "Bearer s3cret"})
    assert answered.status_code == 302 and answered.is_redirect
    with pytest.raises(PrivateAddress):
        client.get(f"{bouncer}/jwks", allow_redirects=True)
    for status in ("307 Temporary Redirect", "308 Permanent Redirect"):
        again = serve(redirect_to(f"{inside.url}/token", status))
        with pytest.raises(PrivateAddress):
            client.post(again, data="secret=1", allow_redirects=True)
    assert inside.heard == []


def test_a_redirect_to_another_site_drops_the_credentials(serve: Callable[[Wsgi], str]) -> None:
    seen: list[dict] = []
    other_site = serve(answer(b"{}", seen))
    same_site_target: list[dict] = []
    base = serve(lambda e, s: answer(b"{}", same_site_target)(e, s))
    hop = serve(redirect_to(f"{other_site}/landing"))
    client = OutboundClient(LOCAL)

    landed = client.get(
        f"{hop}/start", headers={"Authorization": "Bearer s3cret"}, allow_redirects=True
    )

    assert landed.url == f"{other_site}/landing"
    assert landed.history == (f"{hop}/start",)
    assert "HTTP_AUTHORIZATION" not in seen[0]
    assert client.get(base, headers={"Authorization": "Bearer s3cret"}).ok
    assert same_site_target[0]["HTTP_AUTHORIZATION"] == "Bearer s3cret"


def test_too_many_redirects_and_odd_schemes_are_refused(serve: Callable[[Wsgi], str]) -> None:
    loop: list[str] = []
    url = serve(lambda e, s: redirect_to(loop[0])(e, s))
    loop.append(f"{url}/again")
    client = OutboundClient(LOCAL)
    with pytest.raises(RedirectRefused, match="redirects"):
        client.get(url, allow_redirects=True)
    with pytest.raises(RedirectRefused, match="non-web"):
        client.get(serve(redirect_to("file:///etc/passwd")), allow_redirects=True)
    with pytest.raises(NotAWebAddress):
        client.get("gopher://127.0.0.1/")


# -- the total deadline and the size cap ----------------------------------------------


class _Dripping:
    """A raw TCP server that answers one byte at a time, far too slowly."""

    def __init__(self, head: bytes, drip: bytes, every: float = 0.05) -> None:
        self.sent = 0
        self.cut = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._head, self._drip, self._every = head, drip, every
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        connection, _address = self._listener.accept()
        with connection:
            connection.recv(65536)
            try:
                connection.sendall(self._head)
                for byte in self._drip:  # 400 bytes at 50 ms: 20 s in all
                    connection.sendall(bytes([byte]))
                    self.sent += 1
                    time.sleep(self._every)
            except OSError:
                self.cut.set()

    def close(self) -> None:
        self._listener.close()


@pytest.mark.parametrize(
    ("head", "drip"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n", b"x" * 400),  # the body
        (b"HTTP/1.1 200 OK\r\n", b"X-Slow: y\r\n" * 40),  # the headers
    ],
)
def test_a_dripping_server_is_cut_at_the_total_deadline(head: bytes, drip: bytes) -> None:
    """Each byte comes well within any read timeout; the call still ends on time."""
    server = _Dripping(head, drip)
    try:
        with pytest.raises(OutboundTimeout, match="within 1 s"):
            OutboundClient(LOCAL).get(server.url, timeout=1)
        assert server.cut.wait(5)  # the connection was closed under the server
        assert server.sent < len(drip)  # long before the drip would have ended
    finally:
        server.close()


def test_a_huge_body_is_cut_at_the_size_cap(serve: Callable[[Wsgi], str]) -> None:
    produced: list[int] = []

    def endless(environ: dict, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", [("Content-Type", "application/json")])

        def chunks() -> Iterator[bytes]:
            for _ in range(2000):  # 128 MB if anybody read it all
                produced.append(1)
                yield b"x" * 65536

        return chunks()

    url = serve(endless)
    with pytest.raises(ResponseTooLarge, match="more than 1048576 bytes"):
        OutboundClient(LOCAL).get(url, max_bytes=1024 * 1024)
    time.sleep(0.2)
    assert len(produced) < 2000  # the server was stopped by the closed connection

    announced = serve(answer(b"{}", **{"Content-Length": "999999999"}))
    with pytest.raises(ResponseTooLarge, match="announces"):
        OutboundClient(LOCAL).get(announced, max_bytes=1024)


# -- what the client keeps and logs ---------------------------------------------------


def test_responses_read_like_requests_and_no_cookie_is_kept(
    serve: Callable[[Wsgi], str],
) -> None:
    seen: list[dict] = []
    body = b'{"nom": "Sylvie Aubert"}'
    url = serve(answer(body, seen, **{"Set-Cookie": "session=abc; Path=/"}))
    client = OutboundClient(LOCAL)

    first = client.get(url, params={"page": 2})
    client.get(url)

    assert (first.status_code, first.ok, first.json()) == (200, True, {"nom": "Sylvie Aubert"})
    assert first.headers["content-type"] == "application/json"
    assert first.text == '{"nom": "Sylvie Aubert"}'
    assert first.url.endswith("?page=2")
    assert "HTTP_COOKIE" not in seen[1]


def test_failures_are_logged_without_body_query_or_authorization(
    inside: InternalListener, serve: Callable[[Wsgi], str], caplog: pytest.LogCaptureFixture
) -> None:
    huge = serve(answer(b"SECRET-BODY " * 1000))
    client = OutboundClient(LOCAL)
    caplog.set_level(logging.WARNING, logger="badges.outbound")

    with pytest.raises(OutboundError):
        client.get(f"{huge}/page?token=q-s3cret", max_bytes=100)
    with pytest.raises(OutboundError):
        client.post(f"{inside.url}/scores", headers={"Authorization": "Bearer b-s3cret"})

    logged = caplog.text
    assert "GET http://127.0.0.1:" in logged and "ResponseTooLarge" in logged
    assert "POST http://127.0.0.2:" in logged and "PrivateAddress" in logged
    for secret in ("SECRET-BODY", "q-s3cret", "b-s3cret"):
        assert secret not in logged
