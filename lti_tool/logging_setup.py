"""How Chemins logs: one line per event, with its time, level and logger, on stderr.

Every ``chemins`` command sets this up before it runs (:func:`configure_logging`), so
``chemins serve`` (gunicorn or Werkzeug's server), ``chemins worker`` and ``chemins db
upgrade`` write the same lines an operator's collector (journald, Docker, a file) can
sort and search. Without it, Python prints only warnings, as bare messages: no time, no
level, no logger, and INFO outcomes (registrations, awards, grades) never appear.

- ``CHEMINS_LOG_LEVEL``: ``DEBUG``, ``INFO`` (default), ``WARNING``, ``ERROR``; applied to
  the root logger and to the one handler, so it also holds for libraries that set
  their own level (Werkzeug's request lines, gunicorn's access log).
- ``CHEMINS_LOG_FORMAT``: ``text`` (default) or ``json`` (one JSON object per line, for
  collectors that parse fields).

Each line is *one* line: newlines and other control characters in a message or a
traceback are written as escapes (``\\n``), so a remote value cannot forge a second log
line and a traceback stays with its event. The credentials URLs carry (launch handles,
admin and registration links, any ``…token…`` parameter) are blotted out of every line,
whichever logger wrote it (:func:`lti_tool.url_credentials.redact`). Personal data is
kept out by the log calls themselves: they name rows by id, never a person by name,
e-mail or platform user id (``sub``).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from lti_tool.url_credentials import redact

LEVEL_VARIABLE = "CHEMINS_LOG_LEVEL"
FORMAT_VARIABLE = "CHEMINS_LOG_FORMAT"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMATS = ("text", "json")
DEFAULT_LEVEL = "INFO"
DEFAULT_FORMAT = "text"
#: Terminal colour codes (Werkzeug colours its request lines): noise in a log file.
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: Control characters other than the tab, written as escapes to keep one line per event.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r"}
#: Libraries that chatter at INFO on every command (Alembic names its database dialect
#: each time a command checks the schema): heard from at DEBUG only.
CHATTY = ("alembic",)


class LogSettingError(ValueError):
    """``CHEMINS_LOG_LEVEL`` or ``CHEMINS_LOG_FORMAT`` holds a value Chemins does not know."""


def _escape(character: re.Match[str]) -> str:
    found = character.group()
    return _ESCAPES.get(found) or f"\\x{ord(found):02x}"


def one_line(text: str) -> str:
    """``text`` without colour codes or credentials, its control characters escaped."""
    return _CONTROL.sub(_escape, redact(_ANSI.sub("", text)))


def _time(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class TextFormatter(logging.Formatter):
    """``2026-12-04T16:05:21.123Z WARNING lti_tool.blueprints.lti: message | traceback``."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"{_time(record)} {record.levelname} {record.name}: {record.getMessage()}"
        details = _details(self, record)
        return one_line(f"{line} | {details}" if details else line)


class JsonFormatter(logging.Formatter):
    """``{"time": …, "level": …, "logger": …, "message": …, "exception": …}`` per line."""

    def format(self, record: logging.LogRecord) -> str:
        fields: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": one_line(record.getMessage()),
        }
        details = _details(self, record)
        if details:
            fields["exception"] = one_line(details)
        return json.dumps(fields, ensure_ascii=False)


def _details(formatter: logging.Formatter, record: logging.LogRecord) -> str:
    """The record's traceback and stack, if any (cached on the record like the stdlib)."""
    parts = []
    if record.exc_info and not record.exc_text:
        record.exc_text = formatter.formatException(record.exc_info)
    if record.exc_text:
        parts.append(record.exc_text)
    if record.stack_info:
        parts.append(formatter.formatStack(record.stack_info))
    return "\n".join(parts)


class CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the ``sys.stderr`` of the moment, not the one it was created with.

    Tests run commands with click's ``CliRunner``, which swaps ``sys.stderr`` for a
    while; a handler holding the old stream would write to a closed one afterwards.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        """Ignored: the stream is always the current ``sys.stderr``."""


class AtLeast(logging.Filter):
    """Lets through records of ``level`` and above, whichever logger they come from.

    A filter, not the handler's own level: Werkzeug adds a handler of its own (raw, in
    colour) when the handlers it finds have a level above its logger's.
    """

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self.level


def settings(environ: Mapping[str, str]) -> tuple[str, str]:
    """The level and the format the environment asks for; :class:`LogSettingError` if bad."""
    level = (environ.get(LEVEL_VARIABLE) or DEFAULT_LEVEL).strip().upper()
    if level == "WARN":
        level = "WARNING"
    if level not in LEVELS:
        given = environ.get(LEVEL_VARIABLE)
        raise LogSettingError(f"{LEVEL_VARIABLE} must be one of {', '.join(LEVELS)}, not {given!r}")
    form = (environ.get(FORMAT_VARIABLE) or DEFAULT_FORMAT).strip().lower()
    if form not in FORMATS:
        given = environ.get(FORMAT_VARIABLE)
        raise LogSettingError(f"{FORMAT_VARIABLE} must be text or json, not {given!r}")
    return level, form


def configure_logging(environ: Mapping[str, str] | None = None) -> None:
    """Put Chemins' one handler on the root logger, at the level the environment says.

    Safe to call again (each ``chemins`` command does): the previous handler of this
    module is replaced, handlers others added (a test's log capture) are left alone.
    """
    level, form = settings(os.environ if environ is None else environ)
    handler = CurrentStderr()
    handler.setFormatter(JsonFormatter() if form == "json" else TextFormatter())
    handler.addFilter(AtLeast(logging.getLevelNamesMapping()[level]))
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, CurrentStderr)]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(level)
    for name in CHATTY:
        logging.getLogger(name).setLevel(level if level == "DEBUG" else "WARNING")
