"""Signing keys for Open Badges 3.0 VC-JWTs: generate, store as PEM, name by thumbprint.

OB 3.0 verifiers must support RS256 and the official validator accepts only RS256 and
ES256, so those are the two key kinds a community can hold: RSA-2048 and EC P-256.
Keys travel as PEM (PKCS#8 private, SubjectPublicKeyInfo public) because that is what the
storage layer encrypts at rest and what every other tool reads.

A key's ``kid`` is its RFC 7638 JWK thumbprint: it is derived from the public key alone,
so the same key always gets the same ``kid`` in the JWKS and in every JWT header, and
rotating a key can never reuse an old ``kid`` by accident.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey

RS256 = "RS256"
ES256 = "ES256"
ALGORITHMS = (RS256, ES256)


class UnsupportedKey(ValueError):
    """A key is of a kind OB 3.0 signing does not use (wrong type, curve or size)."""


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2), the encoding of every JWK member."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without its ``=`` padding; JWKS in the wild carry both."""
    text = text.strip().rstrip("=")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def int_to_b64url(value: int, length: int | None = None) -> str:
    """A big-endian unsigned integer as base64url; ``length`` pads EC coordinates."""
    size = length if length is not None else max(1, (value.bit_length() + 7) // 8)
    return b64url(value.to_bytes(size, "big"))


def generate_key(algorithm: str) -> PrivateKey:
    """A fresh private key for ``algorithm`` ("RS256" → RSA-2048, "ES256" → EC P-256)."""
    if algorithm == RS256:
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == ES256:
        return ec.generate_private_key(ec.SECP256R1())
    raise UnsupportedKey(f"unsupported signing algorithm: {algorithm!r} (use RS256 or ES256)")


def algorithm_for(key: PrivateKey | PublicKey) -> str:
    """The JWS ``alg`` a key signs with; refuses keys OB 3.0 verifiers would reject."""
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        if key.key_size < 2048:
            raise UnsupportedKey(f"RSA key of {key.key_size} bits is too small (2048 minimum)")
        return RS256
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, ec.SECP256R1):
            raise UnsupportedKey(f"EC curve {key.curve.name} is not P-256")
        return ES256
    raise UnsupportedKey(f"unsupported key type: {type(key).__name__}")


def private_key_pem(key: PrivateKey) -> str:
    """The private key as unencrypted PKCS#8 PEM (storage encrypts it at rest)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def load_private_key(pem: str | bytes) -> PrivateKey:
    """Read a PEM private key, accepting only the RSA and P-256 keys we can sign with."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise UnsupportedKey(f"unsupported key type: {type(key).__name__}")
    algorithm_for(key)
    return key


def public_key_pem(key: PrivateKey | PublicKey) -> str:
    """The public half as SubjectPublicKeyInfo PEM (accepts a private or public key)."""
    public = public_key_of(key)
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_key(pem: str | bytes) -> PublicKey:
    """Read a SubjectPublicKeyInfo PEM public key of a kind we verify."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise UnsupportedKey(f"unsupported key type: {type(key).__name__}")
    algorithm_for(key)
    return key


def public_key_of(key: PrivateKey | PublicKey) -> PublicKey:
    """The public key of a private key; a public key is returned as is."""
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        return key.public_key()
    return key


def required_jwk_members(key: PrivateKey | PublicKey) -> dict[str, str]:
    """The public JWK members RFC 7638 hashes, and nothing else."""
    public = public_key_of(key)
    if isinstance(public, rsa.RSAPublicKey):
        numbers = public.public_numbers()
        return {"e": int_to_b64url(numbers.e), "kty": "RSA", "n": int_to_b64url(numbers.n)}
    if isinstance(public, ec.EllipticCurvePublicKey):
        algorithm_for(public)
        point = public.public_numbers()
        return {
            "crv": "P-256",
            "kty": "EC",
            "x": int_to_b64url(point.x, 32),
            "y": int_to_b64url(point.y, 32),
        }
    raise UnsupportedKey(f"unsupported key type: {type(public).__name__}")


def thumbprint_kid(public_key: PrivateKey | PublicKey) -> str:
    """The RFC 7638 SHA-256 JWK thumbprint, base64url: a stable, collision-free ``kid``."""
    members = required_jwk_members(public_key)
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":"))
    return b64url(hashlib.sha256(canonical.encode("utf-8")).digest())
