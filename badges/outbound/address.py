"""Which addresses the tool may connect to: the public Internet, nothing else.

Whoever chooses a URL the tool fetches (a platform's launch, a stranger on
``/lti/register``, a badge handed to ``chemins verify``) must not be able to aim the
tool at its own network: a cloud metadata service (169.254.169.254, ``fd00:ec2::254``),
an admin interface on localhost, a database behind the firewall. So an address is
accepted only when ``ipaddress`` calls it global and it is not multicast (Python counts
some multicast ranges as global). IPv6 forms that carry an IPv4 address (IPv4-mapped
``::ffff:127.0.0.1``, 6to4, Teredo, NAT64 ``64:ff9b::/96``) are judged by that IPv4
address too, since the kernel or a gateway may deliver them there.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from badges.outbound.allowlist import is_allowed
from badges.outbound.errors import NotAWebAddress, OutboundUnreachable, PrivateAddress

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """True for a global unicast address (and, for IPv6, the IPv4 address it carries)."""
    if ip.is_multicast or not ip.is_global:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return is_public(inner)
    return True


def refuse_private(host: str, address: str) -> None:
    """Raise :class:`PrivateAddress` unless ``address`` (``host``'s answer) is public."""
    ip = ipaddress.ip_address(address.split("%")[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if not is_public(ip):
        raise PrivateAddress(f"{host} leads to {ip}, an address of a private network")


def web_host(url: str) -> tuple[str, int]:
    """The host (lowercase, without IPv6 brackets) and port of an ``http(s)`` URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise NotAWebAddress(f"{url[:80]!r} is not a web address") from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise NotAWebAddress(f"{url[:80]!r} is not a web address")
    return host, port or (443 if parts.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to; :class:`OutboundUnreachable` if none."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise OutboundUnreachable(f"{host} cannot be resolved") from exc
    return [str(address[0]) for _family, _type, _proto, _name, address in answers]


def check_url(url: str, allowed: frozenset[str]) -> None:
    """Refuse ``url`` unless its host is allowed or every address it resolves to is public.

    For URLs stored now and called later (a registration's JWKS or token URL), so the
    person who typed them hears at once. One private answer is enough to refuse: which
    address a connection would use is the resolver's choice, not ours.
    """
    host, port = web_host(url)
    if is_allowed(allowed, host):
        return
    for address in resolve(host, port):
        refuse_private(host, address)
