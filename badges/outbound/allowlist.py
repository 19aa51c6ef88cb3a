"""The hosts an admin allows although they lead into a private network.

An intranet Moodle, a badge server of the organisation, the demo platform on localhost:
their names go in ``CHEMINS_PRIVATE_HOSTS`` (space-separated, ``*`` for every host of a
closed network). A host is matched as written in the URL, not by what it resolves to:
allowing ``localhost`` does not allow ``127.0.0.1``. ``CHEMINS_LTI_PRIVATE_PLATFORMS``,
the setting's name when only Dynamic Registration was guarded, still works (deprecated).

:func:`private_hosts` is the one place that reads the setting, for the web app (its
config wins, so tests set ``PRIVATE_HOSTS`` or the old ``LTI_PRIVATE_PLATFORMS``) and for
commands (the environment).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

#: Allows every host (a closed network where every platform is private).
ANY_HOST = "*"
ENVIRONMENT = "CHEMINS_PRIVATE_HOSTS"
#: The setting's earlier name; read as well, documented as deprecated.
DEPRECATED_ENVIRONMENT = "CHEMINS_LTI_PRIVATE_PLATFORMS"
CONFIG_KEY = "PRIVATE_HOSTS"
DEPRECATED_CONFIG_KEY = "LTI_PRIVATE_PLATFORMS"


def normalise_host(host: str) -> str:
    """``host`` as the client compares it: lowercase, no IPv6 brackets, no final dot."""
    return host.strip().lower().removeprefix("[").removesuffix("]").rstrip(".")


def allowed_hosts(hosts: Iterable[str] | str) -> frozenset[str]:
    """A set of normalised host names; a single string is split on spaces."""
    if isinstance(hosts, str):
        hosts = hosts.split()
    return frozenset(h for h in (normalise_host(host) for host in hosts) if h)


def is_allowed(allowed: frozenset[str], host: str) -> bool:
    """Whether ``host`` may lead anywhere, private addresses included."""
    return ANY_HOST in allowed or normalise_host(host) in allowed


def private_hosts(
    config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> frozenset[str]:
    """The instance's allowlist: from ``config`` if it sets one, else the environment.

    A config value (even empty) wins over the environment, so a test can forbid every
    private host whatever the machine's environment says.
    """
    if config is not None:
        given = [config.get(k) for k in (CONFIG_KEY, DEPRECATED_CONFIG_KEY)]
        if any(value is not None for value in given):
            return frozenset().union(*(allowed_hosts(v) for v in given if v is not None))
    env = os.environ if environ is None else environ
    return allowed_hosts(" ".join(env.get(k, "") for k in (ENVIRONMENT, DEPRECATED_ENVIRONMENT)))
