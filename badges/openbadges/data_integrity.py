"""The ``eddsa-rdfc-2022`` Data Integrity cryptosuite: Ed25519 over canonical RDF.

Many Open Badges 3.0 wallets and verifiers secure a credential with a proof embedded in
it rather than a VC-JWT around it. W3C "Data Integrity EdDSA Cryptosuites v1.0" (§3.3)
defines the one they share:

- transformation: the document without ``proof``, canonicalised (RDFC-1.0);
- proof configuration: the proof without ``proofValue``, given the document's
  ``@context``, canonicalised the same way;
- hashing: SHA-256(canonical proof configuration) followed by SHA-256(canonical document);
- signature: Ed25519 over those 64 bytes, written as multibase base58btc ``proofValue``.

Signing over the proof configuration as well as the document means that ``created``,
``proofPurpose`` and ``verificationMethod`` cannot be changed either. This module does the
cryptography and the checks on the proof's own members; which key a verification method
names, and whether it is the issuer's, is :mod:`badges.openbadges.controllers`' business.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from badges.openbadges import multibase
from badges.openbadges.ob3_values import parse_date_time
from badges.openbadges.rdf_canon import canonicalize

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION_METHOD = "assertionMethod"

# XML Schema 1.1 dateTime (the zone is optional there, unlike in RFC 3339).
_XSD_DATE_TIME = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?\Z")


class ProofError(ValueError):
    """The proof cannot be checked or created as it is (bad options, bad proofValue)."""


def is_eddsa_rdfc_2022(proof: Any) -> bool:
    """True for a ``DataIntegrityProof`` that names this cryptosuite."""
    return (
        isinstance(proof, Mapping)
        and proof.get("type") == PROOF_TYPE
        and proof.get("cryptosuite") == CRYPTOSUITE
    )


def _format_created(created: datetime | str) -> str:
    if isinstance(created, str):
        return created
    if created.tzinfo is None:
        raise ProofError("created must be an aware datetime")
    return created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _proof_config(document: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """The proof configuration to canonicalise: the options with the document's context."""
    config = {key: copy.deepcopy(value) for key, value in options.items() if key != "proofValue"}
    config["@context"] = copy.deepcopy(document.get("@context"))
    return config


def _unsecured(document: Mapping[str, Any]) -> dict[str, Any]:
    return {key: copy.deepcopy(value) for key, value in document.items() if key != "proof"}


def hash_data(document: Mapping[str, Any], options: Mapping[str, Any]) -> bytes:
    """SHA-256 of the canonical proof configuration, then of the canonical document.

    ``document`` is the unsecured document (any ``proof`` is left out); ``options`` the
    proof options (any ``proofValue`` is left out). Raises
    :class:`~badges.openbadges.rdf_canon.CanonicalizationError`.
    """
    unsecured = _unsecured(document)
    proof_hash = hashlib.sha256(canonicalize(_proof_config(unsecured, options)).encode("utf-8"))
    document_hash = hashlib.sha256(canonicalize(unsecured).encode("utf-8"))
    return proof_hash.digest() + document_hash.digest()


def sign_eddsa_rdfc_2022(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime | str,
    *,
    proof_purpose: str = ASSERTION_METHOD,
) -> dict[str, Any]:
    """A copy of ``document`` secured with an ``eddsa-rdfc-2022`` proof.

    ``verification_method`` is the URL of the public key (``did:key:z6Mk…#z6Mk…``, a
    did:web key, or an https URL on the issuer's origin); ``created`` is written as an
    XML Schema dateTime. An existing ``proof`` is replaced, not added to.
    """
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _format_created(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = private_key.sign(hash_data(document, options))
    secured = _unsecured(document)
    secured["proof"] = {**options, "proofValue": multibase.encode_base58btc(signature)}
    return secured


def option_problems(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    *,
    purpose: str = ASSERTION_METHOD,
    now: datetime | None = None,
) -> list[str]:
    """What is wrong with the proof's own members before any key is looked at.

    Checks the type and cryptosuite, the purpose the verifier expects, ``created`` (a
    valid dateTime when present, as the cryptosuite requires), ``expires``, the shape of
    ``verificationMethod`` and ``proofValue``, and that a proof ``@context`` is the start
    of the document's, as Data Integrity §4.3 requires.
    """
    problems: list[str] = []
    if proof.get("type") != PROOF_TYPE:
        problems.append(f"the proof type must be {PROOF_TYPE}")
    if proof.get("cryptosuite") != CRYPTOSUITE:
        problems.append(f"the proof cryptosuite must be {CRYPTOSUITE}")
    if proof.get("proofPurpose") != purpose:
        problems.append(f"the proof purpose must be {purpose}")
    created = proof.get("created")
    if created is not None and not (isinstance(created, str) and _XSD_DATE_TIME.match(created)):
        problems.append("the proof's created is not a valid dateTime")
    expires = proof.get("expires")
    if expires is not None:
        moment = parse_date_time(expires)
        if moment is None:
            problems.append("the proof's expires is not a valid dateTime")
        elif moment < (now or datetime.now(UTC)):
            problems.append(f"the proof expired on {expires}")
    method = proof.get("verificationMethod")
    if not isinstance(method, str) or not method:
        problems.append("the proof names no verificationMethod")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith(multibase.BASE58BTC):
        problems.append("the proofValue must be multibase base58btc")
    if "@context" in proof:
        proof_context = proof["@context"]
        proof_context = proof_context if isinstance(proof_context, list) else [proof_context]
        document_context = document.get("@context")
        document_context = (
            document_context if isinstance(document_context, list) else [document_context]
        )
        if document_context[: len(proof_context)] != proof_context:
            problems.append("the proof's @context is not the start of the document's")
    return problems


def signature_bytes(proof: Mapping[str, Any]) -> bytes:
    """The 64-byte Ed25519 signature in ``proofValue``; raises :class:`ProofError`."""
    try:
        signature = multibase.decode_base58btc(proof.get("proofValue"))
    except multibase.MultibaseError as exc:
        raise ProofError(f"proofValue: {exc}") from exc
    if len(signature) != 64:
        raise ProofError("the proofValue is not a 64-byte Ed25519 signature")
    return signature


def verify_eddsa_rdfc_2022(document: Mapping[str, Any], public_key: Ed25519PublicKey) -> bool:
    """True if the document's one ``proof`` is an Ed25519 signature by ``public_key``.

    Only the signature: call :func:`option_problems` first and resolve the key from the
    proof's ``verificationMethod``. Raises :class:`ProofError` for a malformed proof and
    :class:`~badges.openbadges.rdf_canon.CanonicalizationError` for a document that
    cannot be canonicalised.
    """
    proof = document.get("proof")
    if not isinstance(proof, Mapping):
        raise ProofError("the document has no single proof object")
    return verify_proof(document, proof, public_key)


def verify_proof(
    document: Mapping[str, Any], proof: Mapping[str, Any], public_key: Ed25519PublicKey
) -> bool:
    """True if ``proof`` (one proof of ``document``, e.g. of a proof set) verifies."""
    signature = signature_bytes(proof)
    data = hash_data(document, proof)
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
