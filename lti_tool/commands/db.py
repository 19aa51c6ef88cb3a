"""``chemins db upgrade``: bring the database schema to the latest migration."""

from __future__ import annotations

import click

from badges.migrate import upgrade
from lti_tool.cli_runtime import RuntimeHolder, pass_runtime


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@pass_runtime
def db_upgrade(holder: RuntimeHolder) -> None:
    """Apply every pending migration (safe to run again)."""
    upgrade(holder.runtime.instance.database_url)
    click.echo("Database is up to date.")


COMMANDS = [db_group]
