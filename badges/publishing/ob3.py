"""Open Badges 3.0 documents of our rows: Profile, Achievement, OpenBadgeCredential,
EndorsementCredential and the 1EdTech revocation list.

The credential embeds its Achievement and issuer Profile, because a wallet shows a
credential on its own, offline; the same Achievement and Profile are also served at
their ids. The credential is signed as a VC-JWT when the badge is awarded, and signed
again when someone endorses it or its badge class, so that the endorsements it lists
(``endorsementJwt``) are the current ones (decision 0023).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from badges.models import Assertion, BadgeClass, Community, Endorsement, Profile
from badges.openbadges import ob3, vcrl
from badges.publishing import evidence_url, public_evidence
from badges.publishing.ob2 import revoked_assertions
from badges.publishing.public_urls import PublicUrls
from badges.recognition.badge_classes import credited_author, family_members

Json = dict[str, Any]


def profile(urls: PublicUrls, profile: Profile) -> Json:
    return ob3.profile(
        urls.ob3_profile(profile.id),
        name=profile.name,
        url=profile.url,
        email=profile.email,
        description=profile.description,
    )


def profile_document(urls: PublicUrls, row: Profile) -> Json:
    """The Profile served at its id (with a JSON-LD context, unlike the embedded one)."""
    return {"@context": ob3.context_for(), **profile(urls, row)}


def achievement(session: Session, urls: PublicUrls, badge: BadgeClass) -> Json:
    return ob3.achievement(
        urls.ob3_achievement(badge.id),
        name=badge.name,
        description=badge.description,
        criteria=ob3.criteria(narrative=badge.criteria_narrative),
        image=ob3.image(urls.badge_image(badge.id), caption=badge.name),
        alignment=[
            ob3.alignment(
                a.target_name,
                a.target_url,
                target_code=a.target_code,
                target_description=a.target_description,
                target_framework=a.target_framework,
            )
            for a in badge.alignments
        ],
        # The member who proposed it, when they agreed to be named; else the community.
        creator=profile(urls, credited_author(badge) or badge.issuer),
        tag=badge.tags or (),
        in_language=badge.language,
        related=[ob3.related(urls.ob2_badge(badge.id), version="2.0")]
        + [ob3.related(urls.ob3_achievement(other.id)) for other in family_members(session, badge)],
        endorsement_jwt=signed_endorsements(session, Endorsement.badge_class_id, badge.id),
    )


def signed_endorsements(
    session: Session, subject: InstrumentedAttribute[str | None], subject_id: str
) -> list[str]:
    """The VC-JWTs of the current signed endorsements of one subject, oldest first.

    An OB 3.0 consumer sees endorsements where the endorsed object lists them
    (``endorsementJwt`` of an Achievement or a credential), as an OB 2.0 consumer does.
    """
    return list(
        session.scalars(
            select(Endorsement.ob3_jwt)
            .where(
                subject == subject_id,
                Endorsement.revoked_at.is_(None),
                Endorsement.ob3_jwt.is_not(None),
            )
            .order_by(Endorsement.issued_on, Endorsement.id)
        )
    )


def achievement_document(session: Session, urls: PublicUrls, badge: BadgeClass) -> Json:
    return {"@context": ob3.context_for(), **achievement(session, urls, badge)}


def credential(
    session: Session,
    urls: PublicUrls,
    assertion: Assertion,
    achievement_doc: Json | None = None,
    *,
    subject_key: bytes,
) -> Json:
    """The unsigned OpenBadgeCredential of an award (what the VC-JWT carries).

    ``achievement_doc`` lets a batch of awards of one badge class build its
    :func:`achievement` once. ``subject_key`` (:func:`ob3.subject_key` of the instance
    secret) gives the subject its per-issuer id, which the VC-JWT carries as ``sub``.
    """
    badge = assertion.badge_class
    recipient = {
        "email": assertion.recipient_email,
        "lti_user_id": assertion.recipient_lti_sub,
        "lti_platform_id": assertion.recipient_lti_issuer,
    }
    return ob3.open_badge_credential(
        urls.ob3_credential(assertion.id),
        issuer=profile(urls, badge.issuer),
        valid_from=assertion.issued_on,
        valid_until=assertion.expires,
        awarded_date=assertion.issued_on,
        name=badge.name,
        description=badge.description,
        image=ob3.image(urls.badge_image(badge.id), caption=badge.name),
        credential_subject=ob3.achievement_subject(
            achievement_doc or achievement(session, urls, badge),
            id=ob3.subject_id(subject_key, badge.issuer_id, **recipient),
            identifier=ob3.recipient_identifiers(**recipient, salt=assertion.recipient_salt),
        ),
        evidence=[
            ob3.evidence(
                id=evidence_url(urls, e), narrative=e.narrative, name=e.name, genre=e.genre
            )
            for e in public_evidence(assertion)
        ],
        credential_status=ob3.revocation_status(urls.ob3_revocations(badge.community_id)),
        endorsement_jwt=signed_endorsements(session, Endorsement.assertion_id, assertion.id),
    )


def endorsement_subject_url(urls: PublicUrls, endorsement: Endorsement) -> str:
    """The OB 3.0 id of what ``endorsement`` vouches for (exactly one subject is set)."""
    if endorsement.assertion_id is not None:
        return urls.ob3_credential(endorsement.assertion_id)
    if endorsement.badge_class_id is not None:
        return urls.ob3_achievement(endorsement.badge_class_id)
    if endorsement.profile_id is not None:
        return urls.ob3_profile(endorsement.profile_id)
    raise ValueError("an endorsement needs a subject")


def endorsement_credential(urls: PublicUrls, endorsement: Endorsement) -> Json:
    """The EndorsementCredential of an endorsement, before it is signed.

    The endorser holds no key: the community hosting their profile signs it
    (:mod:`badges.recognition.endorsement_credentials`).
    """
    endorser = endorsement.endorser
    return ob3.endorsement_credential(
        urls.ob3_endorsement(endorsement.id),
        issuer=profile(urls, endorser),
        name=f"Endorsement by {endorser.name}",
        valid_from=endorsement.issued_on,
        subject_id=endorsement_subject_url(urls, endorsement),
        comment=endorsement.comment,
    )


def revocation_list(session: Session, urls: PublicUrls, community: Community) -> Json:
    """The 1EdTech revocation list every credential of the community points to."""
    return vcrl.revocation_list(
        urls.ob3_revocations(community.id),
        urls.ob3_profile(community.issuer.id),
        [
            (urls.ob3_credential(a.id), a.revocation_reason)
            for a in revoked_assertions(session, community)
        ],
    )
