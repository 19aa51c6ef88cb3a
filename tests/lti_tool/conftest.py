"""Fixtures of the web-layer tests: the LTI world (tool + demo LMS over HTTP), and the
environment a ``chemins`` command runs in."""

from pathlib import Path

import pytest

from tests.lti_launches import lti_world, shared_lti_world, sqlite_lti_world

__all__ = ["cli_env", "lti_world", "shared_lti_world", "sqlite_lti_world"]


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a ``chemins`` command: a fresh instance folder, SQLite inside it."""
    return {
        "CHEMINS_INSTANCE_DIR": str(tmp_path / "instance"),
        "CHEMINS_BASE_URL": "https://chemins.test",
        "CHEMINS_SECRET_KEY": "a-test-secret-that-is-long-enough-for-hkdf",
        "CHEMINS_DATABASE_URL": "",
    }
