"""Endorsing: a profile (a partner, a peer, a trainer) vouches for a badge class or an award.

This is the minimal form the hosted documents and the demo need: an endorsement with
a comment, published at once. Invitations of partners and the review of endorsement
requests build on these two functions.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from badges.models import Assertion, BadgeClass, Endorsement, Profile


class EndorsementRefused(ValueError):
    """The endorsement cannot be made (no comment, or another community's profile)."""


def _endorse(
    session: Session, community_id: str, kind: str, subject_id: str, endorser: Profile, comment: str
) -> Endorsement:
    comment = comment.strip()
    if not comment:
        raise EndorsementRefused("an endorsement needs a comment")
    if endorser.community_id != community_id:
        raise EndorsementRefused("the endorser belongs to another community")
    existing = session.scalars(
        select(Endorsement).where(
            Endorsement.subject_kind == kind,
            Endorsement.subject_id == subject_id,
            Endorsement.endorser_id == endorser.id,
            Endorsement.revoked_at.is_(None),
        )
    ).first()
    if existing is not None:
        # A retried submission, or a second click: one endorser vouches once.
        return existing
    endorsement = Endorsement(
        community_id=community_id,
        subject_kind=kind,
        subject_id=subject_id,
        endorser_id=endorser.id,
        comment=comment,
    )
    session.add(endorsement)
    session.flush()
    return endorsement


def endorse_badge_class(
    session: Session, badge_class: BadgeClass, endorser: Profile, comment: str
) -> Endorsement:
    """``endorser`` (typically a partner organisation) vouches for what the badge means."""
    return _endorse(
        session, badge_class.community_id, "badge_class", badge_class.id, endorser, comment
    )


def endorse_assertion(
    session: Session, assertion: Assertion, endorser: Profile, comment: str
) -> Endorsement:
    """``endorser`` (a peer, a trainer, an internship host) vouches for one person's award."""
    return _endorse(
        session,
        assertion.badge_class.community_id,
        "assertion",
        assertion.id,
        endorser,
        comment,
    )


def endorsements_shown_with(session: Session, assertion: Assertion) -> list[Endorsement]:
    """The current endorsements of an award and of its badge class, oldest first."""
    return list(
        session.scalars(
            select(Endorsement)
            .where(
                Endorsement.revoked_at.is_(None),
                or_(
                    and_(
                        Endorsement.subject_kind == "badge_class",
                        Endorsement.subject_id == assertion.badge_class_id,
                    ),
                    and_(
                        Endorsement.subject_kind == "assertion",
                        Endorsement.subject_id == assertion.id,
                    ),
                ),
            )
            .order_by(Endorsement.issued_on)
        )
    )
