"""Where e-mails go out: ``CHEMINS_SMTP_URL`` and ``CHEMINS_MAIL_FROM`` read once.

``smtp://[user:password@]host[:port]`` speaks plain SMTP (port 25 by default), with
``?starttls=1`` upgrading the connection before anything is said (port 587 usually);
``smtps://`` is TLS from the first byte (port 465). User and password may be
percent-encoded (``%40`` for an ``@`` in a login). A malformed URL is refused when the
worker starts, with a message naming what is wrong, never at the first e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.headerregistry import Address
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

PLAIN = "plain"
STARTTLS = "starttls"
TLS = "tls"
_DEFAULT_PORTS = {PLAIN: 25, STARTTLS: 587, TLS: 465}
_TRUE = {"1", "true", "yes", "on"}


class MailSettingsRefused(ValueError):
    """The SMTP URL or the sender address cannot be used; the message says why."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str = PLAIN
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    #: Seconds for connecting and for each exchange: a worker must not hang on a server.
    timeout: float = 10.0


@dataclass(frozen=True)
class MailSettings:
    server: SmtpServer
    #: The From header, e.g. ``Chemins <no-reply@chemins.example.org>``.
    sender: str


def smtp_server(url: str) -> SmtpServer:
    """The server ``url`` names; :class:`MailSettingsRefused` when it names none."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise MailSettingsRefused("CHEMINS_SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise MailSettingsRefused("CHEMINS_SMTP_URL names no host")
    query = parse_qs(parts.query)
    starttls = (query.get("starttls") or ["0"])[-1].lower() in _TRUE
    security = TLS if parts.scheme == "smtps" else (STARTTLS if starttls else PLAIN)
    try:
        port = parts.port or _DEFAULT_PORTS[security]
    except ValueError as exc:
        raise MailSettingsRefused(f"CHEMINS_SMTP_URL has a wrong port: {exc}") from None
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    if password is not None and security == PLAIN:
        # A password over an unencrypted connection would travel in clear to the server.
        raise MailSettingsRefused(
            "CHEMINS_SMTP_URL gives a password without encryption: use smtps:// or add ?starttls=1"
        )
    return SmtpServer(parts.hostname, port, security, username, password)


def default_sender(base_url: str) -> str:
    """``Chemins <no-reply@host>`` for the host of the public base URL."""
    host = urlsplit(base_url).hostname or "localhost"
    return str(Address("Chemins", "no-reply", host))


def checked_sender(value: str) -> str:
    """``value`` when it is one plain address (with or without a display name)."""
    if "\r" in value or "\n" in value:
        raise MailSettingsRefused("CHEMINS_MAIL_FROM must be one line")
    _name, address = parseaddr(value)
    if not address or "@" not in address or address.count("@") != 1:
        raise MailSettingsRefused(f"CHEMINS_MAIL_FROM is not an e-mail address: {value!r}")
    return value.strip()


def mail_settings(
    smtp_url: str | None, mail_from: str | None, base_url: str
) -> MailSettings | None:
    """The instance's e-mail settings, or None when no SMTP server is configured."""
    if not smtp_url:
        return None
    sender = checked_sender(mail_from) if mail_from else default_sender(base_url)
    return MailSettings(smtp_server(smtp_url), sender)
