"""OB 3.0 credentials with embedded eddsa-rdfc-2022 proofs, verified end to end.

Keys by did:key, did:web and https controller documents, the issuer-key rule, proof sets,
Bitstring Status Lists (ours and one published by the Digital Credentials Consortium),
and dispatch from bytes and URLs. Documents are served by a dict-backed Loader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from badges.openbadges import multibase, multikey, ob3, status_list
from badges.openbadges.data_integrity import sign_eddsa_rdfc_2022
from badges.openbadges.report import VerificationReport
from badges.openbadges.verify import verify
from badges.openbadges.verify_ob3 import verify_ob3

from . import ob3_samples as samples
from .conftest import DictLoader

FIXTURES = Path(__file__).parent / "fixtures" / "data_integrity"
DCC = FIXTURES / "dcc-verifier-core"
KEY_PAIR = json.loads((FIXTURES / "w3c-eddsa-rdfc-2022" / "keyPair.json").read_text())
SECRET = multikey.secret_key(KEY_PAIR["privateKeyMultibase"])
PUBLIC = KEY_PAIR["publicKeyMultibase"]
DID_KEY = f"did:key:{PUBLIC}"
DID_KEY_METHOD = f"{DID_KEY}#{PUBLIC}"
DID_WEB = "did:web:issuer.example"
DID_WEB_URL = "https://issuer.example/.well-known/did.json"
DCC_LIST_URL = (
    "https://raw.githubusercontent.com/digitalcredentials/verifier-core/refs/heads/main/"
    "src/test-fixtures/status/e5WK8CbZ1GjycuPombrj"
)
LIST_URL = "https://issuer.example/status/1"
CREATED = "2026-01-15T09:30:00Z"
NOW = samples.NOW
ANY_SIGNATURE = multibase.encode_base58btc(bytes(range(64)))  # well formed, signs nothing


def _json_body(document: Any) -> tuple[int, str, bytes]:
    return (200, "application/json", json.dumps(document).encode())


def _serving(documents: dict[str, Any]) -> DictLoader:
    return DictLoader({url: _json_body(doc) for url, doc in documents.items()})


def _credential(issuer: str, **changes: Any) -> dict[str, Any]:
    """A Chemins OB 3.0 credential (the library's own builders) issued by ``issuer``."""
    credential = samples.credential("https://issuer.example")
    credential["issuer"] = ob3.profile(issuer, name="Centre social des Tilleuls")
    credential.update(changes)
    return credential


def _signed(document: dict[str, Any], method: str = DID_KEY_METHOD, **kw: Any) -> dict[str, Any]:
    return sign_eddsa_rdfc_2022(document, SECRET, method, CREATED, **kw)


def _verify(document: Any, loader: DictLoader | None = None, **kw: Any) -> VerificationReport:
    return verify_ob3(document, loader or _serving({}), VerificationReport(), now=NOW, **kw)


def _errors(report: VerificationReport) -> list[str]:
    return [f.code for f in report.errors]


def _warnings(report: VerificationReport) -> list[str]:
    return [f.code for f in report.warnings]


def _did_document(did: str = DID_WEB, purposes: tuple[str, ...] = ("assertionMethod",)) -> dict:
    document: dict[str, Any] = {
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
    }
    for purpose in purposes:
        document[purpose] = [f"{did}#key-1"]
    return document


# -- another issuer's credential -------------------------------------------------------------


def test_an_ob3_credential_signed_by_the_dcc_verifies() -> None:
    report = verify((DCC / "v2OBv3SpecExample.json").read_bytes(), _serving({}), now=NOW)
    assert report.valid, report.as_dict()
    assert report.warnings == []
    assert report.version == "3.0"
    assert report.subject["issuerId"] == "did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"


def test_a_tampered_dcc_credential_fails_on_its_signature() -> None:
    credential = json.loads((DCC / "v2OBv3SpecExample.json").read_text())
    credential["credentialSubject"]["achievement"]["name"] = "Teamwork!"
    report = _verify(credential)
    assert _errors(report) == ["ob3.di-signature"]
    assert report.errors[0].path == "proof.proofValue"


def test_the_dccs_proof_set_verifies_its_eddsa_proof_and_skips_the_other() -> None:
    loader = _serving(
        {DCC_LIST_URL: json.loads((DCC / "status-e5WK8CbZ1GjycuPombrj.json").read_text())}
    )
    report = _verify(json.loads((DCC / "v2DoubleSigWithValidStatus.json").read_text()), loader)
    # The DCC sample has no subject id or identifier, which OB 3.0 requires; nothing else fails.
    assert _errors(report) == ["ob3.subject-identity"]
    assert _warnings(report) == ["ob3.proofs-skipped", "ob3.status-unverified"]


# -- our credentials, signed with the W3C vector key -------------------------------------------


def test_a_did_key_credential_verifies_without_fetching_anything() -> None:
    loader = _serving({})
    report = _verify(_signed(_credential(DID_KEY)), loader, recipient=samples.EMAIL)
    assert report.valid, report.as_dict()
    assert report.warnings == []
    assert report.form == "json"
    assert loader.requested == []


def test_a_did_web_credential_verifies_through_the_loader() -> None:
    loader = _serving({DID_WEB_URL: _did_document()})
    report = _verify(_signed(_credential(DID_WEB), f"{DID_WEB}#key-1"), loader)
    assert report.valid, report.as_dict()
    assert loader.requested == [DID_WEB_URL]


def test_an_https_issuer_publishing_its_key_in_its_profile() -> None:
    issuer = "https://issuer.example/ob/v3/issuers/1"
    profile = {**ob3.profile(issuer, name="Tilleuls"), **_did_document(issuer)}
    loader = _serving({issuer: profile})
    report = _verify(_signed(_credential(issuer), f"{issuer}#key-1"), loader)
    assert report.valid, report.as_dict()


def test_a_did_web_document_that_cannot_be_fetched() -> None:
    report = _verify(_signed(_credential(DID_WEB), f"{DID_WEB}#key-1"))
    assert _errors(report) == ["ob3.key-unavailable"]


def test_a_did_web_key_not_meant_for_assertions() -> None:
    loader = _serving({DID_WEB_URL: _did_document(purposes=("authentication",))})
    report = _verify(_signed(_credential(DID_WEB), f"{DID_WEB}#key-1"), loader)
    assert _errors(report) == ["ob3.di-method"]


def test_a_key_that_is_not_the_issuers_is_refused_before_any_fetch() -> None:
    """Anyone can sign with their own did:key: a valid signature proves nothing of the issuer."""
    loader = _serving({})
    report = _verify(_signed(_credential("https://issuer.example/ob/v3/issuers/1")), loader)
    assert _errors(report) == ["ob3.di-issuer"]
    other_web = _signed(_credential(DID_WEB), "did:web:evil.example#key-1")
    assert _errors(_verify(other_web, loader)) == ["ob3.di-issuer"]
    assert loader.requested == []


def test_changing_the_issuer_to_match_another_key_breaks_the_signature() -> None:
    signed = _signed(_credential(DID_KEY))
    signed["credentialSubject"]["achievement"]["name"] = "J'agis : accueil"
    assert _errors(_verify(signed)) == ["ob3.di-signature"]


@pytest.mark.parametrize(
    ("proof_changes", "code"),
    [
        ({"proofPurpose": "authentication"}, "ob3.di-proof"),
        ({"created": "yesterday"}, "ob3.di-proof"),
        ({"expires": "2026-01-20T00:00:00Z"}, "ob3.di-proof"),
        ({"cryptosuite": "eddsa-jcs-2022"}, "ob3.proof-unsupported"),
        ({"type": "Ed25519Signature2020"}, "ob3.proof-unsupported"),
        (
            {"proofValue": ANY_SIGNATURE},
            "ob3.di-signature",
        ),
        ({"proofValue": "z1111"}, "ob3.di-proof"),
    ],
)
def test_proof_options_and_values(proof_changes: dict[str, Any], code: str) -> None:
    signed = _signed(_credential(DID_KEY))
    signed["proof"].update(proof_changes)
    assert _errors(_verify(signed)) == [code]


def test_a_signed_purpose_other_than_assertion_is_refused() -> None:
    signed = _signed(_credential(DID_KEY), proof_purpose="authentication")
    report = _verify(signed)
    assert _errors(report) == ["ob3.di-proof"]
    assert "purpose must be assertionMethod" in report.errors[0].message


def test_a_context_that_is_not_bundled_is_reported_not_fetched() -> None:
    credential = _credential(DID_KEY)
    credential["@context"] = [*credential["@context"], "https://contexts.example/extra.json"]
    loader = _serving({})
    report = _verify(_signed_without_canonicalising(credential), loader)
    assert "ob3.di-proof" in _errors(report)
    assert loader.requested == []


def _signed_without_canonicalising(credential: dict[str, Any]) -> dict[str, Any]:
    """A credential whose proof was made elsewhere (we cannot canonicalise it to sign)."""
    return {
        **credential,
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": CREATED,
            "verificationMethod": DID_KEY_METHOD,
            "proofPurpose": "assertionMethod",
            "proofValue": ANY_SIGNATURE,
        },
    }


