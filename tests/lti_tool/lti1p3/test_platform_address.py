"""Registration URLs may not lead the tool into a private network unless allowed."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import responses

from lti_tool.lti1p3.dynamic_registration import fetch_platform_configuration
from lti_tool.lti1p3.platform_address import check_reachable, guarded_session
from lti_tool.lti1p3.service_errors import PrivateAddress, RegistrationFailed


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/openid-configuration",
        "http://localhost/openid-configuration",  # a name that resolves to the loopback
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://10.1.2.3/mod/lti/openid-configuration.php",
        "https://192.168.1.10/",
        "https://172.16.0.5/",
        "http://[::1]:8000/",
        "http://[fe80::1]/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://0.0.0.0/",
    ],
)
def test_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(PrivateAddress):
        check_reachable(url)


def test_a_public_address_passes() -> None:
    check_reachable("https://93.184.215.14/mod/lti/openid-configuration.php")


def test_allowed_hosts_pass_whatever_they_resolve_to() -> None:
    check_reachable("http://localhost:5001/lti/openid-configuration", ["LocalHost"])
    check_reachable("https://10.1.2.3/", ["*"])
    with pytest.raises(PrivateAddress):
        check_reachable("http://127.0.0.1/", ["localhost"])  # the host as written counts


@pytest.mark.parametrize("url", ["ftp://example.org/", "https:///nohost", "file:///etc/passwd"])
def test_other_urls_are_not_web_addresses(url: str) -> None:
    with pytest.raises(RegistrationFailed):
        check_reachable(url)


def test_a_name_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(RegistrationFailed, match="cannot be resolved"):
        check_reachable("https://no-such-host.invalid/")


# -- the connection itself: what a DNS answer changed after the check would reach -------


class _Inside(BaseHTTPRequestHandler):
    """A service of the tool's own network, which must never hear from a registration."""

    heard: list[str] = []

    def do_GET(self) -> None:
        self.heard.append(self.path)
        body = json.dumps({"issuer": "http://inside"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def inside() -> Iterator[int]:
    """A local HTTP service on 127.0.0.1; yields its port."""
    _Inside.heard = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Inside)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_a_guarded_connection_to_a_private_address_sends_nothing(inside: int) -> None:
    with pytest.raises(PrivateAddress):
        guarded_session().get(f"http://127.0.0.1:{inside}/latest/meta-data/", timeout=5)
    with pytest.raises(PrivateAddress):  # refused before the TLS handshake is tried
        guarded_session().get(f"https://127.0.0.1:{inside}/admin", timeout=5)
    assert _Inside.heard == []
    allowed = guarded_session(["127.0.0.1"]).get(f"http://127.0.0.1:{inside}/ok", timeout=5)
    assert allowed.status_code == 200
    assert guarded_session(["*"]).get(f"http://127.0.0.1:{inside}/any", timeout=5).ok
    assert _Inside.heard == ["/ok", "/any"]


def test_a_name_rebound_to_a_private_address_after_the_check_is_refused(
    inside: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the name is public when checked, the loopback when connected."""
    real = socket.getaddrinfo
    answers = iter(["93.184.215.14"])  # the check's answer; every later one: 127.0.0.1

    def rebinding_dns(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "platform.example":
            return real(next(answers, "127.0.0.1"), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    with pytest.raises(PrivateAddress):
        fetch_platform_configuration(
            f"http://platform.example:{inside}/openid-configuration", "one-time-token"
        )
    assert _Inside.heard == []


PUBLIC_PLATFORM = "https://93.184.215.14"


@pytest.mark.parametrize(
    "endpoints",
    [
        {"jwks_uri": "http://169.254.169.254/latest/meta-data/"},
        {"token_endpoint": "http://10.0.0.5/admin/token"},
    ],
)
@responses.activate
def test_a_configuration_cannot_point_later_calls_inward(endpoints: dict[str, str]) -> None:
    """The keys and the token endpoint are fetched on later launches: checked now."""
    configuration = {
        "issuer": PUBLIC_PLATFORM,
        "authorization_endpoint": f"{PUBLIC_PLATFORM}/auth",
        "token_endpoint": f"{PUBLIC_PLATFORM}/token",
        "jwks_uri": f"{PUBLIC_PLATFORM}/certs",
        "registration_endpoint": f"{PUBLIC_PLATFORM}/register",
        **endpoints,
    }
    url = f"{PUBLIC_PLATFORM}/.well-known/openid-configuration"
    responses.get(url, json=configuration)
    with pytest.raises(PrivateAddress):
        fetch_platform_configuration(url, "one-time-token")
    allowed = next(iter(endpoints.values())).split("/")[2]
    accepted = fetch_platform_configuration(url, "one-time-token", private_hosts=[allowed])
    assert accepted.issuer == PUBLIC_PLATFORM
