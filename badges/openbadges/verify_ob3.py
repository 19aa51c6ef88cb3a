"""Verify an Open Badges 3.0 credential, following the spec's verification algorithm.

The steps run in the order of the OB 3.0 "Verification" algorithms (for an
OpenBadgeCredential, and for an EndorsementCredential), each a small function named
after what it checks:

1. shape (:mod:`badges.openbadges.ob3_rules`, the 1EdTech JSON Schemas' rules);
2. proof: VC-JWT with RS256/ES256, the key found from the header ``kid`` URI through the
   caller's :class:`~badges.openbadges.loader.Loader`, or from an embedded public ``jwk``;
   or an embedded Data Integrity proof (``eddsa-rdfc-2022``, keys by did:key, did:web or
   an https URL on the issuer's origin; :mod:`~badges.openbadges.embedded_proofs`);
3. status: revoked per a ``1EdTechRevocationList``, revoked or suspended per a W3C
   ``BitstringStatusListEntry`` (whose list credential's own proof is verified too); a
   list that cannot be fetched only warns, as the specs say; not yet valid, expired;
4. recipient, when the caller names one: ``credentialSubject.id``, or an ``identifier``
   whose hash (with its salt) or plain value matches;
5. every embedded EndorsementCredential (``endorsement``/``endorsementJwt`` anywhere in
   the credential) verified by the same steps, its findings prefixed by where it sits.

A credential is not a badge of a given issuer just because a key signed it: the ``kid``
URL must live on the issuer id's origin, otherwise anyone could sign a credential naming
any issuer with their own key. An embedded ``jwk`` cannot be tied to an issuer at all,
so it verifies with a warning saying so.

Finding codes, besides the shape codes of :mod:`~badges.openbadges.ob3_rules`: errors
``ob3.no-proof``, ``ob3.proof-unsupported``, ``ob3.jwt-alg``, ``ob3.jwt-header``,
``ob3.jwt-key``, ``ob3.kid``, ``ob3.kid-origin``, ``ob3.key-unavailable``,
``ob3.kid-unknown``, ``ob3.jwk``, ``ob3.jwk-private``, ``ob3.jwk-iss``, ``ob3.signature``,
``ob3.jwt-iss|jti|nbf|sub|exp``, ``ob3.di-proof``, ``ob3.di-issuer``, ``ob3.di-method``,
``ob3.di-signature``, ``ob3.revoked``, ``ob3.suspended``, ``ob3.not-yet-valid``,
``ob3.expired``, ``ob3.recipient``, ``ob3.endorsement``; warnings ``ob3.jwt-typ``,
``ob3.key-unbound``, ``ob3.proofs-skipped``, ``ob3.status-unavailable``,
``ob3.status-unverified``, ``ob3.status-unsupported``, ``ob3.endorsements-skipped``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from badges.openbadges import (
    data_integrity,
    embedded_proofs,
    ob3_rules,
    ob3_values,
    status_list,
    vc_jwt,
    vcrl,
)
from badges.openbadges.errors import UnusableInput
from badges.openbadges.hashing import IdentityHashError, identity_matches
from badges.openbadges.loader import Loader, LoaderError
from badges.openbadges.ob3 import REVOCATION_LIST_TYPE
from badges.openbadges.report import VerificationReport
from badges.openbadges.vc_jwt_keys import resolve_key

# Endorsements may embed endorsements; each costs fetches the credential's author chose,
# so verification stops after a reasonable nesting and count rather than follow them all.
MAX_ENDORSEMENT_DEPTH = 2
MAX_ENDORSEMENTS = 20


@dataclass
class _Run:
    """What one verification shares across the credential and its endorsements."""

    loader: Loader
    report: VerificationReport
    now: datetime
    documents: dict[str, Any] = field(default_factory=dict)

    def fetch_json(self, url: str, accept: str) -> Any:
        """GET ``url`` as JSON once per run; raises LoaderError when that fails."""
        if url not in self.documents:
            fetched = self.loader(url, accept)
            if fetched.status != 200:
                raise LoaderError(f"{url} answered HTTP {fetched.status}")
            try:
                self.documents[url] = json.loads(fetched.body)
            except ValueError as exc:
                raise LoaderError(f"{url} did not return JSON") from exc
        return self.documents[url]


def verify_ob3(
    data: str | dict[str, Any],
    loader: Loader,
    report: VerificationReport,
    *,
    recipient: str | None = None,
    now: datetime | None = None,
) -> VerificationReport:
    """Verify an OB 3.0 OpenBadgeCredential or a standalone EndorsementCredential.

    ``data`` is a compact VC-JWT or the credential as a dict (or JSON text). Findings go
    into ``report``, which is returned; :class:`UnusableInput` is raised only when
    ``data`` is no credential at all (not JSON, not a JWT, or an unsigned JWT).
    """
    report.version = "3.0"
    run = _Run(loader, report, now or datetime.now(UTC))
    token: vc_jwt.VcJwt | None = None
    if isinstance(data, str):
        text = data.strip()
        if text.startswith("{"):
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise UnusableInput("the credential is not valid JSON") from exc
        else:
            token = vc_jwt.parse(text)
            data = token.credential
    if not isinstance(data, dict):
        raise UnusableInput("an OB 3.0 credential must be a JSON object or a VC-JWT")
    report.form = "vc-jwt" if token is not None else "json"
    credential = data
    _verify(run, credential, token, prefix="", recipient=recipient, depth=0)
    report.subject = _summary(credential)
    return report


def _verify(
    run: _Run,
    credential: dict[str, Any],
    token: vc_jwt.VcJwt | None,
    *,
    prefix: str,
    recipient: str | None,
    depth: int,
) -> None:
    report = run.report
    endorsement = ob3_rules.is_endorsement(credential)
    ob3_rules.check_credential(credential, report, allow_vcdm11=True, prefix=prefix)
    _check_proof(run, credential, token, prefix)
    _check_status(run, credential, prefix)
    _check_dates(run, credential, prefix)
    if recipient is not None and not endorsement:
        _check_recipient(credential, recipient, report, prefix)
    if depth < MAX_ENDORSEMENT_DEPTH:
        for count, (path, embedded) in enumerate(_embedded_endorsements(credential)):
            where = _at(prefix, path)
            if count == MAX_ENDORSEMENTS:
                report.warn(
                    "ob3.endorsements-skipped",
                    f"only the first {MAX_ENDORSEMENTS} endorsements were verified",
                    where,
                )
                break
            _verify_embedded(run, embedded, where, depth + 1)


def _at(prefix: str, path: str) -> str:
    return f"{prefix}.{path}" if prefix else path


# -- proof ---------------------------------------------------------------------------


def _check_proof(
    run: _Run, credential: Mapping[str, Any], token: vc_jwt.VcJwt | None, prefix: str
) -> None:
    report = run.report
    if token is None:
        if credential.get("proof") is None:
            report.error(
                "ob3.no-proof",
                "the credential has no proof (no VC-JWT, no embedded proof)",
                _at(prefix, "proof"),
            )
        else:
            embedded_proofs.check(credential, run.fetch_json, report, _at(prefix, "proof"), run.now)
        return
    if not vc_jwt.check_header(token, report, prefix + "." if prefix else ""):
        return
    key = resolve_key(
        token, vc_jwt.issuer_id(credential), run.fetch_json, report, _at(prefix, "header")
    )
    if key is None:
        return
    if not vc_jwt.verify_signature(token, key):
        report.error(
            "ob3.signature", "the VC-JWT signature does not verify", _at(prefix, "signature")
        )
        return
    vc_jwt.check_claims(token, report, prefix + "." if prefix else "")


# -- status --------------------------------------------------------------------------


def _statuses(credential: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    value = credential.get("credentialStatus")
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, Mapping):
            yield item


def _check_status(run: _Run, credential: Mapping[str, Any], prefix: str) -> None:
    report = run.report
    where = _at(prefix, "credentialStatus")
    credential_id = credential.get("id")
    for status in _statuses(credential):
        kind = status.get("type")
        if kind == status_list.ENTRY_TYPE:
            _check_bitstring_status(run, status, where)
            continue
        if kind != REVOCATION_LIST_TYPE:
            report.warn(
                "ob3.status-unsupported",
                f"credentialStatus type {str(kind)[:40]} is not checked",
                where,
            )
            continue
        url = status.get("id")
        if not isinstance(url, str) or not isinstance(credential_id, str):
            continue
        try:
            document = run.fetch_json(url, "application/json")
            revoked, reason = vcrl.is_revoked(document, credential_id)
        except (LoaderError, vcrl.RevocationListError) as exc:
            report.warn("ob3.status-unavailable", f"revocation list not checked: {exc}", where)
            continue
        if revoked:
            suffix = f": {reason}" if reason else ""
            report.error("ob3.revoked", f"the issuer revoked this credential{suffix}", where)


STATUS_LIST_ACCEPT = "application/vc+ld+json, application/ld+json, application/json"
SUSPENSION = "suspension"
REVOCATION = "revocation"


def _has_verifiable_proof(document: Any) -> bool:
    if not isinstance(document, Mapping):
        return False
    proof = document.get("proof")
    return any(
        data_integrity.is_eddsa_rdfc_2022(item)
        for item in (proof if isinstance(proof, list) else [proof])
    )


def _check_bitstring_status(run: _Run, status: Mapping[str, Any], where: str) -> None:
    """Revoked or suspended per a W3C Bitstring Status List.

    The list is a credential of its own: when it carries an ``eddsa-rdfc-2022`` proof
    that does not verify, its bits prove nothing and it is treated as unavailable. A list
    that is unsigned, or signed in a way not verified here (``Ed25519Signature2020``...),
    is read as its origin serves it, like a 1EdTech revocation list, with a warning:
    ignoring it would hide revocations.
    """
    report = run.report
    try:
        entry = status_list.read_entry(status)
        document = run.fetch_json(entry.list_url, STATUS_LIST_ACCEPT)
    except (LoaderError, status_list.StatusListError) as exc:
        report.warn("ob3.status-unavailable", f"status list not checked: {exc}", where)
        return
    if _has_verifiable_proof(document):
        checked = VerificationReport()
        if not embedded_proofs.check(document, run.fetch_json, checked, "proof", run.now):
            reason = checked.errors[0].message if checked.errors else "its proof does not verify"
            report.warn(
                "ob3.status-unavailable",
                f"status list not checked: the list's proof does not verify ({reason})",
                where,
            )
            return
    else:
        report.warn(
            "ob3.status-unverified",
            "the status list credential has no eddsa-rdfc-2022 proof; read as served",
            where,
        )
    try:
        is_set = status_list.is_set(document, entry)
    except status_list.StatusListError as exc:
        report.warn("ob3.status-unavailable", f"status list not checked: {exc}", where)
        return
    if not is_set:
        return
    if entry.purpose == REVOCATION:
        report.error("ob3.revoked", "the issuer revoked this credential", where)
    elif entry.purpose == SUSPENSION:
        report.error("ob3.suspended", "the issuer suspended this credential", where)
    else:
        report.warn(
            "ob3.status-unsupported",
            f"the status list sets a {entry.purpose[:40]} status, which is not interpreted",
            where,
        )


def _check_dates(run: _Run, credential: Mapping[str, Any], prefix: str) -> None:
    report = run.report
    vcdm11 = "validFrom" not in credential and "issuanceDate" in credential
    start, end = ("issuanceDate", "expirationDate") if vcdm11 else ("validFrom", "validUntil")
    valid_from = ob3_values.parse_date_time(credential.get(start))
    if valid_from is not None and run.now < valid_from:
        report.error(
            "ob3.not-yet-valid",
            f"the credential is not valid before {credential[start]}",
            _at(prefix, start),
        )
    valid_until = ob3_values.parse_date_time(credential.get(end))
    if valid_until is not None and run.now > valid_until:
        report.error(
            "ob3.expired", f"the credential expired on {credential[end]}", _at(prefix, end)
        )


# -- recipient -----------------------------------------------------------------------


def _identity_matches(identifier: Mapping[str, Any], recipient: str) -> bool:
    value = identifier.get("identityHash")
    kind = identifier.get("identityType")
    if not isinstance(value, str) or not isinstance(kind, str):
        return False
    if identifier.get("hashed") is True:
        salt = identifier.get("salt")
        try:
            return identity_matches(
                value,
                recipient,
                salt if isinstance(salt, str) else None,
                identity_type="email" if kind == "emailAddress" else kind,
            )
        except IdentityHashError:
            return False
    if kind == "emailAddress":
        return value.strip().lower() == recipient.strip().lower()
    return value == recipient


def _check_recipient(
    credential: Mapping[str, Any], recipient: str, report: VerificationReport, prefix: str
) -> None:
    subject = credential.get("credentialSubject")
    if not isinstance(subject, Mapping):
        return
    if subject.get("id") == recipient:
        return
    identifiers = subject.get("identifier")
    for identifier in identifiers if isinstance(identifiers, list) else [identifiers]:
        if isinstance(identifier, Mapping) and _identity_matches(identifier, recipient):
            return
    report.error(
        "ob3.recipient",
        "the credential was not awarded to the given recipient",
        _at(prefix, "credentialSubject"),
    )


# -- endorsements --------------------------------------------------------------------


def _embedded_endorsements(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every ``endorsement``/``endorsementJwt`` entry in ``node`` ($..endorsement), with its
    path; the inside of an endorsement is left to that endorsement's own verification."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            child = f"{path}.{key}" if path else key
            if key in ("endorsement", "endorsementJwt"):
                items = value if isinstance(value, list) else [value]
                for index, item in enumerate(items):
                    yield f"{child}[{index}]", item
            else:
                yield from _embedded_endorsements(value, child)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _embedded_endorsements(item, f"{path}[{index}]")


def _verify_embedded(run: _Run, embedded: Any, where: str, depth: int) -> None:
    token: vc_jwt.VcJwt | None = None
    if isinstance(embedded, str):
        try:
            token = vc_jwt.parse(embedded)
        except UnusableInput as exc:
            run.report.error("ob3.endorsement", f"unusable endorsement: {exc}", where)
            return
        embedded = token.credential
    if not isinstance(embedded, dict):
        run.report.error("ob3.endorsement", "an endorsement must be an object or a VC-JWT", where)
        return
    if not ob3_rules.is_endorsement(embedded):
        run.report.error(
            "ob3.endorsement", "the embedded credential is not an EndorsementCredential", where
        )
        return
    _verify(run, embedded, token, prefix=where, recipient=None, depth=depth)


# -- summary -------------------------------------------------------------------------


def _name_of(value: Any) -> str | None:
    if isinstance(value, Mapping) and isinstance(value.get("name"), str):
        return value["name"]
    return None


def _summary(credential: Mapping[str, Any]) -> dict[str, Any]:
    """What a person needs to see about the credential, whatever the verdict."""
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, Mapping) else {}
    summary: dict[str, Any] = {
        "id": credential.get("id"),
        "type": "EndorsementCredential"
        if ob3_rules.is_endorsement(credential)
        else "OpenBadgeCredential",
        "name": credential.get("name"),
        "issuerId": vc_jwt.issuer_id(credential),
        "issuerName": _name_of(credential.get("issuer")),
        "validFrom": credential.get("validFrom", credential.get("issuanceDate")),
        "validUntil": credential.get("validUntil", credential.get("expirationDate")),
        "subjectId": subject.get("id"),
    }
    if ob3_rules.is_endorsement(credential):
        summary["endorsementComment"] = subject.get("endorsementComment")
    else:
        summary["achievementName"] = _name_of(subject.get("achievement"))
        identifiers = subject.get("identifier")
        summary["identifierTypes"] = [
            item["identityType"]
            for item in (identifiers if isinstance(identifiers, list) else [])
            if isinstance(item, Mapping) and isinstance(item.get("identityType"), str)
        ]
    return {key: value for key, value in summary.items() if value is not None}
