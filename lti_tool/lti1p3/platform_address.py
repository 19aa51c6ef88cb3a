"""Where a registration may send the tool: public addresses, or hosts an admin allowed.

``/lti/register`` is opened by whoever has the link, with an ``openid_configuration``
URL of their choosing, and that configuration then names the registration endpoint the
tool posts to. Unchecked, anyone could make the tool send requests into its own network
(a cloud metadata service at 169.254.169.254, an admin interface on localhost...). So
both URLs must resolve to global addresses only, unless their host is one the
instance's administrator allowed (an intranet Moodle, the demo platform on localhost),
and these two requests follow no redirect.

The name is resolved just before the request; a DNS answer that changes between the
check and the connection (rebinding) is not caught here. Platforms an admin registers
by hand are trusted as given.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

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
    allowed = {h.strip().lower() for h in allowed_hosts}
    if ANY_HOST in allowed or host in allowed:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise RegistrationFailed(f"{host} cannot be resolved: {exc}") from exc
    for _family, _type, _proto, _name, address in answers:
        ip = ipaddress.ip_address(str(address[0]).split("%")[0])
        if not ip.is_global:
            raise PrivateAddress(f"{host} leads to {ip}, an address of a private network")
