"""The web app's guarded HTTP client, built once from the instance's allowlist.

Platform keys, service tokens, and roster and gradebook calls use this one
:class:`~badges.outbound.client.OutboundClient`, so they share its connection pool.
Dynamic Registration (rare, with a deadline of its own) builds a client per attempt;
both read the allowlist the same way (:func:`badges.outbound.allowlist.private_hosts`:
the app's ``PRIVATE_HOSTS`` or ``LTI_PRIVATE_PLATFORMS`` config, else
``CHEMINS_PRIVATE_HOSTS``).

:func:`keyset_url_problem` tells an admin at once, in their language, when a URL they
type would be refused later, on every launch, with nobody watching.
"""

from __future__ import annotations

import threading

from flask import Flask
from flask_babel import gettext as _

from badges.outbound.address import web_host
from badges.outbound.allowlist import is_allowed, private_hosts
from badges.outbound.client import OutboundClient
from badges.outbound.errors import NotAWebAddress, OutboundUnreachable, PrivateAddress

EXTENSION = "chemins.outbound_client"
_lock = threading.Lock()


def outbound_client(app: Flask) -> OutboundClient:
    """The app's client, created on first use."""
    with _lock:
        client: OutboundClient | None = app.extensions.get(EXTENSION)
        if client is None:
            client = OutboundClient(private_hosts(app.config))
            app.extensions[EXTENSION] = client
        return client


def keyset_url_problem(app: Flask, url: str) -> str | None:
    """Why the tool could not fetch platform keys from ``url``, or None if it could.

    HTTPS is required (the keys prove who launches), plain HTTP only for a host on the
    allowlist (the demo platform, an intranet test Moodle). A name that does not
    resolve yet is accepted: the platform may be on its way.
    """
    client = outbound_client(app)
    try:
        host, _port = web_host(url)
        if not url.lower().startswith("https://") and not is_allowed(client.allowed, host):
            return _("The keyset URL must start with https://.")
        client.check(url)
    except NotAWebAddress:
        return _("The keyset URL is not a web address.")
    except PrivateAddress:
        return _(
            "The keyset URL leads to a private network, where Chemins does not connect. "
            "If the platform really is on your organisation's network, ask the Chemins "
            "administrator to allow its host name."
        )
    except OutboundUnreachable:
        return None
    return None
