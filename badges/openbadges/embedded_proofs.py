"""Verify the Data Integrity proof embedded in a credential, as findings in a report.

The pieces are standards code of their own: :mod:`~badges.openbadges.data_integrity`
(the ``eddsa-rdfc-2022`` cryptosuite), :mod:`~badges.openbadges.controllers` (from
``verificationMethod`` to a key). This module runs them in the order a verifier needs
and says what failed, for an OB 3.0 credential, an endorsement, or a status list:

1. only ``DataIntegrityProof``/``eddsa-rdfc-2022`` proofs are verified; any other proof
   is unsupported (an error when it is the only one, skipped with a warning in a proof set
   that has a supported one);
2. the proof's members (type, purpose ``assertionMethod``, ``created``, ``expires``);
3. the key must be the issuer's: a DID method of the issuer's own DID, or an https key on
   the issuer's origin — checked from the URL, before anything is fetched;
4. the controller document must list the key under ``assertionMethod``;
5. the signature over the canonical proof configuration and document.

Codes: errors ``ob3.proof-unsupported``, ``ob3.di-proof``, ``ob3.di-issuer``,
``ob3.di-method``, ``ob3.key-unavailable``, ``ob3.di-signature``; warning
``ob3.proofs-skipped``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from badges.openbadges import controllers, data_integrity
from badges.openbadges.rdf_canon import CanonicalizationError
from badges.openbadges.report import VerificationReport
from badges.openbadges.vc_jwt import issuer_id


def _name(proof: Any) -> str:
    if not isinstance(proof, Mapping):
        return "a proof that is not an object"
    suite = proof.get("cryptosuite")
    return str(suite if isinstance(suite, str) else proof.get("type"))[:60]


def check(
    document: Mapping[str, Any],
    fetch_json: Callable[[str, str], Any],
    report: VerificationReport,
    where: str,
    now: datetime,
) -> bool:
    """Verify ``document``'s embedded proof(s); True when every supported one verifies.

    ``fetch_json(url, accept)`` reads controller documents (did:web, https keys) and
    raises :class:`~badges.openbadges.loader.LoaderError`; findings go to ``report`` with
    paths under ``where`` (the path of ``proof``).
    """
    value = document.get("proof")
    proofs = value if isinstance(value, list) else [value]
    supported = [
        (index, proof)
        for index, proof in enumerate(proofs)
        if data_integrity.is_eddsa_rdfc_2022(proof)
    ]
    if not supported:
        report.error(
            "ob3.proof-unsupported",
            f"the embedded proof ({_name(proofs[0] if proofs else None)}) is not one we verify;"
            " eddsa-rdfc-2022 Data Integrity proofs and VC-JWT are",
            where,
        )
        return False
    if len(supported) < len(proofs):
        report.warn(
            "ob3.proofs-skipped",
            "proofs of other cryptosuites in this proof set were not verified",
            where,
        )
    verified = True
    for index, proof in supported:
        path = f"{where}[{index}]" if isinstance(value, list) else where
        verified = _check_one(document, proof, fetch_json, report, path, now) and verified
    return verified


def _check_one(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    fetch_json: Callable[[str, str], Any],
    report: VerificationReport,
    where: str,
    now: datetime,
) -> bool:
    problems = data_integrity.option_problems(document, proof, now=now)
    for problem in problems:
        report.error("ob3.di-proof", problem, where)
    if problems:
        return False
    method_id = proof["verificationMethod"]
    if not controllers.belongs_to_issuer(method_id, issuer_id(document)):
        report.error(
            "ob3.di-issuer",
            "the signing key is not the issuer's (neither the issuer's DID nor on its origin)",
            f"{where}.verificationMethod",
        )
        return False
    try:
        method = controllers.resolve(method_id, fetch_json)
    except controllers.MethodUnavailable as exc:
        report.error("ob3.key-unavailable", str(exc), f"{where}.verificationMethod")
        return False
    except controllers.MethodError as exc:
        report.error("ob3.di-method", str(exc), f"{where}.verificationMethod")
        return False
    if not method_id.startswith("did:") and method.controller != issuer_id(document):
        # Several issuers may share one origin (communities of one Chemins instance):
        # the origin rule alone would let one sign for another.
        report.error(
            "ob3.di-issuer",
            "the signing key is controlled by another profile than the issuer",
            f"{where}.verificationMethod",
        )
        return False
    try:
        verified = data_integrity.verify_proof(document, proof, method.public_key)
    except data_integrity.ProofError as exc:
        report.error("ob3.di-proof", str(exc), f"{where}.proofValue")
        return False
    except CanonicalizationError as exc:
        report.error("ob3.di-proof", f"the credential cannot be canonicalised: {exc}", where)
        return False
    if not verified:
        report.error(
            "ob3.di-signature",
            "the Data Integrity signature does not verify",
            f"{where}.proofValue",
        )
    return verified
