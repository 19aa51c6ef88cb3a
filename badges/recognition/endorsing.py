"""Endorsing: a profile (a partner, a peer, a trainer) vouches for a badge class, an award
or a profile.

This is the minimal form the hosted documents and the demo need: an endorsement with
a comment, published at once. Invitations of partners and the review of endorsement
requests build on these functions.

An endorsement is an OB 3.0 EndorsementCredential, signed as a VC-JWT like an award
(decision 0023): the endorser's profile is its issuer, and the community that hosts that
profile signs with its badge key, under the profile's own key set. Given the
``runtime``, an endorsement is signed when it is made, and the credentials that list it
(the endorsed award, or every current award of the endorsed badge class) are signed
again so that their ``endorsementJwt`` says it; one made without (or before 0012) is
signed the first time it is served or its badge class awarded
(:func:`badges.recognition.endorsement_credentials.signed`).

Endorsing your own badge says nothing about it: an award is refused an endorsement from
the profile of the person who holds it (:func:`badges.roles.may_endorse`, comparing the
profile's ``person_id`` with the award's ``recipient_person_id``), and a profile one
from itself or from its own person.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from badges.models import Assertion, BadgeClass, Endorsement, Profile
from badges.publishing.public_urls import PublicUrls
from badges.recognition import awarding
from badges.recognition.endorsement_credentials import signed
from badges.roles import may_endorse
from badges.storage.runtime import Runtime


class EndorsementRefused(ValueError):
    """The endorsement cannot be made (no comment, another community's profile, or the
    endorser's own badge or profile)."""


def _endorse(
    session: Session,
    community_id: str,
    subject: InstrumentedAttribute[str | None],
    subject_id: str,
    endorser: Profile,
    comment: str,
    runtime: Runtime | None,
) -> Endorsement:
    """``endorser`` vouches for the row ``subject_id`` that the ``subject`` column names."""
    comment = comment.strip()
    if not comment:
        raise EndorsementRefused("an endorsement needs a comment")
    if endorser.community_id != community_id:
        raise EndorsementRefused("the endorser belongs to another community")
    existing = session.scalars(
        select(Endorsement).where(
            subject == subject_id,
            Endorsement.endorser_id == endorser.id,
            Endorsement.revoked_at.is_(None),
        )
    ).first()
    if existing is not None:
        # A retried submission, or a second click: one endorser vouches once.
        return existing
    endorsement = Endorsement(
        community_id=community_id,
        endorser_id=endorser.id,
        comment=comment,
        **{subject.key: subject_id},
    )
    session.add(endorsement)
    session.flush()
    if runtime is not None:
        signed(session, runtime.sealer, PublicUrls(runtime.instance.origin), endorsement)
        awarding.sign_again(session, runtime, _listing(session, endorsement))
    return endorsement


def _listing(session: Session, endorsement: Endorsement) -> list[Assertion]:
    """The current awards whose credential lists ``endorsement`` (directly or through
    their Achievement)."""
    if endorsement.assertion_id is not None:
        award = session.get(Assertion, endorsement.assertion_id)
        return [award] if award is not None and not award.revoked else []
    if endorsement.badge_class_id is not None:
        return list(
            session.scalars(
                select(Assertion).where(
                    Assertion.badge_class_id == endorsement.badge_class_id,
                    Assertion.revoked_at.is_(None),
                    Assertion.ob3_jwt.is_not(None),
                )
            )
        )
    return []


def endorse_badge_class(
    session: Session,
    badge_class: BadgeClass,
    endorser: Profile,
    comment: str,
    *,
    runtime: Runtime | None = None,
) -> Endorsement:
    """``endorser`` (typically a partner organisation) vouches for what the badge means."""
    return _endorse(
        session,
        badge_class.community_id,
        Endorsement.badge_class_id,
        badge_class.id,
        endorser,
        comment,
        runtime,
    )


def endorse_assertion(
    session: Session,
    assertion: Assertion,
    endorser: Profile,
    comment: str,
    *,
    runtime: Runtime | None = None,
) -> Endorsement:
    """``endorser`` (a peer, a trainer, an internship host) vouches for one person's award.

    Refused when ``endorser`` is the profile of the person who holds the award.
    """
    if not may_endorse(endorser.person_id, assertion.recipient_person_id):
        raise EndorsementRefused("no one can endorse their own badge")
    return _endorse(
        session,
        assertion.badge_class.community_id,
        Endorsement.assertion_id,
        assertion.id,
        endorser,
        comment,
        runtime,
    )


def endorse_profile(
    session: Session,
    profile: Profile,
    endorser: Profile,
    comment: str,
    *,
    runtime: Runtime | None = None,
) -> Endorsement:
    """``endorser`` vouches for a profile (a partner for a member, a community for a partner).

    Refused when ``endorser`` is that profile, or speaks for the same person.
    """
    if endorser.id == profile.id or not may_endorse(endorser.person_id, profile.person_id):
        raise EndorsementRefused("no one can endorse their own profile")
    return _endorse(
        session,
        profile.community_id,
        Endorsement.profile_id,
        profile.id,
        endorser,
        comment,
        runtime,
    )


def endorsements_shown_with(session: Session, assertion: Assertion) -> list[Endorsement]:
    """The current endorsements of an award and of its badge class, oldest first."""
    return list(
        session.scalars(
            select(Endorsement)
            .where(
                Endorsement.revoked_at.is_(None),
                or_(
                    Endorsement.badge_class_id == assertion.badge_class_id,
                    Endorsement.assertion_id == assertion.id,
                ),
            )
            .order_by(Endorsement.issued_on)
        )
    )
