"""Shared fixtures: an instance in a temporary folder, on SQLite and on PostgreSQL.

``runtime`` is parametrised over both databases (storage and workflow tests run twice;
the PostgreSQL run carries the ``postgresql`` marker, so ``-m postgresql`` selects it);
``sqlite_runtime`` and ``app`` use SQLite only. The PostgreSQL URL comes from
``CHEMINS_TEST_POSTGRES_URL``, set by ``scripts/run-tests.sh`` after it started a
throwaway cluster; each test gets its own database cloned from a migrated template.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from badges.storage.instance import Instance
from badges.storage.migrate import upgrade
from badges.storage.runtime import Runtime

BASE_URL = "https://chemins.test"
#: The test platforms listen on the loopback: registrations may reach them.
LOCAL_HOSTS = ("127.0.0.1", "localhost")
_counter = itertools.count()


def make_instance(directory: Path, database_url: str) -> Instance:
    return Instance(directory, database_url, secrets.token_urlsafe(32), BASE_URL)


@pytest.fixture(autouse=True)
def logging_left_as_found() -> Iterator[None]:
    """Every ``chemins`` command a test runs sets up logging (:mod:`lti_tool.logging_setup`)
    in this process; the next test gets the logging it would have had without it."""
    from lti_tool.logging_setup import CurrentStderr

    root = logging.getLogger()
    level, alembic = root.level, logging.getLogger("alembic").level
    yield
    for handler in [h for h in root.handlers if isinstance(h, CurrentStderr)]:
        root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(alembic)


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """A migrated template database on the throwaway cluster (None without a cluster)."""
    url = os.environ.get("CHEMINS_TEST_POSTGRES_URL")
    if not url:
        yield None
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS chemins_template"))
        conn.execute(text("CREATE DATABASE chemins_template"))
    template_url = make_url(url).set(database="chemins_template").render_as_string(False)
    upgrade(template_url)
    yield url
    admin.dispose()


def _clone_postgres(base_url: str) -> str:
    name = f"t_{os.getpid()}_{next(_counter)}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE chemins_template'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(False)


_sqlite_template: Path | None = None


def migrated_sqlite(directory: Path) -> str:
    """The URL of a migrated SQLite database in ``directory``, copied from a template.

    Migrating takes ~0.1 s; copying the file that one migration made takes well under a
    millisecond, and every test that wants an empty instance gets one. The template is
    made once per test process, under pytest's own temporary folder.
    """
    global _sqlite_template
    if _sqlite_template is None or not _sqlite_template.exists():
        template_dir = Path(tempfile.mkdtemp(prefix="chemins-sqlite-template-"))
        atexit.register(shutil.rmtree, template_dir, True)
        template = template_dir / "template.db"
        upgrade(f"sqlite:///{template}")
        _sqlite_template = template
    target = directory / "chemins.db"
    shutil.copyfile(_sqlite_template, target)
    target.chmod(0o600)
    return f"sqlite:///{target}"


def _sqlite_runtime(tmp_path: Path) -> Runtime:
    return Runtime.open(make_instance(tmp_path, migrated_sqlite(tmp_path)))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def runtime(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Runtime]:
    """A migrated, empty instance on each database backend."""
    if request.param == "sqlite":
        rt = _sqlite_runtime(tmp_path)
    else:
        base = request.getfixturevalue("postgres_template")
        if base is None:
            pytest.skip("no PostgreSQL cluster (run the suite with `make test`)")
        rt = Runtime.open(make_instance(tmp_path, _clone_postgres(base)))
    yield rt
    rt.engine.dispose()


@pytest.fixture
def sqlite_runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = _sqlite_runtime(tmp_path)
    yield rt
    rt.engine.dispose()


@pytest.fixture
def app(sqlite_runtime: Runtime):  # type: ignore[no-untyped-def]
    from lti_tool.app import create_app

    return create_app(
        {"TESTING": True, "LTI_PRIVATE_PLATFORMS": LOCAL_HOSTS}, runtime=sqlite_runtime
    )


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


FIXTURES = Path(__file__).resolve().parent / "fixtures"
