"""Typed refusals of the login and launch steps, each naming the rule it enforces.

A refusal carries the code of the bad-launch case it covers (B1–B28 in
``reference/lti13.md``), a plain English message for the logs and the HTTP status the
web layer answers with: 401 when the message fails to authenticate (signature, issuer,
audience, time, nonce, state, deployment binding), 400 when it is malformed.
"""

from __future__ import annotations


class LtiRefusal(Exception):
    """Base of every refusal of an LTI message; never shown raw to people."""

    def __init__(self, code: str, message: str, http_status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.http_status = http_status


class LoginRefused(LtiRefusal):
    """Third-party initiated login refused (unknown issuer or client, foreign target...)."""


class LaunchRefused(LtiRefusal):
    """The id_token POSTed to the launch URL failed one of the checks."""


class PlatformKeysUnavailable(Exception):
    """The platform's JWKS could not be fetched or read (network, status, JSON)."""


class UnknownKeyId(Exception):
    """No key with the token's ``kid``, even after fetching the JWKS again."""


class WeakPlatformKey(Exception):
    """The token's key is an RSA key too short to trust (fewer than 2,048 bits)."""
