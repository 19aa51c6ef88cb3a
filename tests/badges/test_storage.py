"""Storage runs on SQLite and PostgreSQL alike: migrations, aware datetimes, rollbacks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select

from badges.models import Community, Profile
from badges.storage import transaction


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

    from badges.storage import Base

    with runtime.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrations_go_down_and_up_again(tmp_path) -> None:
    """The latest migration can be undone and redone on a database holding the schema."""
    from alembic import command

    from badges.migrate import alembic_config, upgrade

    url = f"sqlite:///{tmp_path / 'chemins.db'}"
    upgrade(url)
    command.downgrade(alembic_config(url), "-1")
    upgrade(url)
