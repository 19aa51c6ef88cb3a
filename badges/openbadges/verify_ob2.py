"""Verify an Open Badges 2.0 Assertion, hosted or signed, offline but for its own links.

The steps follow OB 2.0 §Verification and what the reference validator checks, plus the
checks it misses (see the fact sheet): each is a small method named after its rule.

1. obtain the Assertion: fetch a hosted one at its ``id`` (HTTP 410 means revoked), or
   read the payload of a JWS (``alg: none`` is refused before anything else);
2. shape: the class table (:mod:`badges.openbadges.ob2_rules`) for the Assertion, its
   BadgeClass and its issuer Profile, fetched when given as IRIs; an object fetched from
   URL X must declare X as its ``id``;
3. hosted: the Assertion and BadgeClass live on the issuer Profile id's origin, unless
   the issuer's ``verification`` allows others (``allowedOrigins``, ``startsWith``);
4. signed: the ``creator`` key is listed in the issuer's ``publicKey`` and names the
   issuer as ``owner`` (both directions, or anyone could sign for any issuer), then the
   JWS signature is checked with that key;
5. revocation: ``revoked: true``, and the issuer's RevocationList (entries as strings,
   objects or legacy ``uid``; a single entry need not be in an array);
6. dates: expired (``expires`` before ``now``), issued in the future (warning);
7. recipient, when the caller names one: compared through the hash and salt;
8. endorsements of the Assertion, BadgeClass and issuer: fetched and checked, findings
   as warnings (an endorsement is a third party's claim about the badge).

Only the Loader touches the network, and JSON-LD contexts are never fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from badges.openbadges import jws
from badges.openbadges.dates import DateTimeError, parse_datetime
from badges.openbadges.errors import UnusableInput
from badges.openbadges.hashing import IdentityHashError, recipient_matches
from badges.openbadges.loader import Loader, LoaderError
from badges.openbadges.ob2_endorsements import EndorsementCheck
from badges.openbadges.ob2_fetch import Fetcher, Response, is_http
from badges.openbadges.ob2_hosting import hosted_by_issuer
from badges.openbadges.ob2_rules import (
    Rules,
    Sink,
    as_list,
    names_ob2_context,
    node_id,
    verification_kind,
    verification_of,
)
from badges.openbadges.report import VerificationReport

Json = dict[str, Any]


def _mapping(value: Any) -> Json | None:
    return dict(value) if isinstance(value, Mapping) else None


class _Verification:
    """One run over one Assertion and the documents it links to."""

    def __init__(
        self, loader: Loader, report: VerificationReport, now: datetime, recipient: str | None
    ) -> None:
        self.loader = loader
        self.report = report
        self.now = now
        self.recipient = recipient
        self.sink = Sink(report)
        self.lenient = Sink(report, strict=False)
        self.rules = Rules(self.sink)
        self.fetcher = Fetcher(loader)
        self.fetch = self.fetcher.fetch
        self.get = self.fetcher.get

    # --- obtaining the Assertion -------------------------------------------------------

    def revoked_by_http(self, url: str, response: Response) -> None:
        reason = (response.document or {}).get("revocationReason")
        message = "the issuer revoked this badge (HTTP 410 Gone)"
        self.report.error("ob2.revoked", f"{message}: {reason}" if reason else message)
        self.report.subject.setdefault("id", url)
        self.report.subject["revoked"] = True

    def from_url(self, url: str) -> None:
        self.report.form = "hosted"
        try:
            response = self.get(url)
        except LoaderError as exc:
            self.report.error("ob2.fetch", f"cannot fetch the Assertion: {exc}")
            return
        if response.status == 410:
            self.revoked_by_http(url, response)
            return
        assertion = self.fetch(url, "Assertion", self.sink, "id")
        if assertion is not None:
            self.check(assertion, token=None)

    def is_ob1(self, assertion: Json) -> bool:
        """OB 1.0 (``uid``, no context, Unix dates) is recognised and refused as such."""
        if names_ob2_context(assertion) or "uid" not in assertion:
            return False
        self.report.error(
            "ob2.version",
            "this is an Open Badges 1.0 assertion; only 2.0 and 3.0 badges are verified",
        )
        return True

    def from_json(self, document: Json) -> None:
        if self.is_ob1(document):
            return
        kind = verification_kind(document)
        self.report.form = kind or "json"
        if kind == "hosted" and is_http(document.get("id")):
            url = document["id"]
            try:
                response = self.get(url)
            except LoaderError as exc:
                self.report.error("ob2.fetch", f"cannot fetch the hosted Assertion: {exc}", "id")
                self.check(document, token=None)
                return
            if response.status == 410:
                self.revoked_by_http(url, response)
                return
            hosted = self.fetch(url, "Assertion", self.sink, "id")
            if hosted is None:
                self.check(document, token=None)
                return
            if hosted != document:
                self.report.warn(
                    "ob2.hosted-differs",
                    "this copy differs from the Assertion hosted at its id; "
                    "the hosted one was verified",
                )
            self.check(hosted, token=None)
            return
        if kind == "hosted":
            self.report.error("ob2.value", "a hosted Assertion's id must be its http(s) URL", "id")
        elif kind == "signed":
            self.report.error(
                "ob2.signature",
                "a signed badge must be verified from its JWS; this JSON carries no signature",
            )
        self.check(document, token=None)

    def from_jws(self, token: str) -> None:
        self.report.form = "signed"
        parsed = jws.parse(token)
        if verification_kind(parsed.payload) != "signed":
            self.report.error(
                "ob2.value",
                "a JWS-signed Assertion must declare SignedBadge verification",
                "verification.type",
            )
        self.check(parsed.payload, token=token)

    # --- the checks --------------------------------------------------------------------

    def check(self, assertion: Json, token: str | None) -> None:
        if self.is_ob1(assertion):
            return
        self.rules.assertion(assertion)
        self.rules.unmapped_terms(assertion)
        badge = self.badge_class(assertion)
        issuer = self.issuer(badge, signed=token is not None) if badge else None
        self.summarise(assertion, badge, issuer)
        if issuer is not None:
            if token is None and verification_kind(assertion) == "hosted":
                self.check_origins(assertion, badge or {}, issuer)
            if token is not None:
                self.check_signature(token, assertion, issuer)
            self.check_revocation_list(assertion, issuer)
        if assertion.get("revoked") is True:
            reason = assertion.get("revocationReason")
            message = "the Assertion says it is revoked"
            self.report.error("ob2.revoked", f"{message}: {reason}" if reason else message)
            self.report.subject["revoked"] = True
        self.check_dates(assertion)
        self.check_recipient(assertion)
        endorsements = EndorsementCheck(self.fetcher, self.report)
        endorsements.check_all(assertion, "")
        if badge is not None:
            endorsements.check_all(badge, "badge.")
        if issuer is not None:
            endorsements.check_all(issuer, "badge.issuer.")

    def badge_class(self, assertion: Json) -> Json | None:
        value = assertion.get("badge")
        if isinstance(value, str):
            badge = self.fetch(value, "BadgeClass", self.sink, "badge")
            if badge is not None:
                self.rules.fetched(badge, "badge")
        else:
            badge = _mapping(value)
        if badge is not None:
            self.rules.badge_class(badge, "badge")
        return badge

    def issuer(self, badge: Json, *, signed: bool) -> Json | None:
        """The issuer Profile; for signed badges always the one hosted at its id.

        A signed payload could embed a forged Profile listing the forger's key, so the
        key binding must be checked against the Profile the issuer itself serves.
        """
        value = badge.get("issuer")
        url = node_id(value)
        if isinstance(value, str) or (signed and is_http(url)):
            issuer = self.fetch(url or "", "issuer Profile", self.sink, "badge.issuer")
            if issuer is not None:
                self.rules.fetched(issuer, "badge.issuer")
        else:
            issuer = _mapping(value)
        if issuer is not None:
            self.rules.profile(issuer, "badge.issuer")
        return issuer

    def summarise(self, assertion: Json, badge: Json | None, issuer: Json | None) -> None:
        recipient = _mapping(assertion.get("recipient")) or {}
        summary = {
            "id": assertion.get("id"),
            "type": "Assertion",
            "badgeId": node_id(assertion.get("badge")),
            "badgeName": (badge or {}).get("name"),
            "issuerId": node_id((badge or {}).get("issuer")),
            "issuerName": (issuer or {}).get("name"),
            "issuedOn": assertion.get("issuedOn"),
            "expires": assertion.get("expires"),
            "recipientType": recipient.get("type"),
        }
        self.report.subject.update({k: v for k, v in summary.items() if v is not None})

    def check_origins(self, assertion: Json, badge: Json, issuer: Json) -> None:
        if not is_http(issuer.get("id")):
            self.report.error(
                "ob2.origin", "a hosted badge's issuer Profile id must be an http(s) URL"
            )
            return
        for what, path, url in (
            ("Assertion", "id", assertion.get("id")),
            ("BadgeClass", "badge.id", badge.get("id")),
        ):
            if is_http(url) and not hosted_by_issuer(url, issuer):
                self.report.error(
                    "ob2.origin",
                    f"the hosted {what} {url} is not on an origin its issuer "
                    f"({issuer['id']}) allows",
                    path,
                )

    def check_signature(self, token: str, assertion: Json, issuer: Json) -> None:
        verification = next((v for v in as_list(verification_of(assertion)) if _mapping(v)), {})
        creator = verification.get("creator")
        listed = {node_id(k): k for k in as_list(issuer.get("publicKey")) if node_id(k)}
        if creator is not None and (not isinstance(creator, str) or creator not in listed):
            self.report.error(
                "ob2.key-unknown",
                f"the signing key {creator} is not listed in the issuer Profile's publicKey",
                "verification.creator",
            )
            return
        candidates = [creator] if creator else list(listed)
        if not candidates:
            self.report.error("ob2.key-unknown", "the issuer Profile lists no publicKey")
            return
        problems: list[str] = []
        for key_id in candidates:
            key = _mapping(listed[key_id])
            if key is None or "publicKeyPem" not in key:
                key = self.fetch(key_id, "CryptographicKey", self.sink, "verification.creator")
                if key is None:
                    continue
                self.rules.fetched(key, "verification.creator")
            self.rules.key(key, "verification.creator")
            if key.get("owner") != issuer.get("id"):
                self.report.error(
                    "ob2.key-unknown",
                    f"the key {key_id} names {key.get('owner')!r} as owner, not the issuer",
                    "verification.creator",
                )
                return
            try:
                jws.verify(token, str(key.get("publicKeyPem", "")))
            except jws.JwsError as exc:
                problems.append(str(exc))
                continue
            return
        detail = f": {problems[-1]}" if problems else ""
        self.report.error("ob2.signature", f"the signature does not verify{detail}")

    def check_revocation_list(self, assertion: Json, issuer: Json) -> None:
        # A list we cannot read proves nothing either way; say so without failing.
        path = "badge.issuer.revocationList"
        value = issuer.get("revocationList")
        url = node_id(value)
        if value is None:
            return
        if not url:
            self.lenient.error("ob2.value", "revocationList must be the list's URL", path)
            return
        revocations = self.fetch(url, "RevocationList", self.lenient, path)
        if revocations is None:
            return
        Rules(self.lenient).fetched(revocations, path)
        Rules(self.lenient).revocation_list(revocations, path)
        ids = {
            value for value in (assertion.get("id"), assertion.get("uid")) if isinstance(value, str)
        }
        for entry in as_list(revocations.get("revokedAssertions")):
            if isinstance(entry, str):
                named, reason = {entry}, None
            elif isinstance(entry, Mapping):
                named = {v for v in (entry.get("id"), entry.get("uid")) if isinstance(v, str)}
                reason = entry.get("revocationReason")
            else:
                continue
            if named & ids:
                message = "the issuer's RevocationList revokes this Assertion"
                self.report.error("ob2.revoked", f"{message}: {reason}" if reason else message)
                self.report.subject["revoked"] = True
                return

    def check_dates(self, assertion: Json) -> None:
        issued = self.parsed(assertion, "issuedOn")
        expires = self.parsed(assertion, "expires")
        if expires is not None and expires <= self.now:
            self.report.error("ob2.expired", f"the badge expired on {assertion['expires']}")
        if issued is not None and issued > self.now:
            self.report.warn("ob2.future", f"the badge is issued in the future ({issued})")

    @staticmethod
    def parsed(node: Json, key: str) -> datetime | None:
        try:
            return parse_datetime(node[key]) if node.get(key) is not None else None
        except DateTimeError:
            return None  # already reported by the shape rules

    def check_recipient(self, assertion: Json) -> None:
        if self.recipient is None:
            return
        recipient = _mapping(assertion.get("recipient"))
        try:
            matches = recipient is not None and recipient_matches(recipient, self.recipient)
        except IdentityHashError:
            return  # the malformed hash is already reported by the shape rules
        if not matches:
            self.report.error(
                "ob2.recipient", "the badge was not awarded to the given recipient", "recipient"
            )


def verify_ob2(
    data: str | Mapping[str, Any],
    loader: Loader,
    report: VerificationReport,
    *,
    recipient: str | None = None,
    now: datetime | None = None,
) -> VerificationReport:
    """Verify an OB 2.0 Assertion given as a dict, a compact JWS or its hosted URL.

    Findings go into ``report``, which is returned. :class:`UnusableInput` is raised only
    when ``data`` is no Assertion at all (an unsigned or malformed JWS, a string that is
    neither a JWS nor a URL).
    """
    report.version = "2.0"
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    run = _Verification(loader, report, moment, recipient)
    if isinstance(data, Mapping):
        run.from_json(dict(data))
    elif jws.is_compact_jws(data):
        run.from_jws(data.strip())
    elif is_http(data.strip()):
        run.from_url(data.strip())
    else:
        raise UnusableInput("not an Open Badges 2.0 Assertion: expected JSON, a JWS or a URL")
    return report
