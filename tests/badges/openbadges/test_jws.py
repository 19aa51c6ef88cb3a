"""Compact JWS for signed OB 2.0 badges: round trip, forgery and refused algorithms."""

from __future__ import annotations

import base64
import json
from typing import Any

import jwt
import pytest

from badges.openbadges import jws
from badges.openbadges.errors import UnusableInput
from badges.openbadges.keys import generate_key, public_key_pem

PAYLOAD = {"@context": "https://w3id.org/openbadges/v2", "id": "urn:uuid:1", "name": "Éloïse"}


def _b64(data: Any) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_round_trip(algorithm: str) -> None:
    key = generate_key(algorithm)
    token = jws.sign(PAYLOAD, key, headers={"kid": "k1"})
    parsed = jws.parse(token)
    assert parsed.header == {"alg": algorithm, "kid": "k1"}
    assert parsed.payload == PAYLOAD
    assert jws.verify(token, public_key_pem(key)) == PAYLOAD


def test_other_key_does_not_verify(rsa_key: Any, other_rsa_key: Any) -> None:
    token = jws.sign(PAYLOAD, rsa_key)
    with pytest.raises(jws.JwsError):
        jws.verify(token, public_key_pem(other_rsa_key))


def test_tampered_payload_does_not_verify(rsa_key: Any) -> None:
    header, _, signature = jws.sign(PAYLOAD, rsa_key).split(".")
    forged = f"{header}.{_b64({**PAYLOAD, 'name': 'Mallory'})}.{signature}"
    assert jws.parse(forged).payload["name"] == "Mallory"  # readable, yet...
    with pytest.raises(jws.JwsError):
        jws.verify(forged, public_key_pem(rsa_key))


def test_alg_cannot_be_switched_to_another_family(rsa_key: Any) -> None:
    ec_key = generate_key("ES256")
    token = jws.sign(PAYLOAD, ec_key)
    with pytest.raises(jws.JwsError, match="does not fit"):
        jws.verify(token, public_key_pem(rsa_key))


def test_hmac_signed_with_the_public_key_as_secret_is_refused(rsa_key: Any) -> None:
    """The classic algorithm-confusion forgery: HS256 keyed with the issuer's public PEM."""
    pem = public_key_pem(rsa_key).encode()
    header = _b64({"alg": "HS256"})
    body = _b64(PAYLOAD)
    signing = jwt.api_jws.get_algorithm_by_name("HS256")
    signature = _b64(signing.sign(f"{header}.{body}".encode(), pem))
    with pytest.raises(jws.JwsError, match="shared-secret"):
        jws.verify(f"{header}.{body}.{signature}", pem)


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_unusable(alg: str) -> None:
    token = f"{_b64({'alg': alg})}.{_b64(PAYLOAD)}."
    with pytest.raises(UnusableInput, match="unsigned"):
        jws.parse(token)


@pytest.mark.parametrize(
    "text",
    [
        "not a jws",
        "a.b",
        f"{_b64(b'not json')}.{_b64(PAYLOAD)}.c2ln",
        f"{_b64({'alg': 'RS256'})}.{_b64([1, 2])}.c2ln",
        f"{_b64(['alg'])}.{_b64(PAYLOAD)}.c2ln",
    ],
)
def test_malformed_tokens_are_unusable(text: str) -> None:
    with pytest.raises(UnusableInput):
        jws.parse(text)
