"""Connections that refuse private addresses, checked where the bytes really go.

Checking a URL's name before the request is not enough: the connection resolves the
name again, and a DNS answer that changed in between (rebinding) would lead inward. So
each new connection of the guarded client, for a host that is not allowed:

1. resolves the name and refuses if an answer is private, so the usual case never even
   opens a TCP connection inward;
2. after the TCP connect, before TLS or a byte of HTTP, checks the address it actually
   reached and closes the socket if that one is private (rebinding, a changed answer).

Each connection also hands its socket to the call's :class:`~badges.outbound.deadline.Deadline`,
when it is opened and each time it is reused, so that the deadline can cut it.

This relies on urllib3's ``HTTPConnection._new_conn`` (private, but stable since urllib3
1.x): the rebinding test fails if a release moves it. Through an outgoing proxy the
connection goes to the proxy, which resolves names and must apply its own rules.
"""

from __future__ import annotations

import socket
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from badges.outbound import deadline
from badges.outbound.address import refuse_private, resolve
from badges.outbound.allowlist import is_allowed
from badges.outbound.errors import OutboundError, OutboundUnreachable


class Blocked(Exception):
    """Carries an :class:`OutboundError` through urllib3 and requests, unwrapped.

    Deliberately not an ``OSError``: urllib3 turns those into retries and
    ``ConnectionError``s, and the caller would lose the reason.
    """

    def __init__(self, error: OutboundError) -> None:
        super().__init__(str(error))
        self.error = error


def _guarded(connection: type[HTTPConnection], allowed: frozenset[str]) -> type[HTTPConnection]:
    """``connection`` that refuses private addresses and answers to the call's deadline."""

    class Guarded(connection):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            host = (self.host or "").lower()
            checked = not is_allowed(allowed, host)
            if checked:
                try:
                    for address in resolve(host, self.port):
                        refuse_private(host, address)
                except OutboundUnreachable:
                    pass  # the connection below fails with the resolver's own words
                except OutboundError as error:
                    raise Blocked(error) from error
            sock = super()._new_conn()
            if checked:
                try:
                    refuse_private(host, sock.getpeername()[0])
                except OutboundError as error:
                    sock.close()
                    raise Blocked(error) from error
            _watch(self, sock)
            return sock

        def request(self, *args: Any, **kwargs: Any) -> None:
            if self.sock is not None:  # a kept-alive connection, reused by this call
                _watch(self, self.sock)
            super().request(*args, **kwargs)

    return Guarded


def _watch(connection: HTTPConnection, sock: socket.socket) -> None:
    running = deadline.current()
    if running is not None:
        running.watch(id(connection), sock)


class GuardedAdapter(HTTPAdapter):
    """An adapter whose connection pools open :func:`_guarded` connections."""

    def __init__(self, allowed: frozenset[str]) -> None:
        self._allowed = allowed
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        allowed = self._allowed

        class Plain(HTTPConnectionPool):
            ConnectionCls = _guarded(HTTPConnection, allowed)

        class Secure(HTTPSConnectionPool):
            ConnectionCls = _guarded(HTTPSConnection, allowed)

        self.poolmanager.pool_classes_by_scheme = {"http": Plain, "https": Secure}
