"""One authorized request to an LTI Advantage service (NRPS, AGS).

Both services share the same etiquette: a bearer token for exactly the scopes the launch
granted, the service's media type in ``Accept`` or ``Content-Type``, and one retry with a
fresh token when the platform answers 401 (a platform may revoke tokens before their
``expires_in``; Open edX rotates its keys). Anything else that is not a success becomes a
:class:`ServiceCallFailed` carrying the status for the logs (never the answer's body).

Before any token is asked for, the URL must be on one of the registration's origins
(:mod:`lti_tool.lti1p3.service_origin`); the call itself goes through the guarded
client, which follows no redirect.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from badges.outbound.errors import OutboundError
from badges.outbound.response import OutboundResponse
from badges.outbound.summary import summarise
from lti_tool.lti1p3.service_errors import InvalidScope, ServiceCallFailed
from lti_tool.lti1p3.service_origin import check_service_url
from lti_tool.lti1p3.service_token import PlatformAccess, ServiceTokens

log = logging.getLogger(__name__)

TIMEOUT = 15


def _send(
    tokens: ServiceTokens,
    platform: PlatformAccess,
    scopes: frozenset[str],
    method: str,
    url: str,
    headers: dict[str, str],
    json_body: Any,
) -> OutboundResponse:
    token = tokens.token(platform, scopes)
    if scopes - token.scopes:
        raise InvalidScope(
            "the platform did not grant the scopes this service needs", code="invalid_scope"
        )
    try:
        return tokens.http.request(
            method,
            url,
            headers={**headers, "Authorization": token.authorization},
            json=json_body,
            timeout=TIMEOUT,
        )
    except OutboundError as exc:
        raise ServiceCallFailed(f"the platform's service cannot be reached: {exc}") from exc


def call_service(
    tokens: ServiceTokens,
    platform: PlatformAccess,
    scopes: Iterable[str],
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    json_body: Any = None,
    accept_statuses: Iterable[int] = (),
) -> OutboundResponse:
    """Send one request with a bearer token; retry once on 401 with a new token.

    Statuses in ``accept_statuses`` are returned to the caller instead of raising, for
    answers the caller gives a meaning to (AGS 409 "stale score"). A URL off the
    registration's origins raises :class:`~lti_tool.lti1p3.service_errors.ServiceUrlRefused`
    before anything is sent.
    """
    check_service_url(platform, url)
    wanted = frozenset(scopes)
    response = _send(tokens, platform, wanted, method, url, headers, json_body)
    if response.status_code == 401:
        log.info("service %s refused a cached token; asking for a new one", url.split("?")[0])
        tokens.forget(platform, wanted)
        response = _send(tokens, platform, wanted, method, url, headers, json_body)
    # A 3xx is not a success: redirects are not followed, so nothing was done there.
    if 200 <= response.status_code < 300 or response.status_code in set(accept_statuses):
        return response
    log.warning("service %s %s answered %s", method, url.split("?")[0], summarise(response))
    raise ServiceCallFailed(
        f"the platform's service answered with an error (HTTP {response.status_code})",
        status=response.status_code,
    )