def test_a_proof_set_needs_every_supported_proof_to_verify() -> None:
    first = _signed(_credential(DID_KEY))["proof"]
    other = {**first, "proofValue": _signed(_credential(DID_KEY, name="x"))["proof"]["proofValue"]}
    credential = {**_credential(DID_KEY), "proof": [first, other]}
    report = _verify(credential)
    assert _errors(report) == ["ob3.di-signature"]
    assert report.errors[0].path == "proof[1].proofValue"
    credential["proof"] = [first, {"type": "Ed25519Signature2020", "proofValue": "z1"}]
    report = _verify(credential)
    assert report.valid and _warnings(report) == ["ob3.proofs-skipped"]


def test_an_embedded_endorsement_with_a_data_integrity_proof() -> None:
    endorsement = samples.endorsement("https://issuer.example", "https://issuer.example/x")
    endorsement["issuer"] = ob3.profile(DID_KEY, name="Mairie")
    good = _signed(endorsement)
    credential = _credential(DID_KEY)
    credential["endorsement"] = [good]
    assert _verify(_signed(credential)).valid
    bad = json.loads(json.dumps(good))
    bad["credentialSubject"]["endorsementComment"] = "Changed."
    credential["endorsement"] = [bad]
    report = _verify(_signed(credential))
    assert _errors(report) == ["ob3.di-signature"]
    assert report.errors[0].path == "endorsement[0].proof.proofValue"


