"""Open Badges 3.0 credentials with an embedded Data Integrity proof, and the keys behind it.

Many wallets and verifiers (the Digital Credentials Consortium's, Digital Bazaar's) read a
credential secured by a proof inside it rather than by a VC-JWT around it. Chemins
serves both forms of each OpenBadgeCredential and EndorsementCredential: the VC-JWT
signed at award time, and on request the same credential with an ``eddsa-rdfc-2022``
``DataIntegrityProof`` (docs/decisions/0024-embedded-proofs-issued.md says why on request).

The key is named ``<profile id>#<publicKeyMultibase>``: a fragment of the issuer's own
Profile document, which lists the community's Ed25519 keys as Multikeys under
``verificationMethod`` and ``assertionMethod`` (a controller document, W3C Controlled
Identifiers). That is what a verifier needs to accept the key as the issuer's: the URL
is on the issuer's origin and the document it names is the issuer profile itself, which
no other community's profile can list a key in.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from badges.models import Assertion, Endorsement, Profile, SigningKey
from badges.openbadges import data_integrity, vc_jwt
from badges.publishing import ob3 as ob3_docs
from badges.publishing.public_urls import PublicUrls
from badges.recognition import signing_keys
from badges.storage.sealing import Sealer

Json = dict[str, Any]

MULTIKEY = "Multikey"

#: The registered JWT claims the VC-JWT payload adds to the credential (RFC 7519 §4.1).
#: They are no credential members (no JSON-LD context defines them), so the secured
#: form leaves them out: canonicalisation would refuse them.
JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})


def verification_method(urls: PublicUrls, profile: Profile, key: SigningKey) -> str:
    """The URL of ``key`` as ``profile``'s verification method: a fragment of its id."""
    return f"{urls.ob3_profile(profile.id)}#{key.kid}"


def controller_members(session: Session, urls: PublicUrls, profile: Profile) -> Json:
    """``verificationMethod`` and ``assertionMethod`` of ``profile`` as a controller document.

    Every Ed25519 key of the profile's community, active and retired (a proof made
    before a rotation keeps verifying), each a Multikey this profile controls. Empty
    while the community has signed no proof yet.
    """
    controller = urls.ob3_profile(profile.id)
    methods = [
        {
            "id": verification_method(urls, profile, key),
            "type": MULTIKEY,
            "controller": controller,
            "publicKeyMultibase": key.kid,
        }
        for key in signing_keys.proof_keys(session, profile.community)
    ]
    if not methods:
        return {}
    return {"verificationMethod": methods, "assertionMethod": [m["id"] for m in methods]}


def profile_document(session: Session, urls: PublicUrls, profile: Profile) -> Json:
    """The Profile served at its id, with the keys it vouches for (see the module doc)."""
    return {
        **ob3_docs.profile_document(urls, profile),
        **controller_members(session, urls, profile),
    }


def _secured(
    session: Session, urls: PublicUrls, sealer: Sealer, document: Json, issuer: Profile
) -> Json:
    """``document`` signed with the active Ed25519 key of ``issuer``'s community.

    ``created`` is the credential's ``validFrom`` (its issuance), and Ed25519 signatures
    are deterministic, so the same credential always gets the same bytes until the
    community's key is rotated.
    """
    key = signing_keys.ensure_proof_key(session, sealer, issuer.community)
    return data_integrity.sign_eddsa_rdfc_2022(
        document,
        signing_keys.proof_private_key(sealer, key),
        verification_method(urls, issuer, key),
        document["validFrom"],
    )


def _endorser(session: Session, urls: PublicUrls, credential: Json) -> Profile | None:
    """The profile of ours that issued ``credential`` (an EndorsementCredential)."""
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    prefix = urls.ob3_profile("")
    if not isinstance(issuer_id, str) or not issuer_id.startswith(prefix):
        return None
    return session.get(Profile, issuer_id[len(prefix) :])


def _endorsements_secured(session: Session, urls: PublicUrls, sealer: Sealer, node: Any) -> Any:
    """``node`` with each ``endorsementJwt`` entry turned into a secured ``endorsement``.

    The OB 3.0 context (3.0.3) defines ``endorsement`` but not ``endorsementJwt``, so a
    credential listing VC-JWT endorsements cannot be canonicalised: in this form each
    endorsement is embedded as the EndorsementCredential it carries, with a proof of
    its own by the endorser's community key (what Data Integrity wallets read).
    """
    if isinstance(node, list):
        return [_endorsements_secured(session, urls, sealer, item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {
        name: _endorsements_secured(session, urls, sealer, value)
        for name, value in node.items()
        if name != "endorsementJwt"
    }
    embedded = list(result.get("endorsement") or [])
    for token in node.get("endorsementJwt") or []:
        credential = carried_credential(token)
        endorser = _endorser(session, urls, credential)
        if endorser is not None:  # every endorsement we list is one of ours
            embedded.append(_secured(session, urls, sealer, credential, endorser))
    if embedded:
        result["endorsement"] = embedded
    return result


def carried_credential(token: str) -> Json:
    """The credential a VC-JWT carries, without the JWT's own claims.

    Read from the signed payload rather than rebuilt, so both forms state the same.
    """
    payload = vc_jwt.parse(token).payload
    return {name: value for name, value in payload.items() if name not in JWT_CLAIMS}


def secured_credential(
    session: Session, urls: PublicUrls, sealer: Sealer, assertion: Assertion
) -> Json:
    """The award's OpenBadgeCredential with an ``eddsa-rdfc-2022`` proof."""
    document = _endorsements_secured(
        session, urls, sealer, carried_credential(assertion.ob3_jwt or "")
    )
    return _secured(session, urls, sealer, document, assertion.badge_class.issuer)


def secured_endorsement(
    session: Session,
    urls: PublicUrls,
    sealer: Sealer,
    endorsement: Endorsement,
    token: str | None = None,
) -> Json:
    """The EndorsementCredential with an ``eddsa-rdfc-2022`` proof.

    ``token`` is the endorsement's VC-JWT when it has one: its credential is the one
    secured, so both forms state the same. Its issuer is the endorser's profile, hosted
    by the endorsement's community: the community signs for the profiles it hosts, as it
    does for their VC-JWTs.
    """
    if token:
        document = carried_credential(token)
    else:
        document = ob3_docs.endorsement_credential(urls, endorsement)
    return _secured(session, urls, sealer, document, endorsement.endorser)
