"""What each public URL answers, computed from the database: one answer for two askers.

The web routes serve these documents to the world; the verification loader
(:class:`OwnDocuments`) hands the very same bytes to the verifier when Chemins checks one
of its own badges, without an HTTP request to itself. Keeping both on one function means
the badge page's verdict is the one an outside verifier would reach.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from badges.models import Assertion, BadgeClass, Community, Endorsement, Profile, SigningKey
from badges.openbadges import jwks as jwks_lib
from badges.openbadges import vc_jwt
from badges.openbadges.keys import load_public_key
from badges.openbadges.loader import Fetched, LoaderError
from badges.publishing import ob2 as ob2_docs
from badges.publishing import ob3 as ob3_docs
from badges.publishing import ob3_proofs
from badges.publishing.public_urls import PATHS, PublicUrls
from badges.recognition import endorsement_credentials, signing_keys
from badges.recognition.badge_classes import PUBLIC
from badges.storage.sealing import Sealer

# Kinds of body; the web layer picks the Content-Type from the kind and the Accept header.
JSON_LD = "json-ld"  # OB 2.0 and OB 3.0 JSON-LD documents
JSON = "json"  # plain JSON (the OB 3.0 revocation list has no JSON-LD context)
VC_JSON = "vc-json"  # an OB 3.0 credential as JSON
VC_JWT = "vc-jwt"  # an OB 3.0 credential as a VC-JWT
PNG = "png"
JWKS = "jwks"

MEDIA_TYPES = {
    JSON_LD: "application/ld+json",
    JSON: "application/json",
    VC_JSON: "application/vc+ld+json",
    VC_JWT: "application/vc+jwt",
    PNG: "image/png",
    JWKS: jwks_lib.JWKS_MEDIA_TYPE,
}


@dataclass(frozen=True)
class Hosted:
    """One answer: HTTP status, kind of body and the exact bytes."""

    status: int
    kind: str
    body: bytes

    @property
    def etag(self) -> str:
        """A strong validator: the same bytes always give the same tag."""
        return hashlib.sha256(self.body).hexdigest()[:32]

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


def _json(document: dict[str, Any], status: int = 200, kind: str = JSON_LD) -> Hosted:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Hosted(status, kind, body)


def _published_badge(session: Session, identifier: str) -> BadgeClass | None:
    badge = session.get(BadgeClass, identifier)
    return badge if badge is not None and badge.status in PUBLIC else None


def _issued(session: Session, identifier: str) -> Assertion | None:
    assertion = session.get(Assertion, identifier)
    return assertion if assertion is not None and assertion.ob3_jwt else None


def _assertion(session: Session, urls: PublicUrls, assertion: Assertion) -> Hosted:
    if assertion.revoked:
        return _json(ob2_docs.revoked_assertion(urls, assertion), status=410)
    return _json(ob2_docs.hosted_assertion(session, urls, assertion))


def _credential_json(assertion: Assertion) -> Hosted:
    # Exactly the signed payload, JWT claims (iss, jti, nbf, sub, exp) included, not a
    # rebuild that could drift from the VC-JWT: the reader sees every claim the proof makes.
    return _json(vc_jwt.parse(assertion.ob3_jwt or "").payload, kind=VC_JSON)


def _endorsement_token(
    session: Session, urls: PublicUrls, sealer: Sealer | None, endorsement: Endorsement
) -> str | None:
    """The endorsement's VC-JWT; one made before 0012 is signed (and kept) on first ask."""
    if endorsement.revoked:
        return None
    if endorsement.ob3_jwt or sealer is None:
        return endorsement.ob3_jwt
    return endorsement_credentials.signed(session, sealer, urls, endorsement)


def _endorsement_credential(
    session: Session, urls: PublicUrls, sealer: Sealer | None, endorsement: Endorsement
) -> Hosted | None:
    if endorsement.revoked:
        return None
    token = _endorsement_token(session, urls, sealer, endorsement)
    if token is None:  # not signed yet, and no key at hand to sign it: the bare credential
        return _json(ob3_docs.endorsement_credential(urls, endorsement))
    # Like an award's credential: exactly the signed payload, claims included.
    return _json(vc_jwt.parse(token).payload, kind=VC_JSON)


def _endorsement_jwt(
    session: Session, urls: PublicUrls, sealer: Sealer | None, endorsement: Endorsement
) -> Hosted | None:
    token = _endorsement_token(session, urls, sealer, endorsement)
    return None if token is None else Hosted(200, VC_JWT, token.encode("ascii"))


# The EndorsementCredential in its two forms; signed on first ask when the sealer is given.
ENDORSEMENT_FORMS = {
    "ob3_endorsement": _endorsement_credential,
    "ob3_endorsement_jwt": _endorsement_jwt,
}

