"""``chemins serve`` as an operator runs it: access logs without credentials, proxies, HSTS.

The servers run for real in a child process (gunicorn, then Werkzeug's with ``--dev``);
the test reads what they print, as the operator's log collector would.
"""

from __future__ import annotations

import json
import re

import pytest
import requests
from click.testing import CliRunner

from lti_tool.cli import main
from tests.lti_tool.chemins_process import serving

SECRETS = ("HANDLE-SECRET", "ADMIN-SECRET", "LINK-SECRET", "REG-SECRET", "REFERER-SECRET")


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    result = CliRunner().invoke(main, ["db", "upgrade"], env=cli_env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return cli_env


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
    assert ' gunicorn.access: 203.0.113.7 "GET / HTTP/1.1" ' in "".join(output)
    # The instance's public URL is HTTPS: browsers are told to stay on it.
    for answer in (direct, proxied):
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_the_proxy_list_comes_from_the_environment_and_is_checked(env: dict[str, str]) -> None:
    with serving({**env, "CHEMINS_FORWARDED_ALLOW_IPS": "127.0.0.0/8"}) as (url, output):
        requests.get(url + "/", headers={"X-Forwarded-For": "198.51.100.4"}, timeout=10)
    assert " gunicorn.access: 198.51.100.4 " in "".join(output)
    refused = CliRunner().invoke(main, ["serve", "--forwarded-allow-ips", "10.0.0.1/8"], env=env)
    assert refused.exit_code == 2 and "forwarded-allow-ips" in refused.output


#: ``2026-12-04T16:05:21.123Z WARNING some.logger: message``
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) \S+: ")
ECHOED = "Chemins is running at "  # printed on stdout for the person who started it
ACCESS_LOGGERS = {"gunicorn": "gunicorn.access", "werkzeug": "werkzeug"}


def _logged(output: list[str]) -> list[str]:
    return [line for line in "".join(output).splitlines() if not line.startswith(ECHOED)]


def _refused_launch(url: str) -> None:
    answer = requests.post(url + "/lti/launch", data={"id_token": "not-a-jwt"}, timeout=10)
    assert answer.status_code == 400


@pytest.mark.parametrize("server", ["gunicorn", "werkzeug"])
def test_every_line_has_time_level_and_logger_and_the_level_filters(
    env: dict[str, str], server: str
) -> None:
    options = ("--dev",) if server == "werkzeug" else ()
    with serving(env, *options) as (url, output):
        _refused_launch(url)
    lines = _logged(output)
    with serving({**env, "CHEMINS_LOG_LEVEL": "WARNING"}, *options) as (url, quiet_output):
        _refused_launch(url)
    quiet = _logged(quiet_output)

    assert lines and all(TEXT_LINE.match(line) for line in lines), lines
    refusal = (
        " WARNING lti_tool.blueprints.lti: LTI LaunchRefused refused B17: launch without state"
    )
    assert any(line.endswith(refusal) for line in lines), lines
    access = f" INFO {ACCESS_LOGGERS[server]}: "
    assert any(access in line and '"POST /lti/launch HTTP/1.1" 400' in line for line in lines)
    # WARNING: the refusal stays, the request lines and the start-up chatter go.
    assert any(line.endswith(refusal) for line in quiet), quiet
    assert quiet and all(TEXT_LINE.match(line) and " INFO " not in line for line in quiet), quiet


@pytest.mark.parametrize("server", ["gunicorn", "werkzeug"])
def test_json_lines_for_a_collector(env: dict[str, str], server: str) -> None:
    options = ("--dev",) if server == "werkzeug" else ()
    with serving({**env, "CHEMINS_LOG_FORMAT": "json"}, *options) as (url, output):
        _refused_launch(url)
        _visit_with_credentials(url)

    records = [json.loads(line) for line in _logged(output)]  # every line is one object

    assert all({"time", "level", "logger", "message"} <= set(r) for r in records), records
    assert {"level": "WARNING", "logger": "lti_tool.blueprints.lti"}.items() <= next(
        r for r in records if "B17" in r["message"]
    ).items()
    access = [r for r in records if r["logger"] == ACCESS_LOGGERS[server]]
    assert any("/lti/launched?lh=[redacted]&at=[redacted]" in r["message"] for r in access)
    for secret in SECRETS:
        assert secret not in "".join(output)
