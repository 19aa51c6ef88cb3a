"""Schema migrations (Alembic) driven from code, for ``chemins db upgrade`` and the tests.

No ``alembic.ini`` is needed: the script location is this package's ``migrations``
folder and the URL comes from the instance.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at ``database_url`` to ``revision`` (the latest by default)."""
    command.upgrade(alembic_config(database_url), revision)
