"""A remote answer in one short line, for the logs: status, content type, first words.

When a platform's service fails, its answer is often a whole HTML page (Moodle's
maintenance page, a proxy's "502 Bad Gateway") or a JSON error. Written as it is,
it floods the log with markup over dozens of lines, and it may carry more than an
operator needs to see. :func:`summarise` keeps what tells one failure from another:
the status, the content type, and the first line of text, shortened; for HTML the
first line a person would read (usually the page title), not ``<!DOCTYPE html>``.
"""

from __future__ import annotations

import html
import re

from badges.outbound.response import OutboundResponse

#: Characters of the first line kept in a summary.
FIRST_LINE_LIMIT = 120
#: Bytes of body looked at: the first line is near the top, whatever the page's size.
READ_LIMIT = 64 * 1024
_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")


def first_line(text: str, limit: int = FIRST_LINE_LIMIT) -> str:
    """The first non-blank line of ``text``, its spaces squeezed, cut at ``limit``."""
    for line in text.splitlines():
        squeezed = _SPACES.sub(" ", line).strip()
        if squeezed:
            return squeezed if len(squeezed) <= limit else squeezed[: limit - 1] + "…"
    return ""


def visible_text(markup: str) -> str:
    """What a browser would show of an HTML page, one block of text per line, roughly.

    Good enough to name a page in a log (its title comes first); not a sanitiser.
    """
    markup = _COMMENT.sub(" ", _SCRIPT_OR_STYLE.sub(" ", markup))
    return html.unescape(_TAG.sub("\n", markup))


def summarise(response: OutboundResponse) -> str:
    """``HTTP 503, text/html, "Site under maintenance"``: one line for a log.

    Without a body, only the status and the content type; the length is said when the
    first line is not the whole answer, so an operator knows there was more.
    """
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    parts = [f"HTTP {response.status_code}", content_type or "no content type"]
    text = response.content[:READ_LIMIT].decode(response.encoding, errors="replace")
    if "html" in content_type or text.lstrip()[:1] == "<":
        text = visible_text(text)
    line = first_line(text)
    if line:
        parts.append('"' + line.replace('"', "'") + '"')
    if line and len(response.content) > len(line.encode()):
        parts.append(f"{len(response.content)} bytes")
    return ", ".join(parts)
