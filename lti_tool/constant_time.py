"""Comparing a secret a request sent with the one expected: constant time, any input.

``hmac.compare_digest`` compares two ``str`` only when both are ASCII and raises
``TypeError`` otherwise, so a form field or header holding "é" turned a refused token into
a 500. Every CSRF token, storage value or credential a request carries is compared here,
as UTF-8 bytes: a wrong value of any kind is simply not equal.
"""

from __future__ import annotations

import hmac


def constant_time_equal(sent: object, expected: str) -> bool:
    """Whether ``sent`` (anything a request carried, or None) equals ``expected``.

    The time taken does not depend on how much of ``sent`` matches; only its length
    may show, as with ``hmac.compare_digest``.
    """
    if not isinstance(sent, str):
        return False
    return hmac.compare_digest(
        sent.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )
