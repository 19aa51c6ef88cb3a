"""Where a registration may send the tool: public addresses, or hosts an admin allowed.

``/lti/register`` is opened by whoever has the link, with an ``openid_configuration``
URL of their choosing, and that configuration then names the registration endpoint the
tool posts to. Unchecked, anyone could make the tool send requests into its own network
(a cloud metadata service at 169.254.169.254, an admin interface on localhost...). So
both URLs must resolve to global addresses only, unless their host is one the
instance's administrator allowed (an intranet Moodle, the demo platform on localhost),
and these two requests follow no redirect.

:func:`check_reachable` vets the name before the request, for a clear refusal; the
connection then resolves it again, so a DNS answer that changes in between (rebinding)
could still lead inward. :func:`guarded_session` closes that gap: its connections check
the address they actually reached, before a byte of HTTP is sent. Platforms an admin
registers by hand are trusted as given.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from lti_tool.lti1p3.service_errors import PrivateAddress, RegistrationFailed

#: Allows every host (a closed network where every platform is private).
ANY_HOST = "*"


def check_reachable(url: str, allowed_hosts: Iterable[str] = ()) -> None:
    """Refuse ``url`` unless every address of its host is global, or the host is allowed.

    Raises :class:`PrivateAddress` for a private, loopback, link-local or otherwise
    non-global address, :class:`RegistrationFailed` for a URL without a host or a name
    that does not resolve.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise RegistrationFailed(f"{url!r} is not a web address")
    allowed = _hosts(allowed_hosts)
    if ANY_HOST in allowed or host in allowed:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise RegistrationFailed(f"{host} cannot be resolved: {exc}") from exc
    for _family, _type, _proto, _name, address in answers:
        _refuse_private(host, str(address[0]))


def _hosts(allowed_hosts: Iterable[str]) -> frozenset[str]:
    return frozenset(h.strip().lower() for h in allowed_hosts)


def _refuse_private(host: str, address: str) -> None:
    ip = ipaddress.ip_address(address.split("%")[0])
    if not ip.is_global:
        raise PrivateAddress(f"{host} leads to {ip}, an address of a private network")


def guarded_session(allowed_hosts: Iterable[str] = ()) -> requests.Session:
    """A requests session that only connects to global addresses, or to allowed hosts.

    Each new connection checks the peer it reached (right after the TCP connect, before
    TLS or HTTP) and closes it with :class:`PrivateAddress` if that address is not
    global. Through a proxy the proxy resolves names and must apply its own rules.
    """
    allowed = _hosts(allowed_hosts)
    session = requests.Session()
    if ANY_HOST not in allowed:
        adapter = _GuardedAdapter(allowed)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return session


def _guarded(connection: type[HTTPConnection], allowed: frozenset[str]) -> type[HTTPConnection]:
    """``connection`` whose sockets are refused when they reach a private address."""

    class Guarded(connection):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            sock = super()._new_conn()
            host = (self.host or "").lower()
            if host not in allowed:
                try:
                    _refuse_private(host, sock.getpeername()[0])
                except PrivateAddress:
                    sock.close()
                    raise
            return sock

    return Guarded


class _GuardedAdapter(HTTPAdapter):
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
