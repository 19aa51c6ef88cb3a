"""``chemins serve`` in a child process, as an operator runs it, its output kept for the test.

The tests of the servers' logs read what the process prints (stdout and stderr
together, as a log collector gets them).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from tests.live_server import free_port

START = "from lti_tool.cli import main; main()"


@contextmanager
def serving(
    env: dict[str, str], *options: str, port: int | None = None
) -> Iterator[tuple[str, list[str]]]:
    """``chemins serve`` in a child process; yields its URL and, after it stopped, its output."""
    port = port or free_port()
    child = subprocess.Popen(
        [sys.executable, "-c", START, "serve", "--port", str(port), "--workers", "1", *options],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    output: list[str] = []
    try:
        deadline = time.monotonic() + 30
        while True:
            assert child.poll() is None, child.communicate()[0]
            try:
                requests.get(url + "/lti/config", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield url, output
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            output.append(child.communicate(timeout=20)[0])
        finally:
            if child.poll() is None:
                child.kill()
