"""Our own badges verified offline: valid, tampered, revoked and expired, on both databases."""

from __future__ import annotations

from datetime import timedelta

from badges.models import Assertion, BadgeClass
from badges.models.columns import utcnow
from badges.publishing.public_urls import PublicUrls
from badges.publishing.verifying import verify_own
from badges.recognition.awarding import Recipient, award
from badges.recognition.revoking import revoke
from badges.storage.database import transaction

URLS = PublicUrls("https://chemins.test")


def _award(issuing, **details) -> str:
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        return award(
            session, issuing.runtime, badge, Recipient(email="n@example.org"), **details
        ).id


def test_a_fresh_award_verifies_in_both_standards(issuing) -> None:
    assertion_id = _award(issuing)
    with transaction(issuing.runtime.sessions) as session:
        verdict = verify_own(session, URLS, session.get(Assertion, assertion_id))
        assert verdict.valid and not verdict.revoked and not verdict.expired
        assert [label for label, _ in verdict.reports] == ["Open Badges 2.0", "Open Badges 3.0"]


def test_revoked_and_tampered_awards_do_not_verify(issuing) -> None:
    assertion_id = _award(issuing)
    with transaction(issuing.runtime.sessions) as session:
        assertion = session.get(Assertion, assertion_id)
        revoke(session, assertion, "Erreur")
    with transaction(issuing.runtime.sessions) as session:
        verdict = verify_own(session, URLS, session.get(Assertion, assertion_id))
        assert not verdict.valid and verdict.revoked
        assert all(not report.valid for _, report in verdict.reports)
    other = _award(issuing)
    with transaction(issuing.runtime.sessions) as session:
        assertion = session.get(Assertion, other)
        header, payload, signature = assertion.ob2_jws.split(".")
        assertion.ob2_jws = ".".join((header, payload, signature[:-4] + "AAAA"))
        verdict = verify_own(session, URLS, assertion)
        assert not verdict.valid and not verdict.revoked


def test_an_expired_award_is_reported_as_expired(issuing) -> None:
    issued = utcnow() - timedelta(days=30)
    assertion_id = _award(issuing, issued_on=issued, expires=issued + timedelta(days=1))
    with transaction(issuing.runtime.sessions) as session:
        verdict = verify_own(session, URLS, session.get(Assertion, assertion_id))
        assert verdict.expired and not verdict.valid


def test_an_archived_badges_awards_still_verify_and_its_drafts_never_do(issuing) -> None:
    """Archiving stops new awards, not the old ones: their badge class stays published."""
    assertion_id = _award(issuing)
    with transaction(issuing.runtime.sessions) as session:
        session.get(BadgeClass, issuing.badge_class_id).status = "archived"
    with transaction(issuing.runtime.sessions) as session:
        assert verify_own(session, URLS, session.get(Assertion, assertion_id)).valid
        session.get(BadgeClass, issuing.badge_class_id).status = "draft"
    with transaction(issuing.runtime.sessions) as session:
        assert not verify_own(session, URLS, session.get(Assertion, assertion_id)).valid
