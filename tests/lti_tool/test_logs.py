"""What an operator reads after a whole course journey: outcomes, no people, no secrets.

A real ``chemins serve`` (gunicorn, in a child process) and the demo LMS over HTTP: a
trainer places a badge as a graded activity, a learner opens it, the trainer awards it
while the platform's gradebook answers its HTML maintenance page, a replayed launch is
refused; then a real ``chemins worker`` sends the waiting grade. The test reads both
processes' output, as a log collector gets it.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from badges.models import ScoreDelivery
from badges.models.columns import utcnow
from badges.storage.database import transaction
from badges.storage.instance import Instance
from badges.storage.migrate import upgrade
from badges.storage.runtime import Runtime
from demo_lms.app import create_demo_app, platform_of
from demo_lms.platform import MOODLE, OPENEDX
from tests.live_server import LiveServer, free_port
from tests.lti_launches import MOODLE_DEPLOYMENTS, Browser, LtiWorld, register
from tests.lti_tool.chemins_process import START, serving
from tests.lti_tool.course_journey import (
    award_to,
    launch_placed,
    learner_values,
    place_graded_badge,
    publish_badge,
    trainer_spec_values,
)

SECRET = "a-test-secret-that-is-long-enough-for-hkdf"
#: ``2026-12-04T16:05:21.123Z WARNING some.logger: message``
TEXT_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) \S+: ")
#: Who the journey's people are: none of it may reach a log line.
PEOPLE = (
    "Nathan",
    "Martin",
    "nathan@example.org",
    "learner-1",
    "Camille",
    "Roux",
    "camille@example.org",
    "trainer-1",
)
#: What Moodle answers every call while it is in maintenance mode (abridged).
MAINTENANCE = b"""<!DOCTYPE html>
<html dir="ltr" lang="fr">
<head>
  <title>Site under maintenance</title>
  <script>var M = {"cfg": {"sesskey": "abc"}};</script>
</head>
<body><h1>Site en maintenance</h1><p>Revenez plus tard.</p></body>
</html>
"""


class Maintenance:
    """The demo platform, whose gradebook answers Moodle's maintenance page when ``on``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.on = False

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.on and environ["PATH_INFO"].endswith("/scores"):
            start_response(
                "503 Service Unavailable", [("Content-Type", "text/html; charset=utf-8")]
            )
            return [MAINTENANCE]
        return self.app(environ, start_response)


def _lines(text: str) -> list[str]:
    """The log lines: everything but what the commands print for the person at the shell."""
    printed = ("Chemins is running at ", "Scores attempted: ")
    return [line for line in text.splitlines() if not line.startswith(printed)]