# -- Bitstring Status List -----------------------------------------------------------------


def _status(index: int, purpose: str = "revocation", url: str = LIST_URL) -> dict[str, Any]:
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def _list_credential(*set_indexes: int, purpose: str = "revocation", issuer: str = DID_KEY) -> dict:
    bits = bytearray(16 * 1024)
    for index in set_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status_list.encode_list(bytes(bits)),
        },
    }


def test_revoked_in_the_dccs_status_list() -> None:
    loader = _serving(
        {DCC_LIST_URL: json.loads((DCC / "status-e5WK8CbZ1GjycuPombrj.json").read_text())}
    )
    revoked = _signed(_credential(DID_KEY, credentialStatus=_status(8, url=DCC_LIST_URL)))
    report = _verify(revoked, loader)
    assert _errors(report) == ["ob3.revoked"]
    # That list is signed with Ed25519Signature2020, which is read but not verified here.
    assert _warnings(report) == ["ob3.status-unverified"]
    fine = _signed(_credential(DID_KEY, credentialStatus=_status(9, url=DCC_LIST_URL)))
    assert _verify(fine, loader).valid


@pytest.mark.parametrize(
    ("purpose", "code"), [("revocation", "ob3.revoked"), ("suspension", "ob3.suspended")]
)
def test_revoked_or_suspended_in_a_signed_list(purpose: str, code: str) -> None:
    loader = _serving({LIST_URL: _signed(_list_credential(42, purpose=purpose))})
    report = _verify(_signed(_credential(DID_KEY, credentialStatus=_status(42, purpose))), loader)
    assert _errors(report) == [code]
    assert report.warnings == []
    other = _verify(_signed(_credential(DID_KEY, credentialStatus=_status(43, purpose))), loader)
    assert other.valid and other.warnings == []


def test_a_list_whose_proof_fails_is_not_believed() -> None:
    listed = _signed(_list_credential())
    listed["credentialSubject"]["encodedList"] = status_list.encode_list(b"\xff" * 16384)
    loader = _serving({LIST_URL: listed})
    report = _verify(_signed(_credential(DID_KEY, credentialStatus=_status(42))), loader)
    assert report.valid
    assert _warnings(report) == ["ob3.status-unavailable"]
    assert "proof does not verify" in report.warnings[0].message


def test_a_list_signed_by_someone_else_is_not_believed() -> None:
    listed = _signed(_list_credential(42, issuer="https://status.example/issuer"))
    loader = _serving({LIST_URL: listed})
    report = _verify(_signed(_credential(DID_KEY, credentialStatus=_status(42))), loader)
    assert _warnings(report) == ["ob3.status-unavailable"]


def test_an_unsigned_list_is_read_with_a_warning() -> None:
    loader = _serving({LIST_URL: _list_credential(42)})
    report = _verify(_signed(_credential(DID_KEY, credentialStatus=_status(42))), loader)
    assert _errors(report) == ["ob3.revoked"]
    assert _warnings(report) == ["ob3.status-unverified"]


def test_a_list_that_cannot_be_fetched_only_warns() -> None:
    report = _verify(_signed(_credential(DID_KEY, credentialStatus=_status(42))))
    assert report.valid
    assert _warnings(report) == ["ob3.status-unavailable"]


def test_a_message_status_is_not_interpreted() -> None:
    loader = _serving({LIST_URL: _signed(_list_credential(7, purpose="message"))})
    report = _verify(_signed(_credential(DID_KEY, credentialStatus=_status(7, "message"))), loader)
    assert report.valid
    assert _warnings(report) == ["ob3.status-unsupported"]


# -- dispatch --------------------------------------------------------------------------------


def test_a_url_serving_a_credential_with_an_embedded_proof() -> None:
    url = "https://issuer.example/ob/v3/credentials/1"
    loader = _serving({url: _signed(_credential(DID_KEY))})
    report = verify(url, loader, now=NOW)
    assert report.valid, report.as_dict()
    assert loader.requested == [url]  # no VC-JWT asked for: the proof is embedded


def test_a_tampered_file_is_invalid() -> None:
    signed = _signed(_credential(DID_KEY))
    signed["name"] = "Je soutiens : accueil (modifié)"
    report = verify(json.dumps(signed).encode(), _serving({}), now=NOW)
    assert _errors(report) == ["ob3.di-signature"]
