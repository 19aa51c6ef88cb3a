"""Open Badges 2.0 documents of our rows: issuer profiles, badge classes, assertions,
endorsements, the revocation list and the key documents.

A hosted assertion's ``id`` is the URL that serves it; the signed form of the same award
uses ``urn:uuid:<assertion id>`` (the spec's recommendation for signed badges) and names
the key that signed it. Both forms are listed in the revocation list when revoked, so
whichever a verifier holds, it learns of the revocation.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from badges.models import Assertion, BadgeClass, Community, Endorsement, Profile, SigningKey
from badges.openbadges import ob2
from badges.publishing import evidence_url, public_evidence
from badges.publishing.public_urls import PublicUrls
from badges.recognition import signing_keys
from badges.recognition.badge_classes import credited_author, family_members

Json = dict[str, Any]

# OB 2.0 has no identity type for an LMS account; "id" is the generic one the reference
# validator knows. The identity is "<platform issuer>#<sub>", hashed like an e-mail.
LTI_IDENTITY_TYPE = "id"


def signed_assertion_id(assertion: Assertion) -> str:
    return f"urn:uuid:{assertion.id}"


def recipient_identity(assertion: Assertion) -> tuple[str, str]:
    """(OB 2.0 identity type, plain identity) of the recipient: e-mail, else the LTI user."""
    if assertion.recipient_email:
        return "email", assertion.recipient_email.strip().lower()
    if assertion.recipient_lti_sub and assertion.recipient_lti_issuer:
        return LTI_IDENTITY_TYPE, f"{assertion.recipient_lti_issuer}#{assertion.recipient_lti_sub}"
    raise ValueError("an assertion needs a recipient e-mail or an LTI user")


def _endorsements_of(
    session: Session, subject: InstrumentedAttribute[str | None], subject_id: str
) -> list[Endorsement]:
    """The current endorsements whose ``subject`` column (``Endorsement.assertion_id``...)
    names ``subject_id``, oldest first."""
    return list(
        session.scalars(
            select(Endorsement)
            .where(subject == subject_id, Endorsement.revoked_at.is_(None))
            .order_by(Endorsement.issued_on)
        )
    )


def issuer_profile(session: Session, urls: PublicUrls, profile: Profile) -> Json:
    """A community's issuer profile (with its keys and revocation list), or a partner's."""
    is_issuer = profile.kind == "issuer"
    community = session.get(Community, profile.community_id)
    keys = signing_keys.community_keys(session, community) if is_issuer and community else []
    return ob2.issuer_profile(
        id=urls.ob2_issuer(profile.id),
        name=profile.name,
        url=profile.url,
        email=profile.email or "",
        description=profile.description,
        public_key=[urls.ob2_key(key.kid) for key in keys],
        revocation_list=urls.ob2_revocations(profile.community_id) if is_issuer else None,
        endorsement=[
            urls.ob2_endorsement(e.id)
            for e in _endorsements_of(session, Endorsement.profile_id, profile.id)
        ],
    )


def _badge_image(urls: PublicUrls, badge: BadgeClass) -> str | Json:
    """The image's URL; an Image naming its ``author`` for a member-created badge.

    OB 2.0's BadgeClass has no creator: the image's author is the one place the
    vocabulary names who made a badge, and a member who proposed a badge made its
    picture too (docs/decisions/0028).
    """
    author = credited_author(badge)
    if author is None:
        return urls.badge_image(badge.id)
    return ob2.image_object(id=urls.badge_image(badge.id), author=urls.ob2_issuer(author.id))


def badge_class(session: Session, urls: PublicUrls, badge: BadgeClass) -> Json:
    """The BadgeClass, linking its image, issuer, alignments, endorsements and levels."""
    return ob2.badge_class(
        id=urls.ob2_badge(badge.id),
        name=badge.name,
        description=badge.description,
        image=_badge_image(urls, badge),
        criteria=ob2.criteria(narrative=badge.criteria_narrative),
        issuer=urls.ob2_issuer(badge.issuer_id),
        alignment=[
            ob2.alignment(
                target_name=a.target_name,
                target_url=a.target_url,
                target_description=a.target_description,
                target_framework=a.target_framework,
                target_code=a.target_code,
            )
            for a in badge.alignments
        ],
        tags=badge.tags or (),
        endorsement=[
            urls.ob2_endorsement(e.id)
            for e in _endorsements_of(session, Endorsement.badge_class_id, badge.id)
        ],
        related=[urls.ob2_badge(other.id) for other in family_members(session, badge)]
        + [urls.ob3_achievement(badge.id)],
    )


def _evidence(urls: PublicUrls, assertion: Assertion) -> list[Json]:
    return [
        ob2.evidence(id=evidence_url(urls, e), narrative=e.narrative, name=e.name, genre=e.genre)
        for e in public_evidence(assertion)
    ]


def _assertion(
    urls: PublicUrls, assertion: Assertion, id: str, verification: Json, endorsements: list[str]
) -> Json:
    identity_type, identity = recipient_identity(assertion)
    return ob2.assertion(
        id=id,
        recipient=ob2.recipient_identity(
            identity=identity, type=identity_type, salt=assertion.recipient_salt
        ),
        badge=urls.ob2_badge(assertion.badge_class_id),
        verification=verification,
        issued_on=assertion.issued_on,
        expires=assertion.expires,
        evidence=_evidence(urls, assertion),
        narrative=assertion.narrative,
        image=urls.badge_image(assertion.badge_class_id),
        endorsement=endorsements,
    )


def hosted_assertion(session: Session, urls: PublicUrls, assertion: Assertion) -> Json:
    """The hosted Assertion served at its own URL, with the endorsements it has today."""
    endorsements = [
        urls.ob2_endorsement(e.id)
        for e in _endorsements_of(session, Endorsement.assertion_id, assertion.id)
    ]
    return _assertion(
        urls,
        assertion,
        urls.ob2_assertion(assertion.id),
        ob2.hosted_verification(),
        endorsements,
    )


def signed_assertion(urls: PublicUrls, assertion: Assertion, key: SigningKey) -> Json:
    """The payload of the signed (JWS) form: ``urn:uuid`` id, verified by ``key``.

    It is signed once, at issue time, so it carries no endorsements (they come later and
    are found through the hosted badge class and assertion).
    """
    return _assertion(
        urls,
        assertion,
        signed_assertion_id(assertion),
        ob2.signed_verification(creator=urls.ob2_key(key.kid)),
        [],
    )


def revoked_assertion(urls: PublicUrls, assertion: Assertion) -> Json:
    """The body served with HTTP 410 at a revoked assertion's hosted URL."""
    return ob2.revoked_assertion(
        id=urls.ob2_assertion(assertion.id), reason=assertion.revocation_reason
    )


