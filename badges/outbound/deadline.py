"""One total deadline per call, wherever the call is waiting when it passes.

``requests``' timeouts bound each socket operation, not the call: a server that drips
one byte a second never lets a read time out, in its headers or its body, and would
hold a web worker for hours. So each call runs under a :class:`Deadline`. While it is
active, every connection the call uses registers its socket here (see
:mod:`badges.outbound.connection`); when the time is up, a timer thread shuts those
sockets down, the blocked read returns at once, and the client reports
:class:`~badges.outbound.errors.OutboundTimeout`.

The timer shuts down a duplicate of each socket's descriptor, never the socket object
urllib3 is using: ``shutdown`` acts on the connection behind every descriptor (so the
read wakes up, TLS included), while closing our duplicate afterwards cannot close or
reuse a descriptor anyone else holds.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from types import TracebackType

_current = threading.local()


class Deadline:
    """A call's deadline: ``seconds`` from :meth:`start` until :meth:`finish`."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._ends_at = 0.0
        self._lock = threading.Lock()
        self._sockets: dict[int, socket.socket] = {}
        self._timer: threading.Timer | None = None
        self._finished = False
        self._outer: Deadline | None = None
        self.expired = False

    def remaining(self) -> float:
        """Seconds left (never below a millisecond, so it can be a socket timeout)."""
        return max(self._ends_at - time.monotonic(), 0.001)

    def __enter__(self) -> Deadline:
        self._ends_at = time.monotonic() + self.seconds
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()
        self._outer = current()
        _current.deadline = self
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        _current.deadline = self._outer
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._finished = True
            for duplicate in self._sockets.values():
                duplicate.close()
            self._sockets.clear()

    def watch(self, key: int, sock: socket.socket) -> None:
        """Cut ``sock`` at the deadline (``key``: its connection, registered once)."""
        with self._lock:
            if self._finished or key in self._sockets:
                return
            try:
                duplicate = socket.fromfd(sock.fileno(), sock.family, sock.type)
            except OSError:
                return  # already closed: nothing left to cut
            self._sockets[key] = duplicate
            if self.expired:
                _shut(duplicate)

    def _expire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.expired = True
            for duplicate in self._sockets.values():
                _shut(duplicate)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # the remote closed first
        sock.shutdown(socket.SHUT_RDWR)


def current() -> Deadline | None:
    """The deadline of the call running in this thread, if any."""
    return getattr(_current, "deadline", None)
