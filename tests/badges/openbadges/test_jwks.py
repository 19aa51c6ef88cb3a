"""JWK and JWKS: what we publish has no private part, and what we read round-trips."""

from __future__ import annotations

import pytest

from badges.openbadges import jwks, keys


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_public_jwk_has_the_public_members_only(algorithm: str) -> None:
    key = keys.generate_key(algorithm)
    jwk = jwks.public_jwk(key)
    assert jwk["kid"] == keys.thumbprint_kid(key)
    assert jwk["alg"] == algorithm
    assert jwk["use"] == "sig"
    assert not jwks.has_private_members(jwk)
    if algorithm == "RS256":
        assert set(jwk) == {"kty", "n", "e", "kid", "alg", "use"}
        assert jwk["kty"] == "RSA"
    else:
        assert set(jwk) == {"kty", "crv", "x", "y", "kid", "alg", "use"}
        assert (jwk["kty"], jwk["crv"]) == ("EC", "P-256")
    assert keys.public_key_pem(jwks.key_from_jwk(jwk)) == keys.public_key_pem(key)


def test_jwks_document_round_trips_every_key_by_kid() -> None:
    rsa_key, ec_key = keys.generate_key("RS256"), keys.generate_key("ES256")
    document = jwks.jwks_document([rsa_key, ec_key])
    parsed = jwks.parse_jwks(document)
    assert list(parsed) == [keys.thumbprint_kid(rsa_key), keys.thumbprint_kid(ec_key)]
    assert keys.public_key_pem(parsed[keys.thumbprint_kid(ec_key)]) == keys.public_key_pem(ec_key)


def test_parse_jwks_accepts_padded_base64url() -> None:
    key = keys.generate_key("ES256")
    jwk = jwks.public_jwk(key)
    padded = dict(jwk, x=jwk["x"] + "=", y=jwk["y"] + "=")  # 32 bytes: 43 chars + one "="
    parsed = jwks.parse_jwks({"keys": [padded]})
    assert keys.public_key_pem(parsed[jwk["kid"]]) == keys.public_key_pem(key)


def test_private_jwk_is_refused() -> None:
    jwk = dict(jwks.public_jwk(keys.generate_key("ES256")), d="c2VjcmV0")
    with pytest.raises(jwks.JwkError):
        jwks.key_from_jwk(jwk)
    with pytest.raises(jwks.JwkError):
        jwks.parse_jwks({"keys": [jwk]})


def test_parse_jwks_skips_keys_for_other_uses_and_types() -> None:
    usable = keys.generate_key("ES256")
    document = {
        "keys": [
            dict(jwks.public_jwk(keys.generate_key("RS256")), use="enc"),
            {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            jwks.public_jwk(usable),
        ]
    }
    assert list(jwks.parse_jwks(document)) == [keys.thumbprint_kid(usable)]


def test_malformed_jwks_is_refused() -> None:
    for document in ({}, {"keys": {}}, [], "keys"):
        with pytest.raises(jwks.JwkError):
            jwks.parse_jwks(document)
    with pytest.raises(jwks.JwkError):
        jwks.key_from_jwk({"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"})


def test_find_jwk_by_kid_in_a_set_or_a_lone_jwk() -> None:
    key = keys.generate_key("ES256")
    jwk = jwks.public_jwk(key)
    assert jwks.find_jwk(jwks.jwks_document([key]), jwk["kid"]) == jwk
    assert jwks.find_jwk(jwks.jwks_document([key]), "other") is None
    assert jwks.find_jwk(jwk, jwk["kid"]) == jwk


def test_kid_uri_puts_the_thumbprint_in_the_fragment() -> None:
    key = keys.generate_key("RS256")
    url = jwks.well_known_jwks_url("https://tool.example/")
    assert url == "https://tool.example/.well-known/jwks.json"
    assert jwks.kid_uri(url, key) == f"{url}#{keys.thumbprint_kid(key)}"


def test_one_reader_knows_short_rsa_keys_and_the_ob_rules_refuse_them() -> None:
    """Platforms' short keys must be known by kid (to be refused at use); badges refuse them."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    short = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505
    jwk = dict(keys.required_jwk_members(short), kid="short")
    assert jwks.read_public_jwk(jwk).key_size == 1024
    with pytest.raises(jwks.JwkError, match="2048"):
        jwks.key_from_jwk(jwk)
    assert jwks.parse_jwks({"keys": [jwk]}) == {}


def test_the_jwk_alg_does_not_choose_the_reader() -> None:
    key = keys.generate_key("RS256")
    jwk = dict(jwks.public_jwk(key), alg="ES256")  # says EC, is RSA
    assert keys.public_key_pem(jwks.read_public_jwk(jwk)) == keys.public_key_pem(key)
    for broken in ({"kty": "RSA", "n": "!!!", "e": "AQAB"}, {"kty": "RSA", "e": "AQAB"}, []):
        with pytest.raises(jwks.JwkError):
            jwks.read_public_jwk(broken)  # type: ignore[arg-type]


def test_an_issuer_jwk_is_found_by_the_kid_its_headers_carry_and_names_its_issuer() -> None:
    key = keys.generate_key("RS256")
    url = "https://tool.example/ob/v3/profiles/p1/jwks.json"
    jwk = jwks.issuer_jwk(key, url, "https://tool.example/ob/v3/profiles/p1")
    assert jwk["kid"] == jwks.kid_uri(url, key) == f"{url}#{keys.thumbprint_kid(key)}"
    assert jwk["iss"] == "https://tool.example/ob/v3/profiles/p1"
    assert not jwks.has_private_members(jwk)
    # A standard lookup by the header's kid, as is, finds it.
    assert jwks.find_jwk({"keys": [jwk]}, jwks.kid_uri(url, key)) == jwk
    assert jwks.parse_jwks({"keys": [jwk]}) == {jwk["kid"]: jwks.key_from_jwk(jwk)}
