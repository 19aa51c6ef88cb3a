"""``chemins worker`` as an operator runs it: a loop that SIGTERM and Ctrl-C stop cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from lti_tool.cli import main

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
