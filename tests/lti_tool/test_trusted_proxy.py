"""``X-Forwarded-*`` count from the proxies an admin names, and from nobody else."""

from __future__ import annotations

import pytest
from flask import Flask, request

from lti_tool.trusted_proxy import TrustedProxy, parse_allowed

FORWARDED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "chemins.example.org",
    "X-Forwarded-Port": "443",
}


def _seen(allowed: tuple[str, ...], peer: str) -> tuple[str, str, str | None]:
    app = Flask(__name__)

    @app.get("/")
    def where() -> str:
        return f"{request.scheme} {request.host} {request.remote_addr}"

    app.wsgi_app = TrustedProxy(app.wsgi_app, allowed)  # type: ignore[method-assign]
    answer = app.test_client().get("/", headers=FORWARDED, environ_base={"REMOTE_ADDR": peer})
    scheme, host, address = answer.get_data(as_text=True).split(" ")
    return scheme, host, address


@pytest.mark.parametrize(
    ("allowed", "peer"),
    [(("10.0.0.5",), "10.0.0.5"), (("10.0.0.0/24",), "10.0.0.9"), (("*",), "192.0.2.1")],
)
def test_an_allowed_proxy_is_believed(allowed: tuple[str, ...], peer: str) -> None:
    assert _seen(allowed, peer) == ("https", "chemins.example.org", "203.0.113.7")


@pytest.mark.parametrize(
    ("allowed", "peer"),
    [(("10.0.0.5",), "10.0.0.6"), (("10.0.0.0/24",), "10.0.1.9"), ((), "127.0.0.1")],
)
def test_anyone_else_is_not(allowed: tuple[str, ...], peer: str) -> None:
    assert _seen(allowed, peer) == ("http", "localhost", peer)


def test_the_list_is_parsed_and_checked() -> None:
    assert parse_allowed(" 127.0.0.1, ::1  10.0.0.0/8,") == ("127.0.0.1", "::1", "10.0.0.0/8")
    assert parse_allowed(None) == parse_allowed("") == ()
    for wrong in ("10.0.0.1/8", "localhost", "300.1.1.1"):
        with pytest.raises(ValueError):
            parse_allowed(wrong)
