"""``chemins worker``: deliver the grades owed to gradebooks, again and again.

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
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import click

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
    """Send the grades owed to learning platforms (the score_delivery outbox)."""
    runtime = holder.runtime
    tokens = _Tokens(runtime)
    if once:
        click.echo(f"Scores attempted: {run_pass(runtime, tokens, batch)}.")
        return
    stop = threading.Event()
    _stop_on_signals(stop)
    click.echo(f"Chemins worker started (every {interval:g} s); Ctrl-C or SIGTERM to stop.")
    while not stop.is_set():
        try:
            attempted = run_pass(runtime, tokens, batch, stop)
        except Exception:  # a database restart must not end the worker; retry next pass
            log.exception("worker pass failed; trying again in %s s", interval)
        else:
            if attempted:
                log.info("worker pass: %d score(s) attempted", attempted)
        stop.wait(interval)
    click.echo("Chemins worker stopped.")


COMMANDS = [worker]