# Routes with a VC-JWT form a client gets by asking for it (``Accept``), and that form.
JWT_FORMS = {"ob3_credential": "ob3_credential_jwt", "ob3_endorsement": "ob3_endorsement_jwt"}


def asks_for_jwt(accept: str) -> bool:
    """True when an ``Accept`` value names a JWT media type first (what verifiers send)."""
    first = accept.split(",", 1)[0].split(";", 1)[0].strip().lower()
    return first in ("application/vc+jwt", "application/jwt")


def _key(session: Session, urls: PublicUrls, key: SigningKey) -> Hosted | None:
    if key.purpose == signing_keys.PROOFS:
        return None  # an Ed25519 key is a Multikey of its profiles, not an OB 2.0 key
    document = ob2_docs.cryptographic_key(session, urls, key)
    return _json(document) if document else None


Find = Callable[[Session, str], Any]
Answer = Callable[[Session, PublicUrls, Any], "Hosted | None"]


def _get(model: type) -> Find:
    return lambda session, identifier: session.get(model, identifier)


# Route name → (find the row by id, answer for that row). A missing row is a 404.
ANSWERS: dict[str, tuple[Find, Answer]] = {
    "ob2_issuer": (_get(Profile), lambda s, u, p: _json(ob2_docs.issuer_profile(s, u, p))),
    "ob3_profile": (_get(Profile), lambda s, u, p: _json(ob3_proofs.profile_document(s, u, p))),
    "ob2_badge": (_published_badge, lambda s, u, b: _json(ob2_docs.badge_class(s, u, b))),
    "ob2_badge_image": (_published_badge, lambda s, u, b: Hosted(200, PNG, b.image_png)),
    "ob3_achievement": (
        _published_badge,
        lambda s, u, b: _json(ob3_docs.achievement_document(s, u, b)),
    ),
    "ob2_assertion": (_issued, _assertion),
    "ob3_credential": (_issued, lambda s, u, a: _credential_json(a)),
    "ob3_credential_jwt": (_issued, lambda s, u, a: Hosted(200, VC_JWT, a.ob3_jwt.encode())),
    "ob2_endorsement": (_get(Endorsement), lambda s, u, e: _json(ob2_docs.endorsement(u, e))),
    "ob2_revocations": (
        _get(Community),
        lambda s, u, c: _json(ob2_docs.revocation_list(s, u, c)),
    ),
    "ob3_revocations": (
        _get(Community),
        lambda s, u, c: _json(ob3_docs.revocation_list(s, u, c), kind=JSON),
    ),
    "ob2_key": (_get(SigningKey), _key),
    "ob3_profile_jwks": (_get(Profile), lambda s, u, p: profile_jwks(s, u, p)),
    "jwks": (lambda session, identifier: True, lambda s, u, _: jwks(s, u)),
}


Signed = Callable[[Session, PublicUrls, Sealer, Any], "Hosted | None"]


def _endorsement_ldp(
    session: Session, urls: PublicUrls, sealer: Sealer, endorsement: Endorsement
) -> Hosted | None:
    token = _endorsement_token(session, urls, sealer, endorsement)
    if token is None:  # revoked
        return None
    secured = ob3_proofs.secured_endorsement(session, urls, sealer, endorsement, token)
    return _json(secured, kind=VC_JSON)


# Answers signed on request with a community's sealed Ed25519 key: they need the sealer.
SIGNED_ANSWERS: dict[str, tuple[Find, Signed]] = {
    "ob3_credential_ldp": (
        _issued,
        lambda s, u, k, a: _json(ob3_proofs.secured_credential(s, u, k, a), kind=VC_JSON),
    ),
    "ob3_endorsement_ldp": (_get(Endorsement), _endorsement_ldp),
}


def lookup(
    session: Session,
    urls: PublicUrls,
    name: str,
    identifier: str,
    sealer: Sealer | None = None,
) -> Hosted | None:
    """The answer of the route ``name`` (a key of :data:`PATHS`) for ``identifier``.

    ``None`` means "no such document" (404). A revoked hosted assertion answers 410 with
    ``{id, revoked: true, revocationReason}``, as OB 2.0 hosted verification expects.
    The forms with an embedded proof (:data:`SIGNED_ANSWERS`) need the instance
    ``sealer`` to open the signing key; without it they are not found.
    """
    if name in ENDORSEMENT_FORMS:
        endorsement = session.get(Endorsement, identifier)
        if endorsement is None:
            return None
        return ENDORSEMENT_FORMS[name](session, urls, sealer, endorsement)
    if name in SIGNED_ANSWERS:
        if sealer is None:
            return None
        signed_find, signed = SIGNED_ANSWERS[name]
        found = signed_find(session, identifier)
        return None if found is None else signed(session, urls, sealer, found)
    if name not in ANSWERS:
        return None
    find, answer = ANSWERS[name]
    row = find(session, identifier)
    return None if row is None else answer(session, urls, row)


