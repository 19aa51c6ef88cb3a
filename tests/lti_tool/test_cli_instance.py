"""``chemins`` finds its instance, or says it is not there, as an administrator meets it.

Run in another folder, a command must not make a second instance there (a new secret,
an empty database) and die on "no such table"; a new shell must print the address the
server really answers on; a fresh instance publishes its tool key before anything asks.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from badges.models import Platform
from badges.recognition import signing_keys
from badges.storage.database import transaction
from badges.storage.instance import load_instance
from badges.storage.migrate import upgrade
from badges.storage.runtime import Runtime
from lti_tool.cli import main
from lti_tool.cli_runtime import UNUSABLE_INSTANCE
from tests.platform_rows import registered_platform

START = "from lti_tool.cli import main; main()"
NO_INSTANCE = "no Chemins instance here: set CHEMINS_INSTANCE_DIR or run `chemins db upgrade`"
UNSET = {
    "CHEMINS_INSTANCE_DIR": None,
    "CHEMINS_BASE_URL": None,
    "CHEMINS_DATABASE_URL": None,
    "CHEMINS_SECRET_KEY": None,
}


def _chemins(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env={**UNSET, **(env or {})})


@pytest.mark.parametrize(
    "command",
    [
        ("bake", "some-id", "-o", "badge.png"),
        ("platform", "list"),
        ("platform", "admin-link"),
        ("keys", "rotate"),
        ("worker", "--once"),
    ],
)
def test_a_command_run_where_there_is_no_instance_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)

    result = _chemins(*command)

    assert result.exit_code == UNUSABLE_INSTANCE, result.output
    assert NO_INSTANCE in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_instance_without_schema_asks_for_an_upgrade(tmp_path: Path, monkeypatch) -> None:
    """A database file with no tables (made by hand, or by an older `chemins`)."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "instance"
    folder.mkdir()
    (folder / "secret_key").write_text("a-secret-that-was-already-there\n")
    (folder / "chemins.db").touch()

    result = _chemins("platform", "list")

    assert result.exit_code == UNUSABLE_INSTANCE
    assert "has no tables yet: run `chemins db upgrade`" in result.output
    assert (folder / "secret_key").read_text() == "a-secret-that-was-already-there\n"


def test_an_old_schema_asks_for_an_upgrade(tmp_path: Path) -> None:
    env = {"CHEMINS_INSTANCE_DIR": str(tmp_path), "CHEMINS_SECRET_KEY": "s"}
    upgrade(f"sqlite:///{tmp_path / 'chemins.db'}", "0006")

    result = _chemins("worker", "--once", env=env)

    assert result.exit_code == UNUSABLE_INSTANCE
    assert "out of date: run `chemins db upgrade`" in result.output


def test_db_upgrade_makes_a_private_instance_with_its_tool_key(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    previous = os.umask(0o022)  # the usual one, under which SQLite makes files 0644
    try:
        result = _chemins("db", "upgrade")
    finally:
        os.umask(previous)

    assert result.exit_code == 0, result.output
    folder = tmp_path / "instance"
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.iterdir()]}
    assert modes.pop("instance") == 0o700
    assert {"chemins.db", "secret_key", "settings.json"} <= modes.keys()  # and -wal, -shm
    assert set(modes.values()) == {0o600}, modes
    assert "Warning" not in result.output
    runtime = Runtime.open(load_instance({"CHEMINS_INSTANCE_DIR": str(folder)}))
    with transaction(runtime.sessions) as session:
        assert signing_keys.active_tool_key(session) is not None
    runtime.engine.dispose()


