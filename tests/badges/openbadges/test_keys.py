"""Signing keys: the two kinds OB 3.0 verifiers accept, PEM round trips, RFC 7638 kids."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from badges.openbadges import keys
from badges.openbadges.jwks import key_from_jwk

# RFC 7638 §3.1: the example RSA key and its published SHA-256 thumbprint.
RFC7638_JWK = {
    "kty": "RSA",
    "e": "AQAB",
    "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPe"
        "bWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
        "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
        "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
    ),
}
RFC7638_THUMBPRINT = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_thumbprint_matches_the_rfc_7638_example() -> None:
    assert keys.thumbprint_kid(key_from_jwk(RFC7638_JWK)) == RFC7638_THUMBPRINT


@pytest.mark.parametrize(
    ("algorithm", "kind"),
    [("RS256", rsa.RSAPrivateKey), ("ES256", ec.EllipticCurvePrivateKey)],
)
def test_generate_key_gives_the_key_kind_of_the_algorithm(algorithm: str, kind: type) -> None:
    key = keys.generate_key(algorithm)
    assert isinstance(key, kind)
    assert keys.algorithm_for(key) == algorithm
    if isinstance(key, rsa.RSAPrivateKey):
        assert key.key_size == 2048
    else:
        assert isinstance(key.curve, ec.SECP256R1)


def test_generate_key_refuses_other_algorithms() -> None:
    with pytest.raises(keys.UnsupportedKey):
        keys.generate_key("HS256")


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_pem_round_trip_keeps_the_key_and_its_kid(algorithm: str) -> None:
    key = keys.generate_key(algorithm)
    pem = keys.private_key_pem(key)
    assert pem.startswith("-----BEGIN PRIVATE KEY-----")
    loaded = keys.load_private_key(pem)
    assert keys.private_key_pem(loaded) == pem
    public_pem = keys.public_key_pem(key)
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert "PRIVATE" not in public_pem
    assert keys.public_key_pem(keys.load_public_key(public_pem)) == public_pem
    assert keys.thumbprint_kid(loaded) == keys.thumbprint_kid(keys.load_public_key(public_pem))


def test_each_key_gets_its_own_kid() -> None:
    first, second = keys.generate_key("ES256"), keys.generate_key("ES256")
    assert keys.thumbprint_kid(first) != keys.thumbprint_kid(second)
    assert len(keys.thumbprint_kid(first)) == 43  # 32 bytes, base64url without padding


def test_load_private_key_refuses_keys_we_cannot_sign_with() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (the point)
    other_curve = ec.generate_private_key(ec.SECP384R1())
    edwards = ed25519.Ed25519PrivateKey.generate()
    for key in (small, other_curve):
        with pytest.raises(keys.UnsupportedKey):
            keys.load_private_key(keys.private_key_pem(key))
    edwards_pem = edwards.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(keys.UnsupportedKey):
        keys.load_private_key(edwards_pem)


def test_b64url_decode_accepts_padding_or_none() -> None:
    assert keys.b64url_decode("AQAB") == b"\x01\x00\x01"
    assert keys.b64url_decode("AQ") == keys.b64url_decode("AQ==") == b"\x01"
