"""The instance folder: made on purpose only, private, and remembering its base URL; a
database without this version's schema is named as such."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from badges.storage.instance import (
    DEFAULT_BASE_URL,
    NoInstance,
    load_instance,
    readable_by_others,
    remember_base_url,
)
from badges.storage.migrate import upgrade
from badges.storage.runtime import Runtime, SchemaNotReady


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_no_instance_is_made_by_accident(tmp_path: Path) -> None:
    folder = tmp_path / "instance"
    with pytest.raises(NoInstance, match="chemins db upgrade"):
        load_instance({"CHEMINS_INSTANCE_DIR": str(folder)})
    assert not folder.exists()


def test_a_folder_without_an_instance_in_it_is_refused_and_left_alone(tmp_path: Path) -> None:
    """``./instance`` of some other project, or a folder with a secret and no database."""
    (tmp_path / "secret_key").write_text("someone else's\n")
    env = {"CHEMINS_INSTANCE_DIR": str(tmp_path)}
    with pytest.raises(NoInstance, match="no Chemins instance here"):
        load_instance(env)
    with pytest.raises(NoInstance):
        load_instance({**env, "CHEMINS_SECRET_KEY": "given"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_with_database_and_secret_in_the_environment_no_folder_is_needed(tmp_path) -> None:
    env = {
        "CHEMINS_INSTANCE_DIR": str(tmp_path / "absent"),
        "CHEMINS_SECRET_KEY": "given",
        "CHEMINS_DATABASE_URL": "postgresql+psycopg://db.example/chemins",
    }
    assert load_instance(env).database_url == env["CHEMINS_DATABASE_URL"]
    assert not (tmp_path / "absent").exists()


def test_a_created_instance_is_private(tmp_path: Path) -> None:
    folder = tmp_path / "instance"
    instance = load_instance({"CHEMINS_INSTANCE_DIR": str(folder)}, create=True)
    upgrade(instance.database_url)
    assert _mode(folder) == 0o700
    assert _mode(folder / "secret_key") == 0o600
    assert _mode(folder / "chemins.db") == 0o600
    assert readable_by_others(instance) == []
    assert load_instance({"CHEMINS_INSTANCE_DIR": str(folder)}) == instance


def test_files_others_can_read_are_reported_not_changed(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    instance = load_instance({"CHEMINS_INSTANCE_DIR": str(tmp_path)}, create=True)
    (tmp_path / "chemins.db").touch()
    (tmp_path / "chemins.db").chmod(0o644)
    assert readable_by_others(instance) == [tmp_path, tmp_path / "chemins.db"]
    assert _mode(tmp_path) == 0o755


def test_the_recorded_base_url_is_used_until_the_environment_says_otherwise(tmp_path) -> None:
    env = {"CHEMINS_INSTANCE_DIR": str(tmp_path), "CHEMINS_SECRET_KEY": "s"}
    served = load_instance({**env, "CHEMINS_BASE_URL": "http://127.0.0.1:5200/"}, create=True)
    assert remember_base_url(served) is True
    assert remember_base_url(served) is False
    assert _mode(tmp_path / "settings.json") == 0o600
    (tmp_path / "chemins.db").touch()

    assert load_instance(env).origin == "http://127.0.0.1:5200"
    elsewhere = load_instance({**env, "CHEMINS_BASE_URL": "https://badges.example.org"})
    assert elsewhere.origin == "https://badges.example.org"
    (tmp_path / "settings.json").write_text("not json")
    assert load_instance(env).origin == DEFAULT_BASE_URL


def _runtime(tmp_path: Path) -> Runtime:
    env = {"CHEMINS_INSTANCE_DIR": str(tmp_path), "CHEMINS_SECRET_KEY": "s"}
    return Runtime.open(load_instance(env, create=True))


def test_a_database_without_tables_asks_for_an_upgrade(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)
    with pytest.raises(SchemaNotReady, match="no tables yet: run `chemins db upgrade`"):
        runtime.check_schema()
    runtime.engine.dispose()


def test_an_older_schema_asks_for_an_upgrade_and_the_latest_passes(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)
    upgrade(runtime.instance.database_url, "0005")
    with pytest.raises(SchemaNotReady, match="out of date: run `chemins db upgrade`"):
        runtime.check_schema()
    upgrade(runtime.instance.database_url)
    runtime.check_schema()
    with runtime.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaNotReady, match="newer version of Chemins"):
        runtime.check_schema()
    runtime.engine.dispose()


def test_a_database_whose_secret_is_gone_gets_no_new_secret(tmp_path: Path) -> None:
    """A new secret could not open the keys sealed in that database: say so, even to
    ``chemins db upgrade``, instead of generating one."""
    instance = load_instance({"CHEMINS_INSTANCE_DIR": str(tmp_path)}, create=True)
    upgrade(instance.database_url)
    (tmp_path / "secret_key").unlink()

    for create in (False, True):
        with pytest.raises(NoInstance, match="holds a database but not its secret_key"):
            load_instance({"CHEMINS_INSTANCE_DIR": str(tmp_path)}, create=create)
    assert not (tmp_path / "secret_key").exists()
    given = {"CHEMINS_INSTANCE_DIR": str(tmp_path), "CHEMINS_SECRET_KEY": instance.secret_key}
    assert load_instance(given) == instance