def jwks(session: Session, urls: PublicUrls) -> Hosted:
    """The instance's JWK Set: the tool's LTI key, and every badge key for older badges.

    LTI platforms look the tool's key up here by its thumbprint ``kid``; it names
    :func:`lti_key_issuer`, which is no issuer profile, so it never verifies a badge.
    VC-JWTs signed before key sets per issuer existed point here: each badge key is
    listed under the full ``kid`` their headers carry, naming its community's issuer.
    """
    issuers = {
        community_id: profile_id
        for community_id, profile_id in session.execute(
            select(Profile.community_id, Profile.id).where(Profile.kind == "issuer")
        )
    }
    entries = []
    for key in signing_keys.published_keys(session):
        public = load_public_key(key.public_key_pem)
        if key.purpose == signing_keys.LTI:
            entries.append(jwks_lib.public_jwk(public, iss=lti_key_issuer(urls)))
        elif key.community_id in issuers:
            issuer = urls.ob3_profile(issuers[key.community_id])
            entries.append(jwks_lib.issuer_jwk(public, urls.jwks(), issuer))
    return _json({"keys": entries}, kind=JWKS)


def lti_key_issuer(urls: PublicUrls) -> str:
    """The ``iss`` of the tool's LTI key: the tool itself, never a badge issuer."""
    return urls.origin + "/lti"


def profile_jwks(session: Session, urls: PublicUrls, profile: Profile) -> Hosted:
    """The key set of one issuer profile: its community's badge keys, active and retired.

    The profiles a community hosts (its issuer, its partners and members, who endorse)
    are signed for with the community's keys; each entry names this profile as ``iss``
    and has the ``kid`` this profile's VC-JWTs carry. Another community's keys, and the
    LTI key, are never here.
    """
    url = urls.ob3_profile_jwks(profile.id)
    issuer = urls.ob3_profile(profile.id)
    document = {
        "keys": [
            jwks_lib.issuer_jwk(load_public_key(key.public_key_pem), url, issuer)
            for key in signing_keys.community_keys(session, profile.community)
        ]
    }
    return _json(document, kind=JWKS)


def _pattern(path: str) -> re.Pattern[str]:
    escaped = re.escape(path).replace(re.escape("<id>"), r"(?P<id>[A-Za-z0-9_-]+)")
    return re.compile(f"^{escaped}$")


ROUTES = [(name, _pattern(path)) for name, path in PATHS.items() if name != "human_badge"]
BADGE_PAGE = _pattern(PATHS["human_badge"])


def match(path: str) -> tuple[str, str] | None:
    """(route name, identifier) of a public path, or None."""
    for name, pattern in ROUTES:
        found = pattern.match(path)
        if found:
            return name, found.groupdict().get("id", "")
    return None


class OwnDocuments:
    """A verification :class:`~badges.openbadges.loader.Loader` over our own database.

    URLs on our origin are answered from the database exactly as the web would answer
    them; any other URL is refused (``fallback`` may fetch it instead), so checking one
    of our badges never goes out to the network. With the instance ``sealer`` it also
    answers the credentials with an embedded proof.
    """

    def __init__(
        self,
        session: Session,
        urls: PublicUrls,
        fallback: Any = None,
        sealer: Sealer | None = None,
    ) -> None:
        self.session = session
        self.urls = urls
        self.fallback = fallback
        self.sealer = sealer

    def __call__(self, url: str, accept: str = "application/ld+json, application/json") -> Fetched:
        path = self.urls.path_of(url)
        if path is None:
            if self.fallback is not None:
                return self.fallback(url, accept)
            raise LoaderError(f"not a document of this instance: {url[:120]}")
        page = BADGE_PAGE.match(path)
        if page is not None:
            # The web answers a verifier asking the badge page with a 303 to the OB 2.0
            # Assertion (content negotiation); answer as if that redirect was followed.
            url = self.urls.ob2_assertion(page.group("id"))
            path = self.urls.path_of(url) or path
        found = match(path)
        if found and found[0] in JWT_FORMS and asks_for_jwt(accept):
            found = (JWT_FORMS[found[0]], found[1])  # content negotiation, as on the web
        hosted = lookup(self.session, self.urls, *found, sealer=self.sealer) if found else None
        if hosted is None:
            return Fetched(url, 404, "application/json", b'{"error":"not found"}')
        return Fetched(url, hosted.status, hosted.media_type, hosted.body)
