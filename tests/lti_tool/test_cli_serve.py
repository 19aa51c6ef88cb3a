"""``chemins serve`` as an operator runs it: access logs without credentials, proxies, HSTS.

The servers run for real in a child process (gunicorn, then Werkzeug's with ``--dev``);
the test reads what they print, as the operator's log collector would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from click.testing import CliRunner

from lti_tool.cli import main
from tests.live_server import free_port

START = "from lti_tool.cli import main; main()"
SECRETS = ("HANDLE-SECRET", "ADMIN-SECRET", "LINK-SECRET", "REG-SECRET", "REFERER-SECRET")


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    result = CliRunner().invoke(main, ["db", "upgrade"], env=cli_env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return cli_env


@contextmanager
def serving(env: dict[str, str], *options: str) -> Iterator[tuple[str, list[str]]]:
    """``chemins serve`` in a child process; yields its URL and, after it stopped, its output."""
    port = free_port()
    child = subprocess.Popen(
        [sys.executable, "-c", START, "serve", "--port", str(port), "--workers", "1", *options],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    output: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while True:
            assert child.poll() is None, child.communicate()[0]
            try:
                requests.get(url + "/lti/config", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield url, output
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            output.append(child.communicate(timeout=20)[0])
        finally:
            if child.poll() is None:
                child.kill()


def _visit_with_credentials(url: str) -> requests.Response:
    return requests.get(
        url + "/lti/launched",
        params={
            "lh": "HANDLE-SECRET",
            "at": "ADMIN-SECRET",
            "rl": "LINK-SECRET",
            "registration_token": "REG-SECRET",
            "lang": "fr",
        },
        headers={"Referer": f"{url}/lti/links/x?lh=REFERER-SECRET&lang=en"},
        timeout=10,
    )


@pytest.mark.parametrize("server", [(), ("--dev",)], ids=["gunicorn", "werkzeug"])
def test_the_access_log_holds_no_credential(env: dict[str, str], server: tuple[str, ...]) -> None:
    with serving(env, *server) as (url, output):
        assert _visit_with_credentials(url).status_code == 401
    log = "".join(output)
    assert "GET /lti/launched?lh=[redacted]&at=[redacted]&rl=[redacted]" in log, log
    assert "registration_token=[redacted]&lang=fr" in log
    for secret in SECRETS:
        assert secret not in log, log


def test_behind_an_allowed_proxy_its_headers_count(env: dict[str, str]) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    with serving(env) as (url, output):
        direct = requests.get(url + "/", headers=forwarded, timeout=10)
    assert "203.0.113.7" not in "".join(output)  # nobody's headers count by default
    with serving(env, "--forwarded-allow-ips", "127.0.0.1, ::1") as (url, output):
        proxied = requests.get(url + "/", headers=forwarded, timeout=10)
    assert "\n203.0.113.7 - " in "".join(output)
    # The instance's public URL is HTTPS: browsers are told to stay on it.
    for answer in (direct, proxied):
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_proxy_list_comes_from_the_environment_and_is_checked(env: dict[str, str]) -> None:
    with serving({**env, "CHEMINS_FORWARDED_ALLOW_IPS": "127.0.0.0/8"}) as (url, output):
        requests.get(url + "/", headers={"X-Forwarded-For": "198.51.100.4"}, timeout=10)
    assert "\n198.51.100.4 - " in "".join(output)
    refused = CliRunner().invoke(main, ["serve", "--forwarded-allow-ips", "10.0.0.1/8"], env=env)
    assert refused.exit_code == 2 and "forwarded-allow-ips" in refused.output
