"""Checking one of our own badges the way an outside verifier would, without the network.

The badge page shows a verdict; it must be the verdict anyone else would reach, so it is
computed by the standards library's verifier on the stored signed forms (the OB 2.0 JWS
and the OB 3.0 VC-JWT), with a loader that answers our own URLs from the database
(:class:`badges.publishing.hosted.OwnDocuments`). A tampered row, a revoked award or an expired one
shows exactly as a verifier would report it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from badges.models import Assertion
from badges.openbadges.errors import UnusableInput
from badges.openbadges.report import VerificationReport
from badges.openbadges.verify import verify
from badges.publishing.hosted import OwnDocuments
from badges.publishing.public_urls import PublicUrls


@dataclass(frozen=True)
class Verdict:
    """The reports of both signed forms of one award, and what they add up to."""

    reports: list[tuple[str, VerificationReport]]

    @property
    def valid(self) -> bool:
        return bool(self.reports) and all(report.valid for _, report in self.reports)

    def _any(self, suffix: str) -> bool:
        return any(
            finding.code.endswith(suffix) for _, report in self.reports for finding in report.errors
        )

    @property
    def revoked(self) -> bool:
        return self._any("revoked")

    @property
    def expired(self) -> bool:
        return self._any("expired")


def _check(data: str | None, loader: OwnDocuments, now: datetime | None) -> VerificationReport:
    if not data:
        report = VerificationReport()
        report.error("chemins.unsigned", "this award has no signed form")
        return report
    try:
        return verify(data, loader, now=now)
    except UnusableInput as exc:
        report = VerificationReport()
        report.error("chemins.unusable", str(exc))
        return report


def verify_own(
    session: Session, urls: PublicUrls, assertion: Assertion, now: datetime | None = None
) -> Verdict:
    """Verify the stored OB 2.0 JWS and OB 3.0 VC-JWT of ``assertion``, offline."""
    loader = OwnDocuments(session, urls)
    return Verdict(
        [
            ("Open Badges 2.0", _check(assertion.ob2_jws, loader, now)),
            ("Open Badges 3.0", _check(assertion.ob3_jwt, loader, now)),
        ]
    )
