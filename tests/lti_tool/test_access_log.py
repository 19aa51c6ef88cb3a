"""The servers' loggers write request lines without the credentials URLs carry."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from lti_tool.access_log import SERVER_LOGGERS, RedactCredentials, redact_server_logs


@pytest.fixture
def server_loggers() -> Iterator[None]:
    """The servers' loggers, given back without the filter the test puts on them."""
    yield
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        for found in [f for f in logger.filters if isinstance(f, RedactCredentials)]:
            logger.removeFilter(found)


@pytest.mark.usefixtures("server_loggers")
def test_the_filter_rewrites_only_records_that_hold_credentials(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redact_server_logs()
    redact_server_logs()  # once is enough, twice changes nothing
    assert sum(isinstance(f, RedactCredentials) for f in logging.getLogger("werkzeug").filters) == 1
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('"%s" %s', "GET /p?lh=abc&x=1 HTTP/1.1", 200)
        logging.getLogger("werkzeug").info("plain %d%%", 5)
    assert [r.getMessage() for r in caplog.records] == [
        '"GET /p?lh=[redacted]&x=1 HTTP/1.1" 200',
        "plain 5%",
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GET /x?lh=a.b-c_d&lang=fr", "GET /x?lh=[redacted]&lang=fr"),
        ("GET /x?LH=a&flh=keep&path=lh=no", "GET /x?LH=[redacted]&flh=keep&path=lh=no"),
        ("/r?id_token=eyJ&state=s", "/r?id_token=[redacted]&state=s"),
        ('"https://t/p?rl=s3cret#top" "UA"', '"https://t/p?rl=[redacted]#top" "UA"'),
        ("GET /lti/login?login_hint=42", "GET /lti/login?login_hint=42"),
    ],
)
def test_which_values_are_blotted_out(line: str, expected: str) -> None:
    from lti_tool.url_credentials import redact

    assert redact(line) == expected
