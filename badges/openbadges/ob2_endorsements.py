"""Endorsements linked from an OB 2.0 badge: fetched, checked, summarised, never fatal.

An Endorsement is a third party's claim about an Issuer, a BadgeClass or an Assertion
(a partner vouching for a badge class, an internship host for a learner's badge). It is
published after what it endorses and found through the ``endorsement`` links, one IRI
or embedded object, or many. Its faults are reported as warnings: a sloppy or withdrawn
endorsement must be shown as unverified, but it does not make the badge itself invalid.

Codes (all warnings): the shape codes of :mod:`badges.openbadges.ob2_rules`, plus

- ``ob2.endorsement-revoked``: the endorser withdrew it;
- ``ob2.endorsement-subject``: its ``claim.id`` names something other than the object
  that links to it (Moodle 4.3 stores an admin-typed URL there);
- ``ob2.endorsement-origin``: it is not hosted on its endorser's origin, so nothing ties
  it to the organisation it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from badges.openbadges.ob2_fetch import Fetcher, is_http
from badges.openbadges.ob2_hosting import same_origin
from badges.openbadges.ob2_rules import Rules, Sink, as_list, node_id
from badges.openbadges.report import VerificationReport

Json = dict[str, Any]


class EndorsementCheck:
    """Checks the endorsements of one badge's documents into one report."""

    def __init__(self, fetcher: Fetcher, report: VerificationReport) -> None:
        self.fetcher = fetcher
        self.report = report
        self.sink = Sink(report, strict=False)
        self.rules = Rules(self.sink)

    def check_all(self, node: Mapping[str, Any], path: str) -> None:
        """Every endorsement of ``node`` (an Assertion, BadgeClass or Profile)."""
        for index, item in enumerate(as_list(node.get("endorsement"))):
            where = f"{path}endorsement[{index}]"
            if isinstance(item, str):
                endorsement = self.fetcher.fetch(item, "Endorsement", self.sink, where)
                if endorsement is not None:
                    self.rules.fetched(endorsement, where)
            else:
                endorsement = dict(item) if isinstance(item, Mapping) else None
            if endorsement is None:
                continue
            self.rules.endorsement(endorsement, where)
            self.check_one(endorsement, node.get("id"), where)

    def endorser(self, endorsement: Json, where: str) -> Json:
        value = endorsement.get("issuer")
        if isinstance(value, str):
            profile = self.fetcher.fetch(value, "endorser Profile", self.sink, f"{where}.issuer")
            if profile is not None:
                self.rules.fetched(profile, f"{where}.issuer")
                self.rules.profile(profile, f"{where}.issuer")
            return profile or {"id": value}
        return dict(value) if isinstance(value, Mapping) else {}

    def check_one(self, endorsement: Json, endorsed_id: Any, where: str) -> None:
        if endorsement.get("revoked") is True:
            self.report.warn("ob2.endorsement-revoked", "this endorsement was withdrawn", where)
            return
        claim_id = node_id(endorsement.get("claim"))
        if claim_id and endorsed_id and claim_id != endorsed_id:
            self.report.warn(
                "ob2.endorsement-subject",
                f"the endorsement's claim is about {claim_id}, not {endorsed_id}",
                f"{where}.claim.id",
            )
        endorser = self.endorser(endorsement, where)
        endorser_id = endorser.get("id")
        if (
            is_http(endorsement.get("id"))
            and is_http(endorser_id)
            and not same_origin(endorsement["id"], endorser_id)
        ):
            self.report.warn(
                "ob2.endorsement-origin",
                "the endorsement is not hosted on its endorser's origin, so it proves nothing "
                "about the endorser",
                where,
            )
        claim = endorsement.get("claim")
        entry = {
            "id": endorsement.get("id"),
            "endorserName": endorser.get("name"),
            "comment": claim.get("endorsementComment") if isinstance(claim, Mapping) else None,
        }
        endorsements = self.report.subject.setdefault("endorsements", [])
        endorsements.append({k: v for k, v in entry.items() if v is not None})
