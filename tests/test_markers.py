"""The markers pyproject.toml declares select what they say.

``-m browser`` is how a machine without Chromium runs the rest (``-m "not browser"``), and
``-m postgresql`` how the PostgreSQL half is run on its own: a marker applied to no test
would select nothing, silently. Each check collects in a fresh pytest, as a person would;
a module that does not import is the suite's failure, reported there, not a marker's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: pytest's exit codes for a collection: fine, a module that failed to import, every test
#: deselected (anything else is a usage or internal error).
COLLECTED = (0, 1, 5)
COLLECT = [sys.executable, "-m", "pytest", "--collect-only", "--continue-on-collection-errors"]


def _selected(*arguments: str) -> list[str]:
    """The ids ``pytest --collect-only ...`` selects."""
    done = subprocess.run(
        [*COLLECT, "-q", "-p", "no:cacheprovider", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in COLLECTED, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if "::" in line]


def _runs_on_postgresql(test_id: str) -> bool:
    _, _, parameters = test_id.partition("[")
    return "postgresql" in parameters.rstrip("]").split("-")


def test_browser_selects_the_browser_journeys_and_only_them() -> None:
    journeys = _selected("tests/e2e", "-m", "browser")
    assert journeys
    assert _selected("tests/e2e", "-m", "not browser") == []
    assert all(test_id.startswith("tests/e2e/") for test_id in _selected("-m", "browser"))


def test_postgresql_selects_the_postgresql_runs_and_only_them() -> None:
    on_postgresql = _selected("tests/badges", "-m", "postgresql")
    assert on_postgresql
    assert all(_runs_on_postgresql(test_id) for test_id in on_postgresql)
    elsewhere = _selected("tests/badges", "-m", "not postgresql")
    assert elsewhere
    assert not any(_runs_on_postgresql(test_id) for test_id in elsewhere)
