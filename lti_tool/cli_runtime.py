"""The runtime shared by ``chemins`` commands, opened on first use.

A command run where there is no instance, or on a database without this version's
schema, stops with one plain line and exit status 2 instead of creating an instance by
accident or dying on "no such table". Only the commands that build the schema
(``db upgrade``, ``demo``) may create an instance, through :meth:`RuntimeHolder.create`.
"""

from __future__ import annotations

import click

from badges.storage.instance import NoInstance
from badges.storage.runtime import Runtime, SchemaNotReady

#: Exit status of a command that found no usable instance (as click's usage errors).
UNUSABLE_INSTANCE = 2


class InstanceUnusable(click.ClickException):
    """No instance here, or its database needs ``chemins db upgrade``."""

    exit_code = UNUSABLE_INSTANCE


class RuntimeHolder:
    """Opens the runtime on first use so that ``chemins --help`` touches no database."""

    def __init__(self) -> None:
        self._runtime: Runtime | None = None

    @property
    def runtime(self) -> Runtime:
        """The existing instance, its schema checked; :class:`InstanceUnusable` otherwise."""
        if self._runtime is None:
            try:
                runtime = Runtime.open()
            except NoInstance as exc:
                raise InstanceUnusable(str(exc)) from exc
            try:
                runtime.check_schema()
            except SchemaNotReady as exc:
                runtime.engine.dispose()
                raise InstanceUnusable(str(exc)) from exc
            self._runtime = runtime
        return self._runtime

    def create(self) -> Runtime:
        """The instance, created here when there is none; its schema is the caller's job."""
        if self._runtime is None:
            self._runtime = Runtime.open(create=True)
        return self._runtime


pass_runtime = click.make_pass_decorator(RuntimeHolder, ensure=True)
