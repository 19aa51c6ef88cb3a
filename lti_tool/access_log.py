"""Access logs without credentials: each server's request lines, redacted as they are written.

gunicorn (``chemins serve``) and Werkzeug's development server (``chemins serve --dev``,
``flask run``) log every request line and ``Referer``, where launch handles and admin
tokens ride in cookie-less pages (:mod:`lti_tool.url_credentials`). A log is read by
more people, and kept longer, than a credential may live: a filter on the servers'
loggers blots the values out of every record before any handler writes it.
"""

from __future__ import annotations

import logging

from lti_tool.url_credentials import redact

#: gunicorn's access and error logs, Werkzeug's development server log.
SERVER_LOGGERS = ("gunicorn.access", "gunicorn.error", "werkzeug")


class RedactCredentials(logging.Filter):
    """Rewrites a record whose message holds a credential; lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def redact_server_logs() -> None:
    """Put :class:`RedactCredentials` on the servers' loggers (once per process)."""
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactCredentials) for f in logger.filters):
            logger.addFilter(RedactCredentials())
