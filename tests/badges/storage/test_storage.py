"""Storage runs on SQLite and PostgreSQL alike: migrations, aware datetimes, rollbacks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select

from badges.models import Community, Profile
from badges.storage.database import make_session_factory, transaction


def test_migrations_create_every_table(runtime) -> None:
    tables = set(inspect(runtime.engine).get_table_names())
    assert {"community", "profile", "badge_class", "assertion", "endorsement", "evidence"} <= tables


def test_datetimes_come_back_aware_and_in_utc(runtime) -> None:
    paris = timezone(timedelta(hours=1))
    with transaction(runtime.sessions) as session:
        session.add(
            Community(
                id="c1",
                name="Centre",
                slug="centre",
                created_at=datetime(2026, 1, 1, 12, tzinfo=paris),
            )
        )
    with transaction(runtime.sessions) as session:
        community = session.get(Community, "c1")
        assert community.created_at == datetime(2026, 1, 1, 11, tzinfo=UTC)
        assert community.created_at.tzinfo is not None


def test_naive_datetimes_are_refused(runtime) -> None:
    with pytest.raises(Exception, match="naive"), transaction(runtime.sessions) as session:
        session.add(Community(name="X", slug="x", created_at=datetime(2026, 1, 1)))


def test_a_failed_workflow_leaves_nothing_behind(runtime) -> None:
    with pytest.raises(RuntimeError), transaction(runtime.sessions) as session:
        community = Community(name="Centre", slug="centre")
        session.add(community)
        session.flush()
        session.add(Profile(community_id=community.id, name="Centre", url="https://c.example"))
        session.flush()
        raise RuntimeError("boom")
    with transaction(runtime.sessions) as session:
        assert session.scalars(select(Community)).all() == []
        assert session.scalars(select(Profile)).all() == []


def test_migrations_build_the_schema_the_models_declare(runtime) -> None:
    """Tables, columns, indexes and constraints: nothing autogenerate would add or drop."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from badges.storage.database import Base

    with runtime.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrations_go_down_and_up_again(tmp_path) -> None:
    """The latest migration can be undone and redone on a database holding the schema."""
    from alembic import command

    from badges.storage.migrate import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'chemins.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "-1")
    upgrade(url)


def test_migration_0006_moves_the_badge_of_each_link_from_its_sessions(tmp_path) -> None:
    """Links placed before 0006 keep completing gradebook columns after it."""
    from sqlalchemy import create_engine, text

    from badges.storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'chemins.db'}"
    upgrade(url, "0005")
    custom = "https://purl.imsglobal.org/spec/lti/claim/custom"
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in (
            "INSERT INTO community (id, name, slug, language, created_at) "
            "VALUES ('c', 'C', 'c', 'fr', '2026-01-01 00:00:00.000000')",
            "INSERT INTO lti_platform (id, issuer, created_at) "
            "VALUES ('p', 'https://lms', '2026-01-01 00:00:00.000000')",
            "INSERT INTO lti_registration (id, platform_id, client_id, auth_login_url, "
            "auth_token_url, jwks_url, created_at) VALUES ('r', 'p', 'x', 'https://lms/a', "
            "'https://lms/t', 'https://lms/k', '2026-01-01 00:00:00.000000')",
            "INSERT INTO lti_deployment (id, registration_id, deployment_id, community_id, "
            "created_at) VALUES ('d', 'r', '1', 'c', '2026-01-01 00:00:00.000000')",
            "INSERT INTO person (id, platform_id, sub, created_at, updated_at) VALUES "
            "('u', 'p', 's', '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')",
        ):
            connection.execute(text(statement))
        for link in ("graded", "plain"):
            connection.execute(
                text(
                    "INSERT INTO lti_resource_link (id, deployment_id, resource_link_id, "
                    "ags_scopes, created_at, updated_at) VALUES (:id, 'd', :id, '[]', "
                    "'2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000')"
                ),
                {"id": link},
            )
        for number, (link, claims) in enumerate(
            (
                ("graded", {custom: {"target": "ask-badge", "badge": "old-badge"}}),
                ("graded", {custom: {"target": "ask-badge", "badge": "new-badge"}}),
                ("plain", {}),
            )
        ):
            connection.execute(
                text(
                    "INSERT INTO lti_launch_session (id, person_id, deployment_id, "
                    "resource_link_id, message_type, role, lti_roles, claims, created_at, "
                    "expires_at) VALUES (:id, 'u', 'd', :link, 'LtiResourceLinkRequest', "
                    "'learner', '[]', :claims, :at, :at)"
                ),
                {
                    "id": f"s{number}",
                    "link": link,
                    "claims": json.dumps(claims),
                    "at": f"2026-01-0{number + 1} 00:00:00.000000",
                },
            )
    engine.dispose()
    upgrade(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, custom_badge FROM lti_resource_link")).all()
        badges = {link: badge for link, badge in rows}
    engine.dispose()
    assert badges == {"graded": "new-badge", "plain": None}


def test_the_sqlite_database_and_its_wal_files_are_private(tmp_path) -> None:
    """Names and e-mails live there: 0600 even under the usual 022 umask (not 0644)."""
    import os
    import stat

    from badges.storage.database import make_engine
    from badges.storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'chemins.db'}"
    previous = os.umask(0o022)
    try:
        upgrade(url)
        engine = make_engine(url)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        with transaction(make_session_factory(engine)) as session:
            session.add(Community(name="Centre", slug="centre"))
        with engine.connect() as connection:  # open: the -wal and -shm files are there
            connection.exec_driver_sql("SELECT count(*) FROM community").scalar()
            files = sorted(tmp_path.glob("chemins.db*"))
            modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in files}
        engine.dispose()
    finally:
        os.umask(previous)
    assert modes == {"chemins.db": 0o600, "chemins.db-shm": 0o600, "chemins.db-wal": 0o600}


def test_an_existing_database_file_keeps_its_mode(tmp_path) -> None:
    """Chemins reports a readable database (``chemins db upgrade``), it does not chmod it."""
    from badges.storage.database import make_engine

    database = tmp_path / "chemins.db"
    database.touch(mode=0o640)
    database.chmod(0o640)
    make_engine(f"sqlite:///{database}").dispose()
    assert database.stat().st_mode & 0o777 == 0o640
