"""``python -m demo_lms`` started where there is no Chemins instance says what to do."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from demo_lms.run import main


def test_no_instance_is_a_plain_message_not_a_traceback(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("CHEMINS_INSTANCE_DIR", "CHEMINS_DATABASE_URL", "CHEMINS_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)

    result = CliRunner().invoke(main, ["--no-serve-tool", "--port", "5399"])

    assert result.exit_code == 1
    assert "no Chemins instance here" in result.output
    assert "chemins db upgrade" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "instance").exists()  # nothing created by accident
