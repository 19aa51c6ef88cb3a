"""Sending the due notification e-mails over SMTP: what ``chemins worker`` runs each pass.

Three steps, as for scores: claim due rows and build their messages (one short
transaction), talk to the SMTP server with no transaction open (a slow server never
holds a database lock), record each outcome (another short transaction). One SMTP
connection serves a batch. A message goes only to the notified person's own address,
given to the server as the only envelope recipient.

What the server answers decides a row's fate: accepted → ``sent``; the address refused
for good (a 5xx reply to RCPT) → ``dead``; anything else (server down, timeout, a 4xx
"try later", a refused login) → ``failed``, tried again after a growing wait.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from badges.mailing import outbox
from badges.mailing.messages import build_message, usable_address
from badges.mailing.settings import STARTTLS, TLS, MailSettings, SmtpServer
from badges.models import Community, Notification
from badges.models.columns import utcnow
from badges.recognition.notifying import describe
from badges.storage.database import transaction

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    """What one call of :func:`send_due` did, for the worker's log line."""

    sent: int = 0
    failed: int = 0
    dead: int = 0
    no_address: int = 0
    expired: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.failed + self.dead


@dataclass(frozen=True)
class _Outgoing:
    notification_id: int
    to: str
    message: EmailMessage = field(repr=False)


@dataclass(frozen=True)
class _Outcome:
    notification_id: int
    error: str | None = None
    permanent: bool = False


def _claim_and_build(
    sessions: sessionmaker[Session], settings: MailSettings, now: datetime, limit: int
) -> tuple[list[_Outgoing], SendReport]:
    report = SendReport()
    with transaction(sessions) as session:
        report.expired = outbox.expire_stale(session, now)
        claimed = outbox.claim(session, now, limit=limit)
    if not claimed:
        return [], report
    outgoing: list[_Outgoing] = []
    with transaction(sessions) as session:
        rows = list(
            session.scalars(
                select(Notification).where(Notification.id.in_(claimed)).order_by(Notification.id)
            )
        )
        notices = {notice.id: notice for notice in describe(session, rows)}
        community_ids = {n.community_id for n in notices.values() if n.community_id}
        languages = {
            community_id: language
            for community_id, language in session.execute(
                select(Community.id, Community.language).where(Community.id.in_(community_ids))
            )
        }
        for row in rows:
            to = usable_address(row.person.email)
            if to is None:
                outbox.record_no_address(session, row.id)
                report.no_address += 1
                continue
            notice = notices[row.id]
            language = languages.get(notice.community_id or "")
            message = build_message(notice, to, settings.sender, language)
            outgoing.append(_Outgoing(row.id, to, message))
    return outgoing, report


def _connect(server: SmtpServer) -> smtplib.SMTP:
    context = ssl.create_default_context()
    connection: smtplib.SMTP
    if server.security == TLS:
        connection = smtplib.SMTP_SSL(
            server.host, server.port, timeout=server.timeout, context=context
        )
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        connection.ehlo()
        if server.security == STARTTLS:
            connection.starttls(context=context)
            connection.ehlo()
        if server.username:
            connection.login(server.username, server.password or "")
    except BaseException:
        connection.close()
        raise
    return connection


def _describe_error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _send(server: SmtpServer, outgoing: list[_Outgoing]) -> list[_Outcome]:
    """Send each message over one connection; a broken connection fails the rest."""
    try:
        connection = _connect(server)
    except (OSError, smtplib.SMTPException) as exc:
        error = _describe_error(exc)
        return [_Outcome(item.notification_id, error) for item in outgoing]
    outcomes: list[_Outcome] = []
    try:
        for index, item in enumerate(outgoing):
            try:
                connection.send_message(item.message, to_addrs=[item.to])
            except smtplib.SMTPRecipientsRefused as exc:
                codes = [code for code, _text in exc.recipients.values()]
                permanent = bool(codes) and all(500 <= code < 600 for code in codes)
                outcomes.append(_Outcome(item.notification_id, _describe_error(exc), permanent))
            except smtplib.SMTPResponseException as exc:
                outcomes.append(_Outcome(item.notification_id, _describe_error(exc)))
            except (OSError, smtplib.SMTPException) as exc:  # the connection broke
                error = _describe_error(exc)
                outcomes += [_Outcome(rest.notification_id, error) for rest in outgoing[index:]]
                return outcomes
            else:
                outcomes.append(_Outcome(item.notification_id))
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return outcomes


def send_due(
    sessions: sessionmaker[Session],
    settings: MailSettings | None,
    *,
    now: datetime | None = None,
    limit: int = 20,
) -> SendReport:
    """Send one batch of due notification e-mails; without ``settings``, touch nothing."""
    if settings is None:
        return SendReport()
    moment = now or utcnow()
    outgoing, report = _claim_and_build(sessions, settings, moment, limit)
    if not outgoing:
        return report
    outcomes = _send(settings.server, outgoing)
    with transaction(sessions) as session:
        for outcome in outcomes:
            if outcome.error is None:
                outbox.record_sent(session, outcome.notification_id)
                report.sent += 1
                continue
            log.warning(
                "notification e-mail %s not sent: %s", outcome.notification_id, outcome.error
            )
            outbox.record_failed(
                session,
                outcome.notification_id,
                outcome.error,
                now=moment,
                permanent=outcome.permanent,
            )
            row = session.get(Notification, outcome.notification_id)
            if row is not None and row.email_status == outbox.DEAD:
                report.dead += 1
            else:
                report.failed += 1
    return report
