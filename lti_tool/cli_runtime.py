"""The runtime shared by ``chemins`` commands, opened on first use."""

from __future__ import annotations

import click

from badges.runtime import Runtime


class RuntimeHolder:
    """Opens the runtime on first use so that ``chemins --help`` touches no database."""

    def __init__(self) -> None:
        self._runtime: Runtime | None = None

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = Runtime.open()
        return self._runtime


pass_runtime = click.make_pass_decorator(RuntimeHolder, ensure=True)
