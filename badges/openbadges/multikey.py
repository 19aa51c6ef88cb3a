"""Ed25519 keys in Multikey form (``publicKeyMultibase``/``secretKeyMultibase``).

A Multikey value is multibase base58btc of a multicodec header followed by the raw key:
``0xed 0x01`` for an Ed25519 public key (so every such value starts ``z6Mk``), ``0x80
0x26`` for an Ed25519 secret key (W3C Controlled Identifiers, "Multikey"; EdDSA
Cryptosuites §2.1.1). Any other header is refused: the EdDSA cryptosuite says so, and
it keeps a published private key or another curve from being taken for a public key.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from badges.openbadges import multibase

ED25519_PUBLIC_HEADER = b"\xed\x01"
ED25519_SECRET_HEADER = b"\x80\x26"


class MultikeyError(ValueError):
    """The value is not an Ed25519 key in Multikey form."""


def _raw(value: str, header: bytes, what: str) -> bytes:
    try:
        data = multibase.decode_base58btc(value)
    except multibase.MultibaseError as exc:
        raise MultikeyError(f"{what}: {exc}") from exc
    if not data.startswith(header) or len(data) != len(header) + 32:
        raise MultikeyError(f"{what} is not a 32-byte Ed25519 key with its multicodec header")
    return data[len(header) :]


def public_key(value: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a ``publicKeyMultibase`` value (``z6Mk...``)."""
    return Ed25519PublicKey.from_public_bytes(_raw(value, ED25519_PUBLIC_HEADER, "public key"))


def secret_key(value: str) -> Ed25519PrivateKey:
    """The Ed25519 private key of a ``secretKeyMultibase`` value."""
    return Ed25519PrivateKey.from_private_bytes(_raw(value, ED25519_SECRET_HEADER, "secret key"))


def encode_public_key(key: Ed25519PublicKey) -> str:
    """``key`` as ``publicKeyMultibase`` (the form did:key identifiers are made of)."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return multibase.encode_base58btc(ED25519_PUBLIC_HEADER + raw)
