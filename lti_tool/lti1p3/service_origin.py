"""Service URLs from launches are called only on the origins the registration knows.

A launch's NRPS ``context_memberships_url`` and AGS ``lineitem``/``lineitems`` are
whatever the platform signed; a compromised or careless platform could name any
address, and the tool would send its bearer token and learners' scores there. So a
service URL must be on an origin of the platform's registration (issuer, login, token,
JWKS) or on one an admin added for platforms whose services live elsewhere (Canvas).

The check sits where each call is made (:func:`lti_tool.lti1p3.service_call.call_service`),
for every page followed too, so URLs stored by earlier launches pass it as well.
"""

from __future__ import annotations

import logging

from badges.outbound.origins import on_origins
from lti_tool.lti1p3.service_errors import ServiceUrlRefused
from lti_tool.lti1p3.service_token import PlatformAccess

log = logging.getLogger(__name__)


def check_service_url(platform: PlatformAccess, url: str) -> None:
    """Refuse ``url`` (logged, nothing sent) unless it is on one of ``platform``'s origins."""
    allowed = platform.service_origins()
    if on_origins(url, allowed):
        return
    log.warning(
        "service URL %s of %s refused: not on the registration's origins %s",
        url.split("?")[0],
        platform.issuer,
        sorted(allowed),
    )
    raise ServiceUrlRefused(
        "the platform named a service address outside its registration; nothing was sent"
    )