def test_db_upgrade_warns_about_a_folder_others_can_read(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    result = _chemins("db", "upgrade", env={"CHEMINS_INSTANCE_DIR": str(tmp_path)})
    assert result.exit_code == 0
    assert f"other users of this machine can open {tmp_path}," in result.output
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755


def test_a_fresh_instance_publishes_the_tool_key_from_the_first_start(tmp_path: Path) -> None:
    """An instance migrated without ``chemins db upgrade`` (as the test fixtures do)."""
    from lti_tool.app import create_app

    env = {"CHEMINS_INSTANCE_DIR": str(tmp_path), "CHEMINS_SECRET_KEY": "s"}
    instance = load_instance(env, create=True)
    upgrade(instance.database_url)
    runtime = Runtime.open(instance)

    keys = create_app(runtime=runtime).test_client().get("/.well-known/jwks.json").json["keys"]

    with transaction(runtime.sessions) as session:
        tool = signing_keys.active_tool_key(session)
        assert tool is not None and [key["kid"] for key in keys] == [tool.kid]
    runtime.engine.dispose()


def _shell(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``chemins`` in a new shell: only what that shell exports."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHEMINS_")}
    return subprocess.run(
        [sys.executable, "-c", START, *args],
        cwd=folder,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_new_shell_prints_the_address_the_server_was_given(tmp_path: Path) -> None:
    """``make run PORT=5200`` exports the base URL to ``db upgrade``; a later shell does not."""
    upgraded = _shell(tmp_path, "db", "upgrade", CHEMINS_BASE_URL="http://127.0.0.1:5200")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "Public base URL: http://127.0.0.1:5200" in upgraded.stdout

    link = _shell(tmp_path, "platform", "admin-link")

    assert link.returncode == 0, link.stderr
    assert link.stdout.startswith("http://127.0.0.1:5200/admin/")
    recorded = json.loads((tmp_path / "instance" / "settings.json").read_text())
    assert recorded == {"base_url": "http://127.0.0.1:5200"}
    told = _shell(tmp_path, "platform", "admin-link", CHEMINS_BASE_URL="https://badges.example")
    assert told.stdout.startswith("https://badges.example/admin/")
    elsewhere = _shell(tmp_path / "instance", "platform", "admin-link")
    assert elsewhere.returncode == UNUSABLE_INSTANCE
    assert NO_INSTANCE in elsewhere.stderr and "Traceback" not in elsewhere.stderr
    assert not (tmp_path / "instance" / "instance").exists()


def test_trust_email_marks_and_unmarks_a_platform(tmp_path: Path) -> None:
    env = {"CHEMINS_INSTANCE_DIR": str(tmp_path)}
    assert _chemins("db", "upgrade", env=env).exit_code == 0
    runtime = Runtime.open(load_instance(env))
    issuer = "https://moodle.example.org"
    registered_platform(runtime, issuer)

    def trusted() -> bool:
        with transaction(runtime.sessions) as session:
            return session.scalars(select(Platform)).one().email_trusted

    unknown = _chemins("platform", "trust-email", "https://moodle.example.org/", env=env)
    assert unknown.exit_code == 1 and "no platform is registered" in unknown.output
    assert trusted() is False
    on = _chemins("platform", "trust-email", issuer, env=env)
    assert on.exit_code == 0 and trusted() is True
    off = _chemins("platform", "trust-email", issuer, "--off", env=env)
    assert off.exit_code == 0 and trusted() is False
    runtime.engine.dispose()


def test_serve_records_the_base_url_it_was_started_with(tmp_path: Path) -> None:
    """``make run`` starts ``chemins serve`` with the base URL; a later shell prints it."""
    import signal
    import time

    import requests

    from tests.live_server import free_port

    assert _shell(tmp_path, "db", "upgrade").returncode == 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CHEMINS_")}
    server = subprocess.Popen(
        [sys.executable, "-c", START, "serve", "--dev", "--port", str(port)],
        cwd=tmp_path,
        env={**clean, "CHEMINS_BASE_URL": base},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, "chemins serve stopped"
            try:
                requests.get(f"{base}/lti/config", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "chemins serve did not start"
                time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)

    link = _shell(tmp_path, "platform", "admin-link")
    assert link.stdout.startswith(f"{base}/admin/"), link.stdout + link.stderr
