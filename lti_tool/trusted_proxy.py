"""Behind a reverse proxy: believe the ``X-Forwarded-*`` headers of that proxy, and only its.

Behind nginx (TLS ends there) the tool sees plain HTTP from the proxy's address. Whether a
request came over HTTPS decides its cookies (``SameSite=None; Secure``, which an LMS
iframe needs), and the client's address is what the access log should show; the proxy
says both in ``X-Forwarded-For``/``-Proto``/``-Host``/``-Port``. Anybody can send those
headers, so they are read (Werkzeug's ``ProxyFix``, one proxy hop) only from the
addresses an admin names: ``chemins serve --forwarded-allow-ips`` (or
``CHEMINS_FORWARDED_ALLOW_IPS``), IP addresses or networks, ``*`` for any.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
ANY = "*"


def parse_allowed(value: str | None) -> tuple[str, ...]:
    """The entries of a comma- or space-separated list; ValueError for a bad address."""
    entries = tuple(entry for entry in re.split(r"[\s,]+", value or "") if entry)
    for entry in entries:
        if entry != ANY:
            ipaddress.ip_network(entry)  # strict, as gunicorn: "10.0.0.1/8" is a typo
    return entries


class TrustedProxy:
    """WSGI middleware: ``ProxyFix`` for requests from allowed addresses, nothing otherwise."""

    def __init__(self, app: Any, allowed: Iterable[str]) -> None:
        entries = tuple(allowed)
        self.app = app
        self.any = ANY in entries
        self.networks: tuple[Network, ...] = tuple(
            ipaddress.ip_network(entry, strict=False) for entry in entries if entry != ANY
        )
        self.proxied = ProxyFix(app, x_for=1, x_proto=1, x_host=1, x_port=1)

    def trusts(self, address: str | None) -> bool:
        """Whether the peer at ``address`` is an allowed proxy."""
        if self.any:
            return True
        try:
            peer = ipaddress.ip_address(address or "")
        except ValueError:  # a UNIX socket, or no address at all
            return False
        return any(peer in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.trusts(environ.get("REMOTE_ADDR")):
            return self.proxied(environ, start_response)
        return self.app(environ, start_response)