def test_a_course_journey_logs_its_outcomes_without_people_or_secrets(tmp_path: Path) -> None:
    tool_port, demo_port = free_port(), free_port()
    tool_url, demo_url = f"http://127.0.0.1:{tool_port}", f"http://127.0.0.1:{demo_port}"
    database = f"sqlite:///{tmp_path / 'chemins.db'}"
    upgrade(database)
    runtime = Runtime.open(Instance(tmp_path, database, SECRET, tool_url))
    demo_app = create_demo_app(demo_url)
    moodle = platform_of(demo_app).add_tool(tool_origin=tool_url, style=MOODLE, deployment_id="2")
    openedx = platform_of(demo_app).add_tool(tool_origin=tool_url, style=OPENEDX)
    register(runtime, demo_url, moodle.client_id, MOODLE_DEPLOYMENTS)
    gradebook = Maintenance(demo_app)
    demo = LiveServer(gradebook, port=demo_port).start()
    world = LtiWorld(runtime, None, tool_url, demo_app, demo_url, moodle, openedx, [demo])  # type: ignore[arg-type]
    env = {
        "CHEMINS_INSTANCE_DIR": str(tmp_path),
        "CHEMINS_DATABASE_URL": database,
        "CHEMINS_SECRET_KEY": SECRET,
        "CHEMINS_BASE_URL": tool_url,
        "CHEMINS_PRIVATE_HOSTS": "127.0.0.1 localhost",
    }
    credentials: list[str] = []
    try:
        with serving(env, port=tool_port) as (_url, output):
            badge_id = publish_badge(world)
            placed = place_graded_badge(world, badge_id)
            _browser, learner = launch_placed(world, placed, **learner_values())
            browser, trainer = launch_placed(world, placed, **trainer_spec_values())
            assert trainer.page is not None and trainer.page.status_code == 200
            gradebook.on = True
            awarded = award_to(world, browser, trainer.handle, badge_id, ["Nathan Martin"])
            assert 'data-grade="pending"' in awarded.text
            replayed = Browser().post_launch(learner.form)
            assert replayed.status_code >= 400
            for outcome in (learner, trainer):
                credentials += [
                    outcome.handle or "",
                    outcome.form["id_token"],
                    outcome.form["state"],
                ]
        gradebook.on = False
        with transaction(runtime.sessions) as session:
            (delivery,) = session.scalars(select(ScoreDelivery))
            delivery.next_attempt_at = utcnow() - timedelta(seconds=1)  # the retry is due
            delivery_id = delivery.id
        worker = subprocess.run(
            [sys.executable, "-c", START, "worker", "--once"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        demo.stop()
        runtime.engine.dispose()

    served, working = _lines("".join(output)), _lines(worker.stderr)
    assert worker.returncode == 0 and worker.stdout.strip() == "Scores attempted: 1."
    everything = served + working
    assert all(TEXT_LINE.match(line) for line in everything), everything

    def logged(pattern: str, lines: list[str]) -> str:
        found = [line for line in lines if re.search(pattern, line)]
        assert found, f"no line matches {pattern!r}:\n" + "\n".join(lines)
        return found[0]

    # The outcomes, each on a line of its own.
    logged(r" INFO lti_tool\.blueprints\.lti: LTI launch accepted: LtiDeepLinkingRequest", served)
    logged(r" INFO lti_tool\.blueprints\.lti: deep linking answer: 1 item", served)
    logged(
        rf" INFO lti_tool\.blueprints\.trainer: badge {badge_id} awarded .*grade pending", served
    )
    logged(r" WARNING lti_tool\.blueprints\.lti: LTI LaunchRefused refused B16: ", served)
    logged(rf" INFO lti_tool\.score_sender: score {delivery_id} queued: attempt 1 failed", served)
    logged(rf" INFO lti_tool\.score_sender: score {delivery_id} sent \(attempt 2\)", working)
    # The maintenance page, summed up: status, type, title, size; none of its markup.
    summary = logged(r"lti_tool\.lti1p3\.service_call: service POST ", served)
    assert summary.endswith(
        f'/scores answered HTTP 503, text/html, "Site under maintenance", {len(MAINTENANCE)} bytes'
    ), summary
    text = "\n".join(everything)
    for leak in ("<html", "<title", "sesskey", "DOCTYPE"):
        assert leak not in text
    # Nobody's name, e-mail or platform id; no handle, id_token, state or bearer token.
    for private in (*PEOPLE, *filter(None, credentials), "Bearer"):
        assert private not in text, private
    assert "lh=[redacted]" in text  # the access log saw the launched pages' links


def test_refused_registrations_are_logged_without_the_link(client, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="lti_tool")
    configuration = {"openid_configuration": "https://lms.example/conf", "registration_token": "T"}

    anyone = client.get("/lti/register", query_string=configuration)
    stranger = client.get("/lti/register", query_string={**configuration, "rl": "NOT-A-LINK"})

    assert (anyone.status_code, stranger.status_code) == (403, 403)
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("lti_tool")]
    assert "dynamic registration refused: no registration link" in messages
    assert any(m.startswith("dynamic registration refused: registration link ") for m in messages)
    assert "NOT-A-LINK" not in caplog.text
