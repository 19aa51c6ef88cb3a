"""``chemins worker``: deliver the grades owed to gradebooks and the notification
e-mails, again and again.

The web request that awards a badge tries its scores at once; whatever did not go
through (the platform was down, slow, or refused for a while) waits in the
``score_delivery`` outbox for this loop. Run one or more workers next to the web
processes: each pass claims due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
conditional update on SQLite), so several workers share the work without sending a
score twice. SIGTERM (systemd, Docker, Kubernetes) and Ctrl-C stop the loop between
two batches, never in the middle of a send. ``--once`` runs a single pass, for cron and tests.
Scores go out through the guarded client, with the allowlist of the environment
(``CHEMINS_PRIVATE_HOSTS``), as the web processes read it. Each score's fate (sent,
queued with the time of its next attempt, given up) is a line of the log every
``chemins`` command writes (:mod:`lti_tool.logging_setup`); what it printed on stdout
stays for the person at the shell.

With ``CHEMINS_SMTP_URL`` set, each pass also sends the due notification e-mails
(:func:`badges.mailing.sending.send_due`, claimed the same way, so several workers never
send one twice); a malformed URL stops the worker at start with the reason. Without it
the e-mail outbox is left untouched.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import click

from badges.mailing.sending import SendReport, send_due
from badges.mailing.settings import MailSettings, MailSettingsRefused, mail_settings
from badges.outbound.allowlist import private_hosts
from badges.outbound.client import OutboundClient
from badges.storage.runtime import Runtime
from lti_tool.cli_runtime import RuntimeHolder, pass_runtime
from lti_tool.lti1p3.service_token import ServiceTokens
from lti_tool.score_sender import deliver_due
from lti_tool.tool_identity import runtime_tool_key

log = logging.getLogger(__name__)


class _Tokens:
    """One token cache for the worker's life, rebuilt when the tool key was rotated."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.http = OutboundClient(private_hosts())
        self._tokens: ServiceTokens | None = None

    def current(self) -> ServiceTokens:
        key = runtime_tool_key(self.runtime)
        if self._tokens is None or self._tokens.key.kid != key.kid:
            self._tokens = ServiceTokens(key, http=self.http)
        return self._tokens


def run_pass(
    runtime: Runtime, tokens: _Tokens, batch: int, stop: threading.Event | None = None
) -> int:
    """Send due deliveries, batch after batch, until none is due; returns how many.

    Each claimed row's next attempt moves ahead, so a pass ends even when every send
    fails; ``stop`` is checked between batches.
    """
    total = 0
    while stop is None or not stop.is_set():
        attempted = deliver_due(runtime, tokens.current(), limit=batch)
        total += attempted
        if attempted < batch:
            break
    return total


def send_mails(
    runtime: Runtime, settings: MailSettings | None, batch: int, stop: threading.Event | None = None
) -> SendReport:
    """Send due notification e-mails, batch after batch, until none is due.

    A failed send moves its row's next attempt ahead, so the pass ends even when the
    SMTP server is down; without ``settings`` nothing is read or written.
    """
    total = SendReport()
    if settings is None:
        return total
    while stop is None or not stop.is_set():
        report = send_due(runtime.sessions, settings, limit=batch)
        for name in ("sent", "failed", "dead", "no_address", "expired"):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        if report.attempted + report.no_address < batch:
            break
    return total


def _mail_settings(runtime: Runtime) -> MailSettings | None:
    instance = runtime.instance
    try:
        return mail_settings(instance.smtp_url, instance.mail_from, instance.origin)
    except MailSettingsRefused as exc:
        raise click.ClickException(str(exc)) from None


def _mail_line(report: SendReport) -> str:
    return (
        f"E-mails sent: {report.sent} (failed: {report.failed}, given up: {report.dead}, "
        f"no address: {report.no_address}, expired: {report.expired})."
    )


def _stop_on_signals(stop: threading.Event) -> None:
    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s received: the worker stops after the current send", signum)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


@click.command("worker")
@click.option("--once", is_flag=True, help="Run one pass over the due deliveries, then exit.")
@click.option(
    "--interval",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds to sleep when nothing is due.",
)
@click.option(
    "--batch",
    default=20,
    show_default=True,
    type=click.IntRange(min=1),
    help="Deliveries claimed per transaction.",
)
@pass_runtime
def worker(holder: RuntimeHolder, once: bool, interval: float, batch: int) -> None:
    """Send the grades owed to learning platforms and the notification e-mails."""
    runtime = holder.runtime
    tokens = _Tokens(runtime)
    mail = _mail_settings(runtime)
    if once:
        click.echo(f"Scores attempted: {run_pass(runtime, tokens, batch)}.")
        if mail is not None:
            click.echo(_mail_line(send_mails(runtime, mail, batch)))
        return
    stop = threading.Event()
    _stop_on_signals(stop)
    click.echo(f"Chemins worker started (every {interval:g} s); Ctrl-C or SIGTERM to stop.")
    while not stop.is_set():
        # Scores and e-mails apart: a failure of one must not hold the other back.
        try:
            attempted = run_pass(runtime, tokens, batch, stop)
        except Exception:  # a database restart must not end the worker; retry next pass
            log.exception("worker pass failed; trying again in %s s", interval)
        else:
            if attempted:
                log.info("worker pass: %d score(s) attempted", attempted)
        try:
            mails = send_mails(runtime, mail, batch, stop)
        except Exception:
            log.exception("worker e-mail pass failed; trying again in %s s", interval)
        else:
            if mails.attempted or mails.no_address or mails.expired:
                log.info("worker pass: %s", _mail_line(mails))
        stop.wait(interval)
    click.echo("Chemins worker stopped.")


COMMANDS = [worker]
