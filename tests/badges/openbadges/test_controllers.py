"""From a proof's verificationMethod to a key: did:key, did:web, https controller documents.

did:web documents are served by a dict-backed fetch function, the way a Loader would
answer them; the rules under test are which documents are asked for and which keys count.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from badges.openbadges import controllers, multikey
from badges.openbadges.loader import LoaderError

VECTORS = Path(__file__).parent / "fixtures" / "data_integrity" / "w3c-eddsa-rdfc-2022"
KEY_PAIR = json.loads((VECTORS / "keyPair.json").read_text())
PUBLIC = KEY_PAIR["publicKeyMultibase"]
DID_KEY = f"did:key:{PUBLIC}"
DID_WEB = "did:web:issuer.example"
DID_WEB_URL = "https://issuer.example/.well-known/did.json"


class Documents:
    """A fetch_json over a dict; records what was asked for."""

    def __init__(self, documents: dict[str, Any]) -> None:
        self.documents = documents
        self.asked: list[str] = []

    def __call__(self, url: str, accept: str) -> Any:
        self.asked.append(url)
        if url not in self.documents:
            raise LoaderError(f"{url} answered HTTP 404")
        return self.documents[url]


def _did_document(did: str = DID_WEB, **changes: Any) -> dict[str, Any]:
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": f"{did}#key-1",
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": PUBLIC,
            }
        ],
        "assertionMethod": ["#key-1"],
    }
    document.update(changes)
    return document


def _raw_public() -> bytes:
    return multikey.public_key(PUBLIC).public_bytes(Encoding.Raw, PublicFormat.Raw)


# -- did:key -------------------------------------------------------------------------------


def test_a_did_key_is_its_own_key_and_nothing_is_fetched() -> None:
    fetch = Documents({})
    method = controllers.resolve(f"{DID_KEY}#{PUBLIC}", fetch)
    assert method.controller == DID_KEY
    assert method.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw) == _raw_public()
    assert fetch.asked == []


def test_a_bare_did_key_names_its_one_key() -> None:
    assert controllers.resolve(DID_KEY, Documents({})).id == f"{DID_KEY}#{PUBLIC}"


@pytest.mark.parametrize(
    "method",
    [
        f"{DID_KEY}#key-1",  # did:key's one method is the multibase value itself
        "did:key:zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76#x",  # a P-256 key
        f"did:key:{KEY_PAIR['privateKeyMultibase']}",  # a secret key, never a public one
        "did:key:notmultibase#notmultibase",
    ],
)
def test_other_did_keys_are_refused(method: str) -> None:
    with pytest.raises(controllers.MethodError):
        controllers.resolve(method, Documents({}))


# -- did:web -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:issuer.example", "https://issuer.example/.well-known/did.json"),
        ("did:web:issuer.example:users:alice", "https://issuer.example/users/alice/did.json"),
        ("did:web:localhost%3A8443", "https://localhost:8443/.well-known/did.json"),
        ("did:web:issuer.example:a%20b", "https://issuer.example/a b/did.json"),
    ],
)
def test_did_web_urls(did: str, url: str) -> None:
    assert controllers.did_web_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:web:issuer.example/evil",
        "did:web:user@issuer.example",
        "did:web:issuer.example:..:admin",
        "did:web:issuer.example:a%2Fb",
        "did:web:issuer.example::x",
    ],
)
def test_did_web_that_would_leave_its_host_or_path_is_refused(did: str) -> None:
    with pytest.raises(controllers.MethodError):
        controllers.did_web_url(did)


def test_a_did_web_key_is_read_from_its_did_document() -> None:
    fetch = Documents({DID_WEB_URL: _did_document()})
    method = controllers.resolve(f"{DID_WEB}#key-1", fetch)
    assert method.controller == DID_WEB
    assert method.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw) == _raw_public()
    assert fetch.asked == [DID_WEB_URL]


def test_a_did_web_key_as_a_jwk() -> None:
    x = base64.urlsafe_b64encode(_raw_public()).rstrip(b"=").decode()
    vm = {
        "id": f"{DID_WEB}#jwk",
        "type": "JsonWebKey",
        "controller": DID_WEB,
        "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": x},
    }
    document = _did_document(verificationMethod=[vm], assertionMethod=[f"{DID_WEB}#jwk"])
    method = controllers.resolve(f"{DID_WEB}#jwk", Documents({DID_WEB_URL: document}))
    assert method.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw) == _raw_public()


def test_a_method_embedded_under_assertion_method_counts() -> None:
    document = _did_document()
    document["assertionMethod"] = document.pop("verificationMethod")
    assert controllers.resolve(f"{DID_WEB}#key-1", Documents({DID_WEB_URL: document}))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"assertionMethod": []}, "under assertionMethod"),
        ({"assertionMethod": None, "authentication": ["#key-1"]}, "under assertionMethod"),
        ({"id": "did:web:other.example"}, "id is not did:web:issuer.example"),
        ({"verificationMethod": []}, "does not list the verification method"),
    ],
)
def test_a_did_document_must_vouch_for_the_key(changes: dict[str, Any], message: str) -> None:
    document = _did_document(**changes)
    with pytest.raises(controllers.MethodError, match=message):
        controllers.resolve(f"{DID_WEB}#key-1", Documents({DID_WEB_URL: document}))


@pytest.mark.parametrize(
    ("method_changes", "message"),
    [
        ({"controller": "did:web:other.example"}, "controlled by another document"),
        ({"type": "EcdsaSecp256k1VerificationKey2019"}, "is not read"),
        ({"publicKeyMultibase": KEY_PAIR["privateKeyMultibase"]}, "publicKeyMultibase"),
        ({"publicKeyMultibase": None}, "no publicKeyMultibase or publicKeyJwk"),
    ],
)
def test_the_method_itself_is_checked(method_changes: dict[str, Any], message: str) -> None:
    document = _did_document()
    vm = document["verificationMethod"][0]
    vm.update(method_changes)
    document["verificationMethod"][0] = {k: v for k, v in vm.items() if v is not None}
    with pytest.raises(controllers.MethodError, match=message):
        controllers.resolve(f"{DID_WEB}#key-1", Documents({DID_WEB_URL: document}))


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "EC", "crv": "P-256", "x": "AAAA"},
        {"kty": "OKP", "crv": "Ed25519", "x": "AAAA"},
        {"kty": "OKP", "crv": "Ed25519", "x": "x", "d": "secret"},
    ],
)
def test_unusable_jwks_are_refused(jwk: dict[str, Any]) -> None:
    vm = {"id": f"{DID_WEB}#jwk", "type": "JsonWebKey", "controller": DID_WEB, "publicKeyJwk": jwk}
    document = _did_document(verificationMethod=[vm], assertionMethod=["#jwk"])
    with pytest.raises(controllers.MethodError):
        controllers.resolve(f"{DID_WEB}#jwk", Documents({DID_WEB_URL: document}))


def test_a_did_document_that_cannot_be_fetched_is_unavailable() -> None:
    with pytest.raises(controllers.MethodUnavailable):
        controllers.resolve(f"{DID_WEB}#key-1", Documents({}))


# -- https ---------------------------------------------------------------------------------


def test_an_https_key_is_read_from_its_controller_document() -> None:
    profile_url = "https://issuer.example/issuers/1"
    document = _did_document(profile_url)
    fetch = Documents({profile_url: document})
    method = controllers.resolve(f"{profile_url}#key-1", fetch)
    assert method.controller == profile_url
    assert fetch.asked == [profile_url]


@pytest.mark.parametrize(
    "method", ["did:example:123#k", "ftp://issuer.example/k#1", "urn:uuid:1234#k", "https://x"]
)
def test_unsupported_methods_are_refused(method: str) -> None:
    with pytest.raises(controllers.MethodError):
        controllers.resolve(method, Documents({}))


# -- whose key -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "issuer", "belongs"),
    [
        (f"{DID_KEY}#{PUBLIC}", DID_KEY, True),
        (DID_KEY, DID_KEY, True),
        (f"{DID_KEY}#{PUBLIC}", "did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q", False),
        (f"{DID_WEB}#key-1", DID_WEB, True),
        (f"{DID_WEB}#key-1", "did:web:issuer.example:other", False),
        (f"{DID_KEY}#{PUBLIC}", "https://issuer.example/issuers/1", False),
        ("https://issuer.example/keys#1", "https://issuer.example/issuers/1", True),
        ("https://evil.example/keys#1", "https://issuer.example/issuers/1", False),
        ("http://issuer.example/keys#1", "https://issuer.example/issuers/1", False),
        ("https://issuer.example/keys#1", DID_WEB, False),
        (f"{DID_WEB}#key-1", None, False),
    ],
)
def test_only_the_issuers_keys_belong_to_it(method: str, issuer: str | None, belongs: bool) -> None:
    assert controllers.belongs_to_issuer(method, issuer) is belongs
