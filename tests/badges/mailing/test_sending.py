"""Notification e-mails through a real local SMTP server, on both databases."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from badges.mailing import outbox
from badges.mailing.sending import send_due
from badges.mailing.settings import STARTTLS, MailSettings, SmtpServer
from badges.models import BadgeClass, Community, Context, Notification, Person
from badges.models.columns import utcnow
from badges.recognition import notifying
from badges.recognition.requests import EvidenceGiven, request_badge
from badges.storage.database import transaction
from tests.badges.course_world import CourseWorld
from tests.badges.mailing.conftest import SENDER, SmtpServerUnderTest

PRIVATE = "Le mardi, chez Léa, 12 rue des Lilas."


def _ask(world: CourseWorld, person_id: str | None = None) -> str:
    """Nathan (or ``person_id``) asks for the web radio badge: the trainer is told."""
    with transaction(world.runtime.sessions) as session:
        request = request_badge(
            session,
            session.get(BadgeClass, world.badge_id),
            session.get(Person, person_id or world.nathan_id),
            session.get(Context, world.context_id),
            EvidenceGiven(narrative=PRIVATE),
        )
        return request.id


def _notify(world: CourseWorld, person_id: str, kind: str, *, age: timedelta | None = None,
            request_id: str | None = None) -> int:  # fmt: skip
    with transaction(world.runtime.sessions) as session:
        row = notifying.notify(
            session, person_id, kind, request_id=request_id, badge_class_id=world.badge_id
        )
        session.flush()
        if age is not None:
            row.created_at = utcnow() - age
        return row.id


def _row(world: CourseWorld, notification_id: int) -> Notification:
    with transaction(world.runtime.sessions) as session:
        row = session.get(Notification, notification_id)
        assert row is not None
        return row


def _statuses(world: CourseWorld) -> list[str | None]:
    with transaction(world.runtime.sessions) as session:
        return list(session.scalars(select(Notification.email_status).order_by(Notification.id)))


def test_an_accepted_request_reaches_the_learner_once(
    course_world: CourseWorld, smtp_server: SmtpServerUnderTest
) -> None:
    world = course_world
    request_id = _ask(world)
    with transaction(world.runtime.sessions) as session:  # only the learner's news here
        for row in session.scalars(select(Notification)):
            row.email_status = outbox.SENT
    accepted = _notify(world, world.nathan_id, notifying.REQUEST_ACCEPTED, request_id=request_id)

    report = send_due(world.runtime.sessions, smtp_server.settings)
    again = send_due(world.runtime.sessions, smtp_server.settings)

    assert (report.sent, again.sent, again.attempted) == (1, 0, 0)
    (mail,) = smtp_server.mailbox.received
    assert mail.envelope_to == ["nathan@example.org"]
    assert mail.message["To"] == "nathan@example.org"
    assert mail.message["From"] == SENDER
    assert mail.message["Subject"] == "Chemins : votre demande de badge a été acceptée"
    assert mail.message["Auto-Submitted"] == "auto-generated"
    french, english = mail.text.split("-" * 40)
    assert "« Animer une web radio » a été acceptée : le badge est à vous." in french
    assert "Ouvrez Chemins depuis votre formation" in french
    assert "“Animer une web radio” was accepted: the badge is yours." in english
    assert "Open Chemins from your course to see it." in english
    assert "http" not in mail.text  # no link into the LMS, no tracking
    row = _row(world, accepted)
    assert (row.email_status, row.email_attempts, row.last_error) == (outbox.SENT, 1, None)


def test_the_trainer_hears_who_asks_but_never_the_evidence(
    course_world: CourseWorld, smtp_server: SmtpServerUnderTest
) -> None:
    _ask(course_world)

    send_due(course_world.runtime.sessions, smtp_server.settings)

    (mail,) = smtp_server.mailbox.received
    assert mail.envelope_to == ["claire@example.org"]
    assert mail.message["Subject"] == "Chemins : une demande de badge attend votre avis"
    assert "Nathan demande le badge « Animer une web radio »." in mail.text
    assert "Nathan asks for the badge “Animer une web radio”." in mail.text
    assert "Léa" not in mail.text and "Lilas" not in mail.text


def test_an_english_community_gets_english_first(
    course_world: CourseWorld, smtp_server: SmtpServerUnderTest
) -> None:
    with transaction(course_world.runtime.sessions) as session:
        session.get(Community, course_world.community_id).language = "en"
    _notify(course_world, course_world.nathan_id, notifying.BADGE_AWARDED)

    send_due(course_world.runtime.sessions, smtp_server.settings)

    (mail,) = smtp_server.mailbox.received
    assert mail.message["Subject"] == "Chemins: you received a badge"
    english, french = mail.text.split("-" * 40)
    assert "You received the badge “Animer une web radio”." in english
    assert "Vous avez reçu le badge « Animer une web radio »." in french


def test_without_smtp_nothing_is_sent_nor_marked(course_world: CourseWorld) -> None:
    _ask(course_world)
    _notify(course_world, course_world.nathan_id, notifying.BADGE_AWARDED, age=timedelta(days=9))

    report = send_due(course_world.runtime.sessions, None)

    assert report.attempted == report.expired == 0
    assert _statuses(course_world) == [None, None]


def test_two_senders_at_once_send_each_mail_once(
    course_world: CourseWorld, smtp_server: SmtpServerUnderTest
) -> None:
    world = course_world
    for person in (world.nathan_id, world.sylvie_id, world.trainer_id) * 3:
        _notify(world, person, notifying.BADGE_AWARDED)
    start = threading.Barrier(3)
    reports = []

    def sender() -> None:
        start.wait()
        while True:
            report = send_due(world.runtime.sessions, smtp_server.settings, limit=2)
            reports.append(report)
            if report.attempted == 0:
                return

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    received = smtp_server.mailbox.received
    assert len(received) == 9
    assert len({m.message["Message-ID"] for m in received}) == 9
    assert sum(r.sent for r in reports) == 9
    assert _statuses(world) == [outbox.SENT] * 9


def test_a_server_down_means_failed_then_sent_when_it_is_back(
    course_world: CourseWorld, stopped_smtp_server: SmtpServerUnderTest
) -> None:
    world = course_world
    notification = _notify(world, world.sylvie_id, notifying.CHANGES_REQUESTED)
    now = utcnow()

    down = send_due(world.runtime.sessions, stopped_smtp_server.settings, now=now)

    assert (down.failed, down.sent) == (1, 0)
    row = _row(world, notification)
    assert (row.email_status, row.email_attempts) == (outbox.FAILED, 1)
    assert row.next_email_at == now + outbox.BACKOFF[0]
    assert "Connection refused" in (row.last_error or "")
    stopped_smtp_server.start()
    early = send_due(world.runtime.sessions, stopped_smtp_server.settings, now=now)
    assert early.attempted == 0 and stopped_smtp_server.mailbox.received == []

    later = send_due(
        world.runtime.sessions, stopped_smtp_server.settings, now=now + timedelta(minutes=2)
    )

    assert later.sent == 1
    (mail,) = stopped_smtp_server.mailbox.received
    assert mail.envelope_to == ["sylvie@example.org"]
    assert mail.message["Subject"] == "Chemins : votre demande de badge est à compléter"
    row = _row(world, notification)
    assert (row.email_status, row.email_attempts, row.last_error) == (outbox.SENT, 2, None)


def test_a_server_that_stays_down_is_given_up_after_five_tries(
    course_world: CourseWorld, stopped_smtp_server: SmtpServerUnderTest
) -> None:
    notification = _notify(course_world, course_world.sylvie_id, notifying.BADGE_REVOKED)
    moment = utcnow()
    for wait in (timedelta(0), *outbox.BACKOFF):
        moment += wait
        report = send_due(course_world.runtime.sessions, stopped_smtp_server.settings, now=moment)
        assert report.attempted == 1

    row = _row(course_world, notification)
    assert (row.email_status, row.email_attempts) == (outbox.DEAD, outbox.MAX_ATTEMPTS)
    later = moment + timedelta(hours=1)
    stopped_smtp_server.start()
    assert (
        send_due(course_world.runtime.sessions, stopped_smtp_server.settings, now=later).attempted
        == 0
    )
    assert stopped_smtp_server.mailbox.received == []


def test_an_address_refused_for_good_is_dead_and_for_now_is_retried(
    course_world: CourseWorld, smtp_server: SmtpServerUnderTest
) -> None:
    world = course_world
    smtp_server.mailbox.refuse = {"nathan@example.org": 550, "sylvie@example.org": 451}
    refused = _notify(world, world.nathan_id, notifying.BADGE_AWARDED)
    later = _notify(world, world.sylvie_id, notifying.BADGE_AWARDED)
    fine = _notify(world, world.trainer_id, notifying.BADGE_AWARDED)

    report = send_due(world.runtime.sessions, smtp_server.settings)

    assert (report.sent, report.dead, report.failed) == (1, 1, 1)
    assert _row(world, refused).email_status == outbox.DEAD
    assert _row(world, later).email_status == outbox.FAILED
    assert _row(world, fine).email_status == outbox.SENT
    assert [m.envelope_to for m in smtp_server.mailbox.received] == [["claire@example.org"]]


def test_old_news_expires_instead_of_flooding(
    course_world: CourseWorld, smtp_server: SmtpServerUnderTest
) -> None:
    world = course_world
    old = _notify(world, world.nathan_id, notifying.BADGE_AWARDED, age=timedelta(hours=49))
    old_failed = _notify(world, world.sylvie_id, notifying.BADGE_AWARDED, age=timedelta(days=3))
    with transaction(world.runtime.sessions) as session:
        session.get(Notification, old_failed).email_status = outbox.FAILED
    fresh = _notify(world, world.sylvie_id, notifying.BADGE_AWARDED, age=timedelta(hours=47))

    report = send_due(world.runtime.sessions, smtp_server.settings)

    assert (report.expired, report.sent) == (2, 1)
    assert _row(world, old).email_status == outbox.EXPIRED
    assert _row(world, old_failed).email_status == outbox.EXPIRED
    assert _row(world, fresh).email_status == outbox.SENT
    assert [m.envelope_to for m in smtp_server.mailbox.received] == [["sylvie@example.org"]]


def test_people_without_a_usable_address_get_none(
    course_world: CourseWorld, smtp_server: SmtpServerUnderTest
) -> None:
    world = course_world
    hostile = {
        world.nathan_id: None,
        world.sylvie_id: "sylvie@example.org, boss@evil.example",
        world.trainer_id: "claire@example.org\r\nBcc: spy@evil.example",
    }
    with transaction(world.runtime.sessions) as session:
        for person_id, email in hostile.items():
            session.get(Person, person_id).email = email
    ids = [_notify(world, person_id, notifying.BADGE_AWARDED) for person_id in hostile]

    report = send_due(world.runtime.sessions, smtp_server.settings)

    assert (report.no_address, report.attempted) == (3, 0)
    assert [_row(world, i).email_status for i in ids] == [outbox.NONE] * 3
    assert smtp_server.mailbox.received == []


def test_a_claim_left_by_a_dead_sender_is_taken_when_its_lease_ends(
    course_world: CourseWorld, smtp_server: SmtpServerUnderTest
) -> None:
    notification = _notify(course_world, course_world.nathan_id, notifying.BADGE_AWARDED)
    now = utcnow()
    with transaction(course_world.runtime.sessions) as session:
        assert outbox.claim(session, now) == [notification]  # then the sender dies

    during = send_due(course_world.runtime.sessions, smtp_server.settings, now=now)
    after = send_due(course_world.runtime.sessions, smtp_server.settings, now=now + outbox.LEASE)

    assert (during.attempted, after.sent) == (0, 1)
    assert len(smtp_server.mailbox.received) == 1


def test_starttls_asked_never_falls_back_to_plain_text(
    course_world: CourseWorld, smtp_server: SmtpServerUnderTest
) -> None:
    """The test server offers no STARTTLS: the e-mail waits rather than go unencrypted."""
    notification = _notify(course_world, course_world.nathan_id, notifying.BADGE_AWARDED)
    plain = smtp_server.settings
    settings = MailSettings(
        SmtpServer(
            plain.server.host, plain.server.port, STARTTLS, "chemins", "secret", timeout=5.0
        ),
        plain.sender,
    )

    report = send_due(course_world.runtime.sessions, settings)

    assert report.failed == 1 and smtp_server.mailbox.received == []
    row = _row(course_world, notification)
    assert row.email_status == outbox.FAILED
    assert "STARTTLS" in (row.last_error or "") and "secret" not in (row.last_error or "")
