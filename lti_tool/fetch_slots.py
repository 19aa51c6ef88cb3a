"""A bound on how many requests of one kind may wait on someone else's server at once.

A web worker has a few threads (``chemins serve --threads``). A request that calls a
platform the visitor named (Dynamic Registration reads a configuration and posts a
registration wherever the visitor points) holds its thread until that server answers,
and a server that drips one byte every few seconds answers late. Eight such requests
once held every thread, and ``/lti/config`` took half a minute.

So those requests take a *slot* first: a per-process semaphore that is never waited
on. When every slot is taken the request is answered at once (503 with
``Retry-After``), and the rest of the worker's threads stay free for everyone else.
The total deadline of each call belongs to the outbound HTTP client; this only caps
how many threads may be spent waiting.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask

_EXTENSION = "chemins.fetch_slots"
_CREATING = threading.Lock()


class NoFreeSlot(Exception):
    """Every slot of this kind is taken: answer "busy" now rather than wait."""


@dataclass
class FetchSlots:
    """``size`` slots for one kind of outbound work, in one process."""

    size: int

    def __post_init__(self) -> None:
        self._semaphore = threading.BoundedSemaphore(self.size)

    @contextmanager
    def taken(self) -> Iterator[None]:
        """Hold a slot for the block; raise :class:`NoFreeSlot` at once if none is free."""
        if not self._semaphore.acquire(blocking=False):
            raise NoFreeSlot
        try:
            yield
        finally:
            self._semaphore.release()


def fetch_slots(app: Flask, kind: str, size: int) -> FetchSlots:
    """The app's slots of ``kind`` (made with ``size`` slots the first time, or resized)."""
    registry: dict[str, FetchSlots] = app.extensions.setdefault(_EXTENSION, {})
    slots = registry.get(kind)
    if slots is None or slots.size != size:
        with _CREATING:  # two first requests at once must share one semaphore
            slots = registry.get(kind)
            if slots is None or slots.size != size:
                # A resize (the app config changed) starts a new count.
                slots = registry[kind] = FetchSlots(size)
    return slots
