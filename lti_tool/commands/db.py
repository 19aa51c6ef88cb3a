"""``chemins db upgrade``: bring the database schema to the latest migration.

It is the one command that creates an instance (folder, secret, database); it also
publishes the tool's LTI key and records the public base URL, so that a fresh instance
is complete before its first request and later commands print the right address.
"""

from __future__ import annotations

import click

from badges.storage.instance import readable_by_others, remember_base_url
from badges.storage.migrate import upgrade
from lti_tool.cli_runtime import RuntimeHolder, pass_runtime


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@pass_runtime
def db_upgrade(holder: RuntimeHolder) -> None:
    """Create the instance if needed and apply every pending migration (safe to run again)."""
    runtime = holder.create()
    instance = runtime.instance
    upgrade(instance.database_url)
    runtime.publish_tool_key()
    remember_base_url(instance)
    for path in readable_by_others(instance):
        click.echo(
            f"Warning: other users of this machine can open {path}, which holds the "
            f"instance's secret or people's names and e-mails (chmod go-rwx {path}).",
            err=True,
        )
    click.echo("Database is up to date.")
    click.echo(f"Public base URL: {instance.origin} (set CHEMINS_BASE_URL to change it).")


COMMANDS = [db_group]
