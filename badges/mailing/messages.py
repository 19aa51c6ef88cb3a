"""One notification as one e-mail: headers and the plain-text body.

Plain text only (no HTML, no images, no tracking pixel, no link). The recipient is the
person's own address as the platform shared it, checked to be one address: the only
``To`` a notification ever gets.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from badges.mailing import wording
from badges.models.columns import utcnow
from badges.recognition.notifying import Notice

MAX_ADDRESS = 254


def usable_address(value: str | None) -> str | None:
    """``value`` when it is one plain ``local@domain`` address, else None.

    The platform sends it, but a platform is not trusted to send only addresses: a value
    with a comma, angle brackets, spaces or line breaks could add recipients or headers.
    """
    if not value:
        return None
    candidate = value.strip()
    if len(candidate) > MAX_ADDRESS or any(c.isspace() or c in ',;<>"()' for c in candidate):
        return None
    _name, parsed = parseaddr(candidate)
    if parsed != candidate or candidate.count("@") != 1:
        return None
    local, domain = candidate.split("@")
    if not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        return None
    try:
        Address(addr_spec=candidate)
    except (ValueError, IndexError):
        return None
    return candidate


def build_message(notice: Notice, to: str, sender: str, language: str | None) -> EmailMessage:
    """The e-mail for ``notice``, to ``to`` (checked with :func:`usable_address` first)."""
    message = EmailMessage()
    first, second = wording.language_order(language)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = wording.subject(notice.kind, language)
    message["Date"] = format_datetime(utcnow())
    domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(idstring=f"n{notice.id}", domain=domain)
    # RFC 3834: an automatic message; out-of-office robots must not answer it.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(wording.body(notice.kind, language, notice.badge_name, notice.about_name))
    # After set_content, which replaces every Content-* header.
    message["Content-Language"] = f"{first}, {second}"
    return message
