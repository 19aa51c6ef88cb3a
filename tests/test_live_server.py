"""The test servers' port handling: what made a whole run fail once must not again."""

from __future__ import annotations

import socket

import pytest
import requests
from flask import Flask

from tests.live_server import LiveServer, _ephemeral_range, free_port, serving


def _hello() -> Flask:
    app = Flask("hello")
    app.get("/")(lambda: "bonjour")
    return app


def test_free_ports_are_outside_the_ephemeral_range_and_never_given_twice():
    low, high = _ephemeral_range()
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == 50
    assert all(not low <= port <= high for port in ports)


def test_a_port_taken_meanwhile_raises_oserror_not_system_exit():
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", free_port()))
        squatter.listen()
        with pytest.raises(OSError):
            LiveServer(_hello(), port=squatter.getsockname()[1])


def test_a_stopped_server_frees_its_port_for_the_next_one():
    port = free_port()
    with serving(_hello(), port) as server:
        assert requests.get(server.url, timeout=5).text == "bonjour"
    with serving(_hello(), port) as server:
        assert requests.get(server.url, timeout=5).text == "bonjour"
