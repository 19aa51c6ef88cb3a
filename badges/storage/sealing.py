"""Encryption at rest for signing keys and connector secrets.

A stolen database dump must not hand out the keys that make badges verifiable, so
private material is sealed with Fernet (AES-128-CBC + HMAC) under a key derived from the
instance secret with HKDF. Each purpose gets its own derived key.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class SealBroken(Exception):
    """Sealed data could not be opened: wrong instance secret or tampered bytes."""


class Sealer:
    """Seals and opens bytes for one purpose under the instance secret."""

    def __init__(self, secret_key: str, purpose: str = "signing-keys") -> None:
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=b"chemins-sealing-v1",
            info=purpose.encode(),
        ).derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def open(self, token: bytes) -> bytes:
        try:
            return self._fernet.decrypt(token)
        except InvalidToken as exc:
            raise SealBroken("sealed data cannot be opened with this instance secret") from exc
