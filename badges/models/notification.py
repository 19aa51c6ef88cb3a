"""Notifications: what a person should know next time they open Chemins (and by e-mail).

A notification is written in the same transaction as what it announces (a request
accepted, a request waiting for review...), so it is never lost and never sent for
something that did not happen. The homes show the unread ones with a count. When the
instance has an SMTP server (``CHEMINS_SMTP_URL``) and the platform shared the person's
e-mail, the notification is also an e-mail to send: ``email_status`` is its outbox state
(NULL → ``sending`` → ``sent`` | ``failed`` → ``dead``; ``none``, ``expired``), sent and
retried by ``chemins worker`` (:mod:`badges.mailing.outbox`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, utcnow
from badges.storage.database import Base

if TYPE_CHECKING:
    from badges.models.badge_request import BadgeRequest
    from badges.models.person import Person


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_person_read", "person_id", "read_at"),
        Index("ix_notification_email_status", "email_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    #: What happened (``request_submitted``, ``changes_requested``, ``request_accepted``...).
    kind: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[str | None] = mapped_column(ForeignKey("badge_request.id"), index=True)
    badge_class_id: Mapped[str | None] = mapped_column(ForeignKey("badge_class.id"))
    assertion_id: Mapped[str | None] = mapped_column(ForeignKey("assertion.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: E-mail outbox (badges.mailing.outbox): None (not tried yet), ``sending``, ``sent``,
    #: ``failed``, ``dead``, ``none`` (no usable address) or ``expired``.
    email_status: Mapped[str | None] = mapped_column(String(20))
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_email_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship()
    request: Mapped[BadgeRequest | None] = relationship()
