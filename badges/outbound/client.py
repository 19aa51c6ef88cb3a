"""The one guarded HTTP client: every call Chemins makes to the outside goes through it.

:class:`OutboundClient` offers the part of ``requests``' API the code base uses
(``get``, ``post``, ``request`` and a response with ``status_code``, ``ok``,
``headers``, ``text``, ``json()``), with the guards built in:

- addresses: each connection refuses private, loopback, link-local, multicast and
  reserved addresses, checked after DNS and again on the connected socket
  (:mod:`badges.outbound.connection`), unless the host is on the client's allowlist;
- redirects: none by default (a 3xx is returned as it is); with
  ``allow_redirects=True`` they are followed here, hop by hop, each hop checked like
  the first, without the ``Authorization`` header once the origin changes;
- one total deadline per call, redirects and body included, cut wherever the call
  waits (:mod:`badges.outbound.deadline`);
- a size cap, checked while the body streams in: the client stops reading and raises
  instead of holding more in memory;
- failures are logged with the method, the address (no query), the status and the
  error, never a body or a header value.

Errors are :class:`~badges.outbound.errors.OutboundError` subclasses. No cookies are
kept between calls: one platform must not receive another's.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from badges.models.platform import origin_of
from badges.outbound import allowlist
from badges.outbound.address import check_url, web_host
from badges.outbound.connection import Blocked, GuardedAdapter
from badges.outbound.deadline import Deadline
from badges.outbound.errors import (
    NotAWebAddress,
    OutboundError,
    OutboundTimeout,
    OutboundUnreachable,
    RedirectRefused,
    ResponseTooLarge,
)
from badges.outbound.response import OutboundResponse

log = logging.getLogger(__name__)

#: Seconds a whole call may take unless the caller says otherwise.
DEFAULT_TIMEOUT = 10.0
#: Bytes of body read at most unless the caller says otherwise (a roster page of a
#: thousand people with names and e-mails is a few hundred kilobytes).
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
CHUNK = 16 * 1024
USER_AGENT = "Chemins (open recognition)"
#: Headers that must not follow a redirect to another origin.
_CREDENTIALS = ("Authorization", "Cookie", "Proxy-Authorization")


def _where(url: str) -> str:
    """``scheme://host:port/path`` for the logs: no query, no user info."""
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ":?"
    return f"{parts.scheme}://{parts.hostname or '?'}{port}{parts.path}"


class OutboundClient:
    """A guarded HTTP client; one per process is enough (it pools connections).

    ``allowed_hosts``: host names that may lead to private addresses (see
    :mod:`badges.outbound.allowlist`; ``"*"`` allows all). ``timeout`` (seconds, for a
    whole call) and ``max_bytes`` are defaults each call may lower or raise.
    """

    def __init__(
        self,
        allowed_hosts: Iterable[str] | str = (),
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.allowed = allowlist.allowed_hosts(allowed_hosts)
        self.timeout = timeout
        self.max_bytes = max_bytes
        session = requests.Session()
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        session.headers["User-Agent"] = USER_AGENT
        adapter = GuardedAdapter(self.allowed)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        self._session = session

    def check(self, url: str) -> None:
        """Refuse ``url`` now if a call to it would be refused for its address.

        For URLs stored now and called later (a registration's JWKS URL): the person
        who typed them hears at once. Raises the errors of :func:`check_url`.
        """
        check_url(url, self.allowed)

    def get(self, url: str, **kwargs: Any) -> OutboundResponse:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> OutboundResponse:
        return self.request("POST", url, **kwargs)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
        json: Any = None,
        timeout: float | None = None,
        max_bytes: int | None = None,
        allow_redirects: bool = False,
    ) -> OutboundResponse:
        """Send one request and read the whole answer, within the deadline and the cap."""
        method = method.upper()
        limit = self.max_bytes if max_bytes is None else max_bytes
        seconds = self.timeout if timeout is None else timeout
        try:
            with Deadline(seconds) as deadline:
                return self._follow(
                    deadline,
                    method,
                    url,
                    params=params,
                    headers=dict(headers or {}),
                    data=data,
                    json=json,
                    limit=limit,
                    allow_redirects=allow_redirects,
                )
        except OutboundError as error:
            log.warning(
                "outbound %s %s failed: %s: %s", method, _where(url), type(error).__name__, error
            )
            raise

    def _follow(
        self,
        deadline: Deadline,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        headers: dict[str, str],
        data: Any,
        json: Any,
        limit: int,
        allow_redirects: bool,
    ) -> OutboundResponse:
        history: list[str] = []
        while True:
            web_host(url)  # NotAWebAddress before anything is sent
            answer = self._one(deadline, method, url, params, headers, data, json, limit)
            if not (allow_redirects and answer.is_redirect):
                return replace(answer, history=tuple(history))
            if len(history) >= MAX_REDIRECTS:
                raise RedirectRefused(f"more than {MAX_REDIRECTS} redirects from {_where(url)}")
            target = urljoin(answer.url, answer.headers["Location"])
            try:
                web_host(target)
            except NotAWebAddress as exc:
                raise RedirectRefused(f"{_where(url)} redirects to a non-web address") from exc
            if origin_of(target) is None or origin_of(target) != origin_of(url):
                headers = {k: v for k, v in headers.items() if k.title() not in _CREDENTIALS}
            if answer.status_code == 303 or (answer.status_code in (301, 302) and method == "POST"):
                method, data, json = "GET", None, None
                headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            history.append(url)
            url, params = target, None

    def _one(
        self,
        deadline: Deadline,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        headers: dict[str, str],
        data: Any,
        json: Any,
        limit: int,
    ) -> OutboundResponse:
        """One hop: send, then read the body in chunks under the deadline and the cap."""
        try:
            response = self._session.request(
                method,
                url,
                params=params,
                headers=headers,
                data=data,
                json=json,
                timeout=(deadline.remaining(), deadline.remaining()),
                allow_redirects=False,
                stream=True,
            )
            with response:
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise ResponseTooLarge(
                        f"{_where(url)} announces {declared} bytes ({limit} at most)"
                    )
                body = bytearray()
                for chunk in response.iter_content(CHUNK):
                    body += chunk
                    if len(body) > limit:
                        raise ResponseTooLarge(f"{_where(url)} sent more than {limit} bytes")
                    if deadline.expired:
                        break
        except Blocked as blocked:
            raise blocked.error from None
        except OutboundError:
            raise
        except OSError as exc:  # requests' errors, and a socket error it did not wrap
            if deadline.expired or isinstance(exc, requests.Timeout):
                raise OutboundTimeout(
                    f"{_where(url)} did not answer within {deadline.seconds:g} s"
                ) from exc
            if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
                raise NotAWebAddress(f"{_where(url)} is not a web address") from exc
            raise OutboundUnreachable(
                f"{_where(url)} cannot be reached ({type(exc).__name__})"
            ) from exc
        if deadline.expired:
            raise OutboundTimeout(f"{_where(url)} did not answer within {deadline.seconds:g} s")
        return OutboundResponse(
            method,
            response.url or url,
            response.status_code,
            response.headers,
            bytes(body),
            response.reason or "",
        )