def endorsement_subject_url(urls: PublicUrls, endorsement: Endorsement) -> str:
    """The OB 2.0 id of what ``endorsement`` vouches for (exactly one subject is set)."""
    if endorsement.assertion_id is not None:
        return urls.ob2_assertion(endorsement.assertion_id)
    if endorsement.badge_class_id is not None:
        return urls.ob2_badge(endorsement.badge_class_id)
    if endorsement.profile_id is not None:
        return urls.ob2_issuer(endorsement.profile_id)
    raise ValueError("an endorsement needs a subject")


def endorsement(urls: PublicUrls, endorsement: Endorsement) -> Json:
    """An Endorsement (or, once withdrawn, the revoked form naming only the endorser)."""
    if endorsement.revoked:
        return ob2.revoked_endorsement(
            id=urls.ob2_endorsement(endorsement.id),
            issuer=urls.ob2_issuer(endorsement.endorser_id),
            reason=endorsement.revocation_reason,
        )
    return ob2.endorsement(
        id=urls.ob2_endorsement(endorsement.id),
        claim_id=endorsement_subject_url(urls, endorsement),
        endorsement_comment=endorsement.comment,
        issuer=urls.ob2_issuer(endorsement.endorser_id),
        issued_on=endorsement.issued_on,
    )


def revoked_assertions(session: Session, community: Community) -> list[Assertion]:
    return list(
        session.scalars(
            select(Assertion)
            .join(BadgeClass, Assertion.badge_class_id == BadgeClass.id)
            .where(BadgeClass.community_id == community.id, Assertion.revoked_at.is_not(None))
            .order_by(Assertion.revoked_at)
        )
    )


def revocation_list(session: Session, urls: PublicUrls, community: Community) -> Json:
    """The community's RevocationList: each revoked award under both of its ids."""
    revoked: dict[str, str | None] = {}
    for assertion in revoked_assertions(session, community):
        revoked[signed_assertion_id(assertion)] = assertion.revocation_reason
        revoked[urls.ob2_assertion(assertion.id)] = assertion.revocation_reason
    return ob2.revocation_list(
        id=urls.ob2_revocations(community.id),
        issuer=urls.ob2_issuer(community.issuer.id),
        revoked=revoked,
    )


def cryptographic_key(session: Session, urls: PublicUrls, key: SigningKey) -> Json | None:
    """The key document, owned by its community's issuer profile (None for the LTI key)."""
    if key.community_id is None:
        return None
    community = session.get(Community, key.community_id)
    if community is None:
        return None
    return ob2.cryptographic_key(
        id=urls.ob2_key(key.kid),
        owner=urls.ob2_issuer(community.issuer.id),
        public_key_pem=key.public_key_pem,
    )
