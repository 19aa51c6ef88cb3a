"""The ``chemins`` command (click), in the style of ``flask``'s own CLI.

Each group of commands lives in ``lti_tool/commands/<idea>.py`` and is added here; they
share one lazily opened :class:`~badges.storage.runtime.Runtime` through the click context, and
the logging every command writes with (:mod:`lti_tool.logging_setup`).
"""

from __future__ import annotations

import click

from lti_tool.cli_runtime import RuntimeHolder
from lti_tool.logging_setup import LogSettingError, configure_logging


class BadLogSetting(click.ClickException):
    """``CHEMINS_LOG_LEVEL`` or ``CHEMINS_LOG_FORMAT`` is wrong: stop before doing anything."""

    exit_code = 2


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """Chemins: open recognition for Moodle and Open edX."""
    try:
        configure_logging()
    except LogSettingError as exc:
        raise BadLogSetting(str(exc)) from exc
    ctx.ensure_object(RuntimeHolder)


def _register() -> None:
    from lti_tool.commands import badges, db, platform, serve, worker

    for module in (db, serve, badges, platform, worker):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
