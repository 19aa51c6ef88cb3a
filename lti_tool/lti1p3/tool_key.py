"""The key the tool signs its own LTI messages with, as the protocol modules need it.

Deep Linking responses and service-token client assertions are JWTs the platform checks
against the tool's JWKS, selecting the key by the ``kid`` header (Moodle requires it, and
so does certification). Protocol code receives this small value rather than reading the
database, so it stays free of storage and of Flask; the web layer builds it from the
``SigningKey`` row with ``purpose="lti"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from badges.openbadges.keys import load_private_key

ALGORITHM = "RS256"


@dataclass(frozen=True)
class ToolKey:
    """An RSA private key and the ``kid`` under which its public half is published."""

    kid: str
    private_key: rsa.RSAPrivateKey = field(repr=False)

    @classmethod
    def from_pem(cls, kid: str, pem: str | bytes) -> ToolKey:
        """Read a PEM private key; LTI 1.3 signs with RS256 only, so it must be RSA."""
        key = load_private_key(pem)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the tool's LTI key must be an RSA key (LTI 1.3 uses RS256)")
        return cls(kid, key)

    def sign(self, claims: dict[str, Any]) -> str:
        """A compact RS256 JWS of ``claims`` with this key's ``kid`` in the header."""
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid})
