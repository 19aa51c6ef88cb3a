"""The one error a verifier raises instead of reporting: input that cannot be examined.

A badge that is tampered, revoked or expired is still a badge, and the verifier says so
in a :class:`~badges.openbadges.report.VerificationReport`. Bytes that are not a badge at
all (a truncated PNG, a JPEG, a 50 MB upload, broken JSON, a JWS that asks for no
signature) leave nothing to report on, so they stop verification with this exception.
The ``chemins verify`` command maps it to exit code 2 and prints its message, which is
therefore written for people: short, plain, and without a traceback.
"""

from __future__ import annotations


class UnusableInput(Exception):
    """The input cannot be examined as a badge at all; the message says why, plainly."""
