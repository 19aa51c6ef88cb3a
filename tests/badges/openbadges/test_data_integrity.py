"""The eddsa-rdfc-2022 cryptosuite against the W3C test vectors and other issuers' proofs.

The vectors (W3C "Data Integrity EdDSA Cryptosuites v1.0", appendix "Test Vectors") fix
every intermediate value: canonical document, canonical proof configuration, hashes and
the final proofValue, so signing must reproduce them exactly and verifying must accept
them. The Digital Credentials Consortium credentials were signed by an implementation we
did not write.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from badges.openbadges import data_integrity, multibase, multikey
from badges.openbadges.contexts import is_bundled, load_context
from badges.openbadges.rdf_canon import MAX_BLANK_NODES, CanonicalizationError, canonicalize

FIXTURES = Path(__file__).parent / "fixtures" / "data_integrity"
W3C = FIXTURES / "w3c-eddsa-rdfc-2022"
DCC = FIXTURES / "dcc-verifier-core"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def key_pair() -> dict[str, str]:
    return _json(W3C / "keyPair.json")


VECTORS = [
    pytest.param(W3C / "unsigned.json", W3C, id="alumni"),
    pytest.param(W3C / "employmentAuth.json", W3C / "employ", id="employment"),
]


# -- the W3C vectors, step by step -----------------------------------------------------


@pytest.mark.parametrize(("unsigned", "folder"), VECTORS)
def test_the_canonical_forms_are_the_specs(unsigned: Path, folder: Path) -> None:
    assert canonicalize(_json(unsigned)) == _text(folder / "canonDocDataInt.txt")
    assert canonicalize(_json(folder / "proofConfigDataInt.json")) == _text(
        folder / "proofCanonDataInt.txt"
    )


@pytest.mark.parametrize(("unsigned", "folder"), VECTORS)
def test_the_hash_data_is_the_specs(unsigned: Path, folder: Path) -> None:
    options = _json(folder / "proofConfigDataInt.json")
    data = data_integrity.hash_data(_json(unsigned), options)
    assert data.hex() == _text(folder / "combinedHashDataInt.txt").strip()
    assert data[:32].hex() == _text(folder / "proofHashDataInt.txt").strip()
    assert data[32:].hex() == _text(folder / "docHashDataInt.txt").strip()


@pytest.mark.parametrize(("unsigned", "folder"), VECTORS)
def test_signing_reproduces_the_specs_proof(
    unsigned: Path, folder: Path, key_pair: dict[str, str]
) -> None:
    options = _json(folder / "proofConfigDataInt.json")
    signed = data_integrity.sign_eddsa_rdfc_2022(
        _json(unsigned),
        multikey.secret_key(key_pair["privateKeyMultibase"]),
        options["verificationMethod"],
        options["created"],
    )
    assert signed["proof"]["proofValue"] == _text(folder / "sigBTC58DataInt.txt").strip()
    assert signed == _json(folder / "signedDataInt.json")
    raw = multibase.decode_base58btc(signed["proof"]["proofValue"])
    assert raw.hex() == _text(folder / "sigHexDataInt.txt").strip()


@pytest.mark.parametrize("folder", [W3C, W3C / "employ"])
def test_the_specs_signed_credentials_verify(folder: Path, key_pair: dict[str, str]) -> None:
    signed = _json(folder / "signedDataInt.json")
    key = multikey.public_key(key_pair["publicKeyMultibase"])
    assert data_integrity.option_problems(signed, signed["proof"]) == []
    assert data_integrity.verify_eddsa_rdfc_2022(signed, key)


def test_the_did_key_of_the_vectors_is_their_public_key(key_pair: dict[str, str]) -> None:
    secret = multikey.secret_key(key_pair["privateKeyMultibase"])
    assert multikey.encode_public_key(secret.public_key()) == key_pair["publicKeyMultibase"]


# -- tampering -------------------------------------------------------------------------


def _vector_key(key_pair: dict[str, str]) -> Any:
    return multikey.public_key(key_pair["publicKeyMultibase"])


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda d: d["credentialSubject"].update(alumniOf="The School of Exampler"),
            id="one character of a claim",
        ),
        pytest.param(lambda d: d.update(validFrom="2023-01-01T00:00:01Z"), id="a date"),
        pytest.param(lambda d: d["proof"].update(created="2023-02-24T23:36:39Z"), id="created"),
        pytest.param(lambda d: d.update(issuer="https://vc.example/issuers/5679"), id="issuer"),
        pytest.param(lambda d: d["type"].pop(), id="a type removed"),
    ],
)
def test_a_changed_credential_does_not_verify(tamper: Any, key_pair: dict[str, str]) -> None:
    signed = _json(W3C / "signedDataInt.json")
    tamper(signed)
    assert not data_integrity.verify_eddsa_rdfc_2022(signed, _vector_key(key_pair))


def test_a_changed_signature_does_not_verify(key_pair: dict[str, str]) -> None:
    signed = _json(W3C / "signedDataInt.json")
    raw = bytearray(multibase.decode_base58btc(signed["proof"]["proofValue"]))
    raw[10] ^= 1
    signed["proof"]["proofValue"] = multibase.encode_base58btc(bytes(raw))
    assert not data_integrity.verify_eddsa_rdfc_2022(signed, _vector_key(key_pair))


def test_another_key_does_not_verify() -> None:
    signed = _json(W3C / "signedDataInt.json")
    other = multikey.public_key(
        _json(DCC / "v2OBv3SpecExample.json")["proof"]["verificationMethod"].split("#")[1]
    )
    assert not data_integrity.verify_eddsa_rdfc_2022(signed, other)


@pytest.mark.parametrize("value", ["", "z", "2YwC8z3ap7yx1nZY", "zzzz", "uAAAA", "z0OIl"], ids=repr)
def test_a_malformed_proof_value_is_a_proof_error(value: str, key_pair: dict[str, str]) -> None:
    signed = _json(W3C / "signedDataInt.json")
    signed["proof"]["proofValue"] = value
    with pytest.raises(data_integrity.ProofError):
        data_integrity.verify_eddsa_rdfc_2022(signed, _vector_key(key_pair))


# -- proof options ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"cryptosuite": "eddsa-jcs-2022"}, "cryptosuite must be eddsa-rdfc-2022"),
        ({"cryptosuite": "ecdsa-rdfc-2019"}, "cryptosuite must be eddsa-rdfc-2022"),
        ({"type": "Ed25519Signature2020"}, "type must be DataIntegrityProof"),
        ({"proofPurpose": "authentication"}, "purpose must be assertionMethod"),
        ({"proofPurpose": None}, "purpose must be assertionMethod"),
        ({"created": "24/02/2023"}, "created is not a valid dateTime"),
        ({"created": 1677281798}, "created is not a valid dateTime"),
        ({"expires": "2024-01-01T00:00:00Z"}, "the proof expired on 2024-01-01T00:00:00Z"),
        ({"expires": "soon"}, "expires is not a valid dateTime"),
        ({"verificationMethod": None}, "names no verificationMethod"),
        ({"proofValue": "u2YwC8z3"}, "proofValue must be multibase base58btc"),
        (
            {"@context": ["https://w3id.org/security/data-integrity/v2"]},
            "@context is not the start",
        ),
    ],
)
def test_proof_options_are_checked(change: dict[str, Any], problem: str) -> None:
    signed = _json(W3C / "signedDataInt.json")
    proof = {
        key: value for key, value in {**signed["proof"], **change}.items() if value is not None
    }
    problems = data_integrity.option_problems(signed, proof)
    assert len(problems) == 1 and problem in problems[0], problems


def test_created_is_optional_and_may_omit_the_zone() -> None:
    signed = _json(W3C / "signedDataInt.json")
    without = {k: v for k, v in signed["proof"].items() if k != "created"}
    assert data_integrity.option_problems(signed, without) == []
    local = dict(signed["proof"], created="2023-02-24T23:36:38")
    assert data_integrity.option_problems(signed, local) == []


def test_a_proof_context_that_starts_the_documents_is_accepted() -> None:
    signed = _json(W3C / "signedDataInt.json")
    proof = dict(signed["proof"], **{"@context": signed["@context"][:1]})
    assert data_integrity.option_problems(signed, proof) == []


def test_signing_refuses_a_naive_created(key_pair: dict[str, str]) -> None:
    from datetime import datetime

    with pytest.raises(data_integrity.ProofError):
        data_integrity.sign_eddsa_rdfc_2022(
            _json(W3C / "unsigned.json"),
            multikey.secret_key(key_pair["privateKeyMultibase"]),
            "did:key:x#y",
            datetime(2023, 2, 24, 23, 36, 38),
        )


def test_signing_replaces_an_existing_proof_and_leaves_the_input_alone(
    key_pair: dict[str, str],
) -> None:
    signed = _json(W3C / "signedDataInt.json")
    before = copy.deepcopy(signed)
    again = data_integrity.sign_eddsa_rdfc_2022(
        signed,
        multikey.secret_key(key_pair["privateKeyMultibase"]),
        signed["proof"]["verificationMethod"],
        signed["proof"]["created"],
    )
    assert signed == before
    assert again == before


# -- other implementations ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["v2OBv3SpecExample", "v2EddsaWithValidStatus", "v2DoubleSigWithValidStatus"]
)
def test_credentials_signed_by_the_dcc_verify(name: str) -> None:
    credential = _json(DCC / f"{name}.json")
    proofs = credential["proof"] if isinstance(credential["proof"], list) else [credential["proof"]]
    proof = next(p for p in proofs if data_integrity.is_eddsa_rdfc_2022(p))
    key = multikey.public_key(proof["verificationMethod"].split("#")[1])
    assert data_integrity.option_problems(credential, proof) == []
    assert data_integrity.verify_proof(credential, proof, key)
    credential["name"] += "!"
    assert not data_integrity.verify_proof(credential, proof, key)


# -- canonicalisation safety --------------------------------------------------------------


def test_a_context_that_is_not_bundled_is_never_fetched() -> None:
    document = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/c"]}
    with pytest.raises(CanonicalizationError, match=r"https://evil\.example/c is not bundled"):
        canonicalize(document)


def test_a_member_no_context_defines_is_refused() -> None:
    """JSON-LD would drop it unsigned while a reader still sees it ("safe mode")."""
    signed = _json(W3C / "unsigned.json")
    signed["credentialSubject"]["alumniOf"] = "x"
    canonicalize(signed)  # the examples context's @vocab defines every term
    ob3 = _json(DCC / "v2OBv3SpecExample.json")
    ob3["credentialSubject"]["grade"] = "A+"
    with pytest.raises(CanonicalizationError, match="grade"):
        canonicalize(ob3)


def test_the_dccs_safe_mode_breaker_is_refused_too() -> None:
    with pytest.raises(CanonicalizationError, match="defined by no JSON-LD context"):
        canonicalize(_json(DCC / "safeModeBreaker.json"))


def test_a_relative_type_is_refused() -> None:
    document = _json(DCC / "v2OBv3SpecExample.json")
    document["credentialStatus"] = {"id": "https://status.example/1#3", "type": "MyStatus"}
    with pytest.raises(CanonicalizationError, match="relative type reference 'MyStatus'"):
        canonicalize(document)


def test_too_many_blank_nodes_are_refused_before_canonicalising() -> None:
    document = _json(W3C / "unsigned.json")
    document["credentialSubject"]["knows"] = [{"name": str(n)} for n in range(MAX_BLANK_NODES + 1)]
    with pytest.raises(CanonicalizationError, match="blank nodes"):
        canonicalize(document)


@pytest.mark.parametrize(
    "url",
    [
        "https://w3id.org/security/data-integrity/v2",
        "https://w3id.org/security/multikey/v1",
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "https://www.w3.org/ns/credentials/examples/v2",
        "https://w3id.org/citizenship/v4rc1",
    ],
)
def test_the_contexts_data_integrity_needs_are_bundled(url: str) -> None:
    assert is_bundled(url)
    assert isinstance(load_context(url)["@context"], dict)


def test_a_vcdm_1_1_credential_with_the_data_integrity_context(key_pair: dict[str, str]) -> None:
    """OB 3.0 credentials issued before VCDM 2.0 name the Data Integrity context instead."""
    credential = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://w3id.org/security/data-integrity/v2",
        ],
        "id": "urn:uuid:2f0ec1a0-6f4e-4c39-9d8a-0d5a8b1c6e11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:key:" + key_pair["publicKeyMultibase"], "type": ["Profile"]},
        "issuanceDate": "2023-01-01T00:00:00Z",
        "name": "Teamwork Badge",
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.com/achievements/teamwork",
                "type": ["Achievement"],
                "name": "Teamwork",
                "description": "Works in a team.",
                "criteria": {"narrative": "Nominated by peers."},
            },
        },
    }
    method = "did:key:{0}#{0}".format(key_pair["publicKeyMultibase"])
    secret = multikey.secret_key(key_pair["privateKeyMultibase"])
    signed = data_integrity.sign_eddsa_rdfc_2022(credential, secret, method, "2023-01-01T00:00:00Z")
    assert data_integrity.verify_eddsa_rdfc_2022(signed, secret.public_key())
    assert "<https://w3id.org/security#cryptosuite>" in canonicalize(
        {**signed["proof"], "@context": credential["@context"]}
    )


def test_blank_node_ids_are_not_relative_references() -> None:
    document = _json(W3C / "unsigned.json")
    document["credentialSubject"]["knows"] = {"id": "_:friend", "name": "Sylvie"}
    assert "_:c14n0" in canonicalize(document)
