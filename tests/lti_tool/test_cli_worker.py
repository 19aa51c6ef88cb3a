"""``chemins worker`` as an operator runs it: a loop that SIGTERM and Ctrl-C stop cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from badges.models import Notification
from badges.recognition import notifying
from badges.storage.database import transaction
from badges.storage.instance import load_instance
from badges.storage.runtime import Runtime
from lti_tool.cli import main
from tests.badges.course_world import make_course
from tests.badges.mailing.conftest import SmtpServerUnderTest, smtp_server

__all__ = ["smtp_server"]

START = "from lti_tool.cli import main; main()"


@pytest.fixture
def env(cli_env: dict[str, str]) -> dict[str, str]:
    CliRunner().invoke(main, ["db", "upgrade"], env=cli_env, catch_exceptions=False)
    return cli_env


def test_once_runs_one_pass_over_an_empty_outbox(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["worker", "--once"], env=env, catch_exceptions=False)

    assert result.exit_code == 0
    assert result.stdout.strip() == "Scores attempted: 0."


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_loop_stops_cleanly_on_a_signal(env: dict[str, str], signum: int) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-c", START, "worker", "--interval", "0.2"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert worker.stdout is not None
        assert "worker started" in worker.stdout.readline()
        worker.send_signal(signum)
        out, err = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, err
    assert "worker stopped" in out


def _one_notification(env: dict[str, str]) -> None:
    """Nathan heard his badge was awarded; the e-mail is still to send."""
    runtime = Runtime.open(load_instance(env))
    try:
        world = make_course(runtime)
        with transaction(runtime.sessions) as session:
            notifying.notify(
                session, world.nathan_id, notifying.BADGE_AWARDED, badge_class_id=world.badge_id
            )
    finally:
        runtime.engine.dispose()


def _email_statuses(env: dict[str, str]) -> list[str | None]:
    runtime = Runtime.open(load_instance(env))
    try:
        with transaction(runtime.sessions) as session:
            return list(session.scalars(select(Notification.email_status)))
    finally:
        runtime.engine.dispose()


def test_once_also_sends_the_due_emails(
    env: dict[str, str], smtp_server: SmtpServerUnderTest
) -> None:
    _one_notification(env)
    env = {
        **env,
        "CHEMINS_SMTP_URL": f"smtp://127.0.0.1:{smtp_server.port}",
        "CHEMINS_MAIL_FROM": "Centre social <badges@centre.example.org>",
    }

    first = CliRunner().invoke(main, ["worker", "--once"], env=env, catch_exceptions=False)
    second = CliRunner().invoke(main, ["worker", "--once"], env=env, catch_exceptions=False)

    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "Scores attempted: 0.",
        "E-mails sent: 1 (failed: 0, given up: 0, no address: 0, expired: 0).",
    ]
    assert "E-mails sent: 0" in second.stdout
    (mail,) = smtp_server.mailbox.received
    assert mail.envelope_to == ["nathan@example.org"]
    assert mail.message["From"] == "Centre social <badges@centre.example.org>"
    assert mail.message["Subject"] == "Chemins : vous avez reçu un badge"
    assert _email_statuses(env) == ["sent"]


def test_without_smtp_the_email_outbox_is_left_alone(env: dict[str, str]) -> None:
    _one_notification(env)

    result = CliRunner().invoke(main, ["worker", "--once"], env=env, catch_exceptions=False)

    assert result.stdout.strip() == "Scores attempted: 0."
    assert _email_statuses(env) == [None]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://mail.example.org", "smtp:// or smtps://"),
        ("smtp://user:secret@mail.example.org", "password without encryption"),
    ],
)
def test_a_wrong_smtp_url_stops_the_worker_with_the_reason(
    env: dict[str, str], url: str, why: str
) -> None:
    _one_notification(env)

    result = CliRunner().invoke(main, ["worker", "--once"], env={**env, "CHEMINS_SMTP_URL": url})

    assert result.exit_code == 1
    assert why in result.output and "secret" not in result.output
    assert _email_statuses(env) == [None]
