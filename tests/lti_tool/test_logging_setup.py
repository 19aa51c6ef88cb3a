"""How Chemins logs, line by line: format, level, JSON, one line per event, no credentials.

The lines are read from the process's standard error, where the handler writes them;
``tests/lti_tool/test_logs.py`` reads the same lines from real ``chemins`` processes.
"""

from __future__ import annotations

import json
import logging
import re

import pytest
from click.testing import CliRunner

from lti_tool.cli import main
from lti_tool.logging_setup import CurrentStderr, LogSettingError, configure_logging

#: ``2026-12-04T16:05:21.123Z WARNING some.logger: message``
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) \S+: ")


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


def test_text_lines_have_time_level_logger_and_stay_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging({})
    log = logging.getLogger("lti_tool.blueprints.lti")
    log.info("LTI launch accepted: %s, deployment %s", "LtiResourceLinkRequest", 7)
    log.warning("platform said %s", "line one\nFORGED 2026-01-01T00:00:00.000Z ERROR x: y\r")
    try:
        raise ValueError("a broken\nvalue")
    except ValueError:
        log.exception("score %s left for the worker", "d-1")

    lines = _lines(capsys)

    assert len(lines) == 3, lines
    assert all(TEXT_LINE.match(line) for line in lines), lines
    assert lines[0].endswith(
        " INFO lti_tool.blueprints.lti: LTI launch accepted: LtiResourceLinkRequest, deployment 7"
    )
    assert lines[1].endswith(
        "platform said line one\\nFORGED 2026-01-01T00:00:00.000Z ERROR x: y\\r"
    )
    assert " | Traceback (most recent call last):\\n" in lines[2]
    assert lines[2].endswith("ValueError: a broken\\nvalue")


def test_credentials_and_colours_never_reach_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging({})
    logging.getLogger("werkzeug").info(
        '127.0.0.1 - - "\x1b[33mGET /lti/launched?lh=HANDLE&at=ADMIN&lang=fr HTTP/1.1\x1b[0m" 401'
    )
    logging.getLogger("badges.x").warning("called %s", "https://lms/x?rl=LINK&id_token=JWT")

    text = capsys.readouterr().err

    for secret in ("HANDLE", "ADMIN", "LINK", "JWT", "\x1b"):
        assert secret not in text
    assert '"GET /lti/launched?lh=[redacted]&at=[redacted]&lang=fr HTTP/1.1" 401' in text


def test_the_level_filters_every_logger_even_those_with_their_own_level(
    capsys: pytest.CaptureFixture[str],
) -> None:
    werkzeug = logging.getLogger("werkzeug")
    own_level = werkzeug.level
    werkzeug.setLevel(logging.INFO)  # as Werkzeug's server does for its request lines
    try:
        configure_logging({"CHEMINS_LOG_LEVEL": "warning"})
        werkzeug.info("GET / 200")
        logging.getLogger("lti_tool.x").info("badge awarded")
        logging.getLogger("lti_tool.x").warning("award refused")
    finally:
        werkzeug.setLevel(own_level)

    lines = _lines(capsys)

    assert len(lines) == 1 and lines[0].endswith(" WARNING lti_tool.x: award refused"), lines
    configure_logging({"CHEMINS_LOG_LEVEL": "DEBUG"})
    logging.getLogger("lti_tool.x").debug("details")
    assert _lines(capsys)[0].endswith(" DEBUG lti_tool.x: details")


def test_json_lines_parse_and_carry_the_exception(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging({"CHEMINS_LOG_FORMAT": "JSON"})
    log = logging.getLogger("lti_tool.score_sender")
    log.info("score %s sent", "d-1")
    try:
        raise RuntimeError("platform down")
    except RuntimeError:
        log.exception("score %s left for the worker, see ?lh=H", "d-2")

    first, second = (json.loads(line) for line in _lines(capsys))

    assert set(first) == {"time", "level", "logger", "message"}
    assert first["level"] == "INFO" and first["logger"] == "lti_tool.score_sender"
    assert first["message"] == "score d-1 sent"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["time"])
    assert second["message"] == "score d-2 left for the worker, see ?lh=[redacted]"
    assert "\n" not in second["exception"] and "RuntimeError: platform down" in second["exception"]


def test_setting_up_twice_keeps_one_handler() -> None:
    configure_logging({})
    configure_logging({"CHEMINS_LOG_FORMAT": "json"})
    ours = [h for h in logging.getLogger().handlers if isinstance(h, CurrentStderr)]
    assert len(ours) == 1


@pytest.mark.parametrize(
    ("variable", "value"),
    [("CHEMINS_LOG_LEVEL", "LOUD"), ("CHEMINS_LOG_LEVEL", "20"), ("CHEMINS_LOG_FORMAT", "xml")],
)
def test_a_wrong_setting_stops_every_command(variable: str, value: str) -> None:
    with pytest.raises(LogSettingError):
        configure_logging({variable: value})

    result = CliRunner().invoke(main, ["platform", "list"], env={variable: value})

    assert result.exit_code == 2
    assert f"{variable} must be" in result.output and repr(value) in result.output
