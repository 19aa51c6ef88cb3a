"""Endorsements as OB 3.0 EndorsementCredentials: signed once, as a VC-JWT, and kept.

The endorser (a partner, a peer) holds no key of their own: the community that hosts
their profile signs for them with its badge key, and lists that key in the profile's
own key set (``/ob/v3/profiles/<id>/jwks.json``) with the profile as ``iss``, so the
signature says "this community vouches that this profile said this", and verifies for
that profile alone. The token is stored on the row: every reader gets the same bytes,
and a credential that lists the endorsement (``endorsementJwt``) carries those bytes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from badges.models import Community, Endorsement
from badges.openbadges import jwks, vc_jwt
from badges.publishing import ob3 as ob3_docs
from badges.publishing.public_urls import PublicUrls
from badges.recognition import signing_keys
from badges.storage.sealing import Sealer


def signed(session: Session, sealer: Sealer, urls: PublicUrls, endorsement: Endorsement) -> str:
    """The endorsement's VC-JWT, signed and stored now if it was not yet.

    Signed with the active badge key of the endorsement's community, the ``kid`` pointing
    at the endorser profile's key set, where that key is listed for that profile alone.
    Stored on the row, so every later reader gets the same bytes.
    """
    if endorsement.ob3_jwt:
        return endorsement.ob3_jwt
    community = session.get(Community, endorsement.community_id)
    if community is None:  # pragma: no cover - a foreign key holds it
        raise LookupError("the endorsement has no community")
    key = signing_keys.ensure_badge_key(session, sealer, community)
    private = signing_keys.private_key(sealer, key)
    kid = jwks.kid_uri(urls.ob3_profile_jwks(endorsement.endorser_id), private)
    credential = ob3_docs.endorsement_credential(urls, endorsement)
    endorsement.ob3_jwt = vc_jwt.sign_credential(credential, private, kid=kid)
    session.flush()
    return endorsement.ob3_jwt


def sign_pending(
    session: Session,
    sealer: Sealer,
    urls: PublicUrls,
    subject: InstrumentedAttribute[str | None],
    subject_id: str,
) -> None:
    """Sign the current endorsements of one subject that are not signed yet.

    Endorsements made before 0012, or without the instance at hand, are signed here
    before a credential that lists them is signed, so that it lists them all.
    """
    pending = session.scalars(
        select(Endorsement).where(
            subject == subject_id,
            Endorsement.revoked_at.is_(None),
            Endorsement.ob3_jwt.is_(None),
        )
    ).all()
    for endorsement in pending:
        signed(session, sealer, urls, endorsement)
