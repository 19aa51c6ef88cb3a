"""Platform JWKS: parsing (padded or not), Cache-Control, one refetch on unknown kid."""

from __future__ import annotations

import base64

import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa

from badges.outbound.client import OutboundClient
from lti_tool.lti1p3.exceptions import PlatformKeysUnavailable, UnknownKeyId, WeakPlatformKey
from lti_tool.lti1p3.platform_keys import MAX_BYTES, PlatformKeys, max_age, parse_jwks
from tests.conftest import LOCAL_HOSTS
from tests.internal_listener import internal_listener
from tests.live_server import serving

URL = "https://lms.example.org/certs"


def _jwk(key: rsa.RSAPrivateKey, kid: str, padded: bool = False) -> dict[str, str]:
    numbers = key.public_key().public_numbers()

    def enc(value: int) -> str:
        raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
        text = base64.urlsafe_b64encode(raw).decode()
        return text if padded else text.rstrip("=")

    return {
        "kty": "RSA",
        "kid": kid,
        "alg": "RS256",
        "use": "sig",
        "n": enc(numbers.n),
        "e": enc(numbers.e),
    }


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize("padded", [False, True])
def test_padded_and_unpadded_base64url(key: rsa.RSAPrivateKey, padded: bool) -> None:
    jwk = _jwk(key, "k1", padded)
    if padded:
        assert jwk["e"].endswith("=") or jwk["n"].endswith("=")
    keys = parse_jwks({"keys": [jwk]})
    assert keys["k1"].public_numbers() == key.public_key().public_numbers()


def test_non_signing_and_foreign_keys_are_skipped(key: rsa.RSAPrivateKey) -> None:
    keys = parse_jwks(
        {
            "keys": [
                {**_jwk(key, "enc"), "use": "enc"},
                {**_jwk(key, "rs512"), "alg": "RS512"},
                {"kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"},
                {**_jwk(key, "broken"), "n": "!!!"},
                _jwk(key, "good"),
            ]
        }
    )
    assert list(keys) == ["good"]
    with pytest.raises(PlatformKeysUnavailable):
        parse_jwks({"no": "keys"})


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, 300),
        ("max-age=60", 60),
        ('public, max-age="120"', 120),
        ("no-store", 0),
        ("max-age=99999999", 86400),
        ("private", 300),
    ],
)
def test_max_age(header: str | None, seconds: int) -> None:
    assert max_age(header) == seconds


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@responses.activate
def test_cache_and_single_refetch(key: rsa.RSAPrivateKey) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = responses.get(
        URL, json={"keys": [_jwk(key, "k1")]}, headers={"Cache-Control": "max-age=60"}
    )
    clock = Clock()
    cache = PlatformKeys(clock=clock)
    cache.key(URL, "k1")
    cache.key(URL, "k1")
    assert jwks.call_count == 1
    with pytest.raises(UnknownKeyId):
        cache.key(URL, "nope")
    assert jwks.call_count == 2  # one refetch
    with pytest.raises(UnknownKeyId):
        cache.key(URL, "nope-again")
    assert jwks.call_count == 2  # refetches are spaced out
    clock.now += 61  # expired: fetched again, with the rotated key
    responses.replace(responses.GET, URL, json={"keys": [_jwk(other, "k2")]})
    assert cache.key(URL, "k2").public_numbers() == other.public_key().public_numbers()


@responses.activate
def test_rotation_is_picked_up_by_one_refetch(key: rsa.RSAPrivateKey) -> None:
    jwks = responses.get(URL, json={"keys": [_jwk(key, "k1")]})
    cache = PlatformKeys(clock=Clock())
    cache.key(URL, "k1")
    responses.replace(responses.GET, URL, json={"keys": [_jwk(key, "k1"), _jwk(key, "k2")]})
    cache.key(URL, "k2")
    assert jwks.call_count == 1 and len(responses.calls) == 2


@responses.activate
def test_unreachable_jwks() -> None:
    responses.get(URL, status=500)
    with pytest.raises(PlatformKeysUnavailable):
        PlatformKeys().key(URL, "k1")


@responses.activate
def test_a_short_rsa_key_is_never_used(key: rsa.RSAPrivateKey) -> None:
    """A 1,024-bit key is known (no refetch for it) but refused, with its size named."""
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (the point)
    jwks = responses.get(URL, json={"keys": [_jwk(weak, "weak"), _jwk(key, "good")]})
    cache = PlatformKeys(clock=Clock())
    for _ in range(3):
        with pytest.raises(WeakPlatformKey, match="1024 bits"):
            cache.key(URL, "weak")
    assert jwks.call_count == 1
    assert cache.key(URL, "good").key_size == 2048


def test_a_jwks_leaking_private_key_material_is_refused(key: rsa.RSAPrivateKey) -> None:
    """Whoever holds a published private key can sign launches: no key of that set counts."""
    leaked = {**_jwk(key, "k1"), "d": "c2VjcmV0"}
    with pytest.raises(PlatformKeysUnavailable, match="private"):
        parse_jwks({"keys": [_jwk(key, "k0"), leaked]})


def test_members_of_the_wrong_type_are_skipped(key: rsa.RSAPrivateKey) -> None:
    keys = parse_jwks(
        {"keys": [{**_jwk(key, "int-e"), "e": 65537}, {**_jwk(key, "no-n"), "n": ""}]}
    )
    assert keys == {}


# -- the keys are fetched through the guarded client ----------------------------------


def test_a_jwks_url_that_redirects_inside_reaches_nothing() -> None:
    """A platform's keyset answering 302 to 127.0.0.2: the redirect is not followed."""
    with internal_listener() as inside:

        def bounce(environ: dict, start_response):  # type: ignore[no-untyped-def]
            start_response("302 Found", [("Location", f"{inside.url}/latest/meta-data/")])
            return [b""]

        with serving(bounce) as platform:
            cache = PlatformKeys(http=OutboundClient(LOCAL_HOSTS))
            with pytest.raises(PlatformKeysUnavailable, match="HTTP 302"):
                cache.key(f"{platform.url}/mod/lti/certs.php", "k1")
        with pytest.raises(PlatformKeysUnavailable, match="private network"):
            cache.key(f"{inside.url}/jwks", "k1")  # typed by an admin, aimed inside
        assert inside.heard == []


def test_a_huge_or_endless_keyset_is_not_read_in_full(key: rsa.RSAPrivateKey) -> None:
    def huge(environ: dict, start_response):  # type: ignore[no-untyped-def]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"keys": [' + b" " * (2 * MAX_BYTES) + b"]}"]

    with serving(huge) as platform, pytest.raises(PlatformKeysUnavailable, match="more than"):
        PlatformKeys(http=OutboundClient(LOCAL_HOSTS)).key(platform.url, "k1")
