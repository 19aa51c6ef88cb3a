"""A real SMTP server on the loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from badges.mailing.settings import MailSettings, SmtpServer
from tests.live_server import free_port

__all__ = ["smtp_server", "stopped_smtp_server"]

SENDER = "Chemins <no-reply@chemins.test>"


@dataclass
class Received:
    envelope_from: str
    envelope_to: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_content()


@dataclass
class Mailbox:
    """What the server accepted, in order; ``refuse`` makes it answer RCPT with a code."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.refuse.get(address)
        if code is not None:
            return f"{code} mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), parsed)  # type: ignore[arg-type]
            )
        return "250 Message accepted for delivery"


@dataclass
class SmtpServerUnderTest:
    """A local SMTP server that a test can stop and start again on the same port."""

    port: int
    mailbox: Mailbox
    controller: Controller | None = None

    @property
    def settings(self) -> MailSettings:
        return MailSettings(SmtpServer("127.0.0.1", self.port, timeout=5.0), SENDER)

    def start(self) -> SmtpServerUnderTest:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server() -> Iterator[SmtpServerUnderTest]:
    """A running local SMTP server; ``.mailbox.received`` holds what it accepted."""
    server = SmtpServerUnderTest(free_port(), Mailbox()).start()
    yield server
    server.stop()


@pytest.fixture
def stopped_smtp_server() -> Iterator[SmtpServerUnderTest]:
    """The same, not started: its port is closed until the test calls ``start()``."""
    server = SmtpServerUnderTest(free_port(), Mailbox())
    yield server
    server.stop()
