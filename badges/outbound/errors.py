"""What can go wrong with an outbound call, as one family of errors.

Callers catch :class:`OutboundError` and say in their own words what failed (the
platform's keys, a badge's issuer...); the subclasses let them, and the logs, tell a
refusal by policy (nothing was sent) from a slow, huge or unreachable remote. They are
``OSError`` subclasses like Python's own ``ConnectionError`` and ``requests``' errors,
so code that only knows "a fetch may fail with an I/O error" (the pure
:mod:`badges.openbadges` loader) handles them without importing this package.
"""

from __future__ import annotations


class OutboundError(OSError):
    """An outbound call did not give a complete answer."""


class OutboundRefused(OutboundError):
    """The client refused to make the call (or to go on with it): nothing was sent."""


class NotAWebAddress(OutboundRefused):
    """The URL is not ``http(s)://host/...``."""


class PrivateAddress(OutboundRefused):
    """The host leads to a loopback, private, link-local, multicast or reserved address."""


class RedirectRefused(OutboundRefused):
    """A redirect led somewhere the client does not go, or there were too many."""


class OutboundUnreachable(OutboundError):
    """The name did not resolve, or the connection failed or broke off."""


class OutboundTimeout(OutboundError):
    """The call's total deadline passed before the whole answer arrived."""


class ResponseTooLarge(OutboundError):
    """The answer is longer than the call's size cap; the rest was not read."""


class OutboundStatusError(OutboundError):
    """:meth:`~badges.outbound.response.OutboundResponse.raise_for_status` on a 4xx/5xx."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status
