"""Open Badges 2.0 documents, built exactly as the specification shapes them.

Each function returns a JSON-ready ``dict`` for one class of the OB 2.0 vocabulary
(Issuer Profile, BadgeClass, Assertion, Endorsement, RevocationList, CryptographicKey)
or for one of the small objects they embed (Criteria, AlignmentObject, IdentityObject,
Evidence, Image, VerificationObject). Arguments are keyword-only and named after the
spec's properties in snake case, datetimes go in as aware ``datetime`` objects and come
out as ISO 8601 strings with a zone, and optional properties that are ``None`` or empty
are left out: OB 2.0 consumers treat an absent property and ``null`` differently, and
several reject ``null`` outright.

Top-level documents (the ones served at their ``id``) carry ``@context``; the small
embedded objects do not need it. Nothing here knows about the database or the web: the
domain layer decides ids and URLs, this module only gets the shape right.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from badges.openbadges.dates import format_datetime
from badges.openbadges.hashing import hash_identity, new_salt

OB2_CONTEXT = "https://w3id.org/openbadges/v2"

Json = dict[str, Any]
Linked = str | Mapping[str, Any]  # an IRI, or the embedded object it names


def _clean(document: Mapping[str, Any]) -> Json:
    """Drop ``None`` and empty lists so optional properties are absent, never null."""
    return {k: v for k, v in document.items() if v is not None and v != []}


def _many(values: Iterable[Linked] | None) -> list[Any]:
    """A multi-valued property as a JSON list (OB 2.0 allows one value or an array)."""
    return [dict(v) if isinstance(v, Mapping) else v for v in (values or ())]


def _one(value: Linked | None) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


def _required(**values: Any) -> None:
    for name, value in values.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(f"OB 2.0 requires a non-empty {name}")


# --- small embedded objects -------------------------------------------------------------


def image_object(*, id: str, caption: str | None = None, author: str | None = None) -> Json:
    """An Image object: ``id`` is the image URL or a ``data:`` URI (PNG or SVG only)."""
    _required(id=id)
    return _clean({"type": "schema:ImageObject", "id": id, "caption": caption, "author": author})


def criteria(*, narrative: str | None = None, id: str | None = None) -> Json:
    """Criteria: a Markdown ``narrative`` and/or ``id``, the URL of a human-readable page."""
    if not (narrative or id):
        raise ValueError("Criteria needs a narrative or an id")
    return _clean({"type": "Criteria", "id": id, "narrative": narrative})


def alignment(
    *,
    target_name: str,
    target_url: str,
    target_description: str | None = None,
    target_framework: str | None = None,
    target_code: str | None = None,
) -> Json:
    """An AlignmentObject, e.g. an ESCO transversal skill the badge stands for."""
    _required(target_name=target_name, target_url=target_url)
    return _clean(
        {
            "type": "AlignmentObject",
            "targetName": target_name,
            "targetUrl": target_url,
            "targetDescription": target_description,
            "targetFramework": target_framework,
            "targetCode": target_code,
        }
    )


def recipient_identity(
    *, identity: str, type: str = "email", hashed: bool = True, salt: str | None = None
) -> Json:
    """An IdentityObject; hashed with a fresh per-assertion salt unless ``salt`` is given.

    A plain identity (``hashed=False``) publishes the e-mail address in the badge, so it
    is for identities that are public anyway (a profile URL).
    """
    _required(identity=identity)
    if not hashed:
        return {"type": type, "hashed": False, "identity": identity}
    salt = salt if salt is not None else new_salt()
    return {"type": type, "hashed": True, "salt": salt, "identity": hash_identity(identity, salt)}


def evidence(
    *,
    id: str | None = None,
    narrative: str | None = None,
    name: str | None = None,
    description: str | None = None,
    genre: str | None = None,
    audience: str | None = None,
) -> Json:
    """An Evidence object: a link to the work (``id``) and/or a Markdown ``narrative``."""
    if not (id or narrative):
        raise ValueError("Evidence needs an id or a narrative")
    return _clean(
        {
            "type": "Evidence",
            "id": id,
            "narrative": narrative,
            "name": name,
            "description": description,
            "genre": genre,
            "audience": audience,
        }
    )


def hosted_verification() -> Json:
    """Verification of an Assertion by fetching its ``id`` from the issuer's origin."""
    return {"type": "HostedBadge"}


def signed_verification(*, creator: str) -> Json:
    """Verification of a JWS-signed Assertion; ``creator`` is the CryptographicKey IRI."""
    _required(creator=creator)
    return {"type": "SignedBadge", "creator": creator}


def issuer_verification(
    *,
    allowed_origins: Sequence[str] = (),
    starts_with: Sequence[str] = (),
) -> Json:
    """An issuer's VerificationObject: where its hosted badges may live.

    By default hosted Assertions and BadgeClasses must share the issuer Profile's
    origin; ``allowed_origins`` (host names) widens that, ``starts_with`` (URL prefixes)
    narrows it.
    """
    return _clean(
        {
            "type": "VerificationObject",
            "verificationProperty": "id",
            "allowedOrigins": list(allowed_origins),
            "startsWith": list(starts_with),
        }
    )


# --- top-level documents ---------------------------------------------------------------


def issuer_profile(
    *,
    id: str,
    name: str,
    url: str,
    email: str,
    description: str | None = None,
    image: Linked | None = None,
    telephone: str | None = None,
    public_key: Iterable[str] = (),
    revocation_list: str | None = None,
    verification: Mapping[str, Any] | None = None,
    endorsement: Iterable[Linked] = (),
) -> Json:
    """An issuer Profile (``type: Issuer``), served at ``id``.

    ``email`` is required by OB 2.0 for issuers (validators warn or fail without it), so
    a community or a partner must publish a contact address. ``public_key`` lists the
    CryptographicKey IRIs that may sign this issuer's badges; the keys name this
    profile as ``owner`` in return, and verifiers check both directions.
    """
    _required(id=id, name=name, url=url, email=email)
    return _clean(
        {
            "@context": OB2_CONTEXT,
            "type": "Issuer",
            "id": id,
            "name": name,
            "url": url,
            "email": email,
            "description": description,
            "image": _one(image),
            "telephone": telephone,
            "publicKey": list(public_key),
            "revocationList": revocation_list,
            "verification": dict(verification) if verification else None,
            "endorsement": _many(endorsement),
        }
    )


def badge_class(
    *,
    id: str,
    name: str,
    description: str,
    image: Linked,
    criteria: Linked,
    issuer: Linked,
    alignment: Iterable[Mapping[str, Any]] = (),
    tags: Iterable[str] = (),
    endorsement: Iterable[Linked] = (),
    related: Iterable[Linked] = (),
    version: str | None = None,
) -> Json:
    """A BadgeClass, served at ``id``.

    ``criteria`` is a URL or a :func:`criteria` object; ``issuer`` the issuer Profile's
    IRI or the embedded Profile; ``alignment`` a list of :func:`alignment` objects (the
    spec's singular name: the plural ``alignments`` some platforms emit is not in the
    JSON-LD context and is dropped by consumers); ``related`` links the other levels of
    a family or the OB 3.0 Achievement of the same badge.
    """
    _required(id=id, name=name, description=description, image=image, criteria=criteria)
    _required(issuer=issuer)
    return _clean(
        {
            "@context": OB2_CONTEXT,
            "type": "BadgeClass",
            "id": id,
            "name": name,
            "description": description,
            "image": _one(image),
            "criteria": _one(criteria),
            "issuer": _one(issuer),
            "alignment": _many(alignment),
            "tags": list(tags),
            "endorsement": _many(endorsement),
            "related": _many(related),
            "version": version,
        }
    )


def assertion(
    *,
    id: str,
    recipient: Mapping[str, Any],
    badge: Linked,
    verification: Mapping[str, Any],
    issued_on: datetime,
    expires: datetime | None = None,
    evidence: Iterable[Linked] = (),
    narrative: str | None = None,
    image: Linked | None = None,
    endorsement: Iterable[Linked] = (),
    related: Iterable[Linked] = (),
) -> Json:
    """An Assertion: one award of ``badge`` to ``recipient`` (a :func:`recipient_identity`).

    Hosted badges (``verification`` = :func:`hosted_verification`) are served at ``id``
    on the issuer's origin; signed ones (:func:`signed_verification`) should use a
    ``urn:uuid:`` (version 4) id and travel as a JWS (:mod:`badges.openbadges.jws`).
    """
    _required(id=id, badge=badge)
    if expires is not None and expires <= issued_on:
        raise ValueError("an Assertion cannot expire before it is issued")
    return _clean(
        {
            "@context": OB2_CONTEXT,
            "type": "Assertion",
            "id": id,
            "recipient": dict(recipient),
            "badge": _one(badge),
            "verification": dict(verification),
            "issuedOn": format_datetime(issued_on),
            "expires": format_datetime(expires) if expires is not None else None,
            "evidence": _many(evidence),
            "narrative": narrative,
            "image": _one(image),
            "endorsement": _many(endorsement),
            "related": _many(related),
        }
    )


def endorsement(
    *,
    id: str,
    claim_id: str,
    endorsement_comment: str,
    issuer: Linked,
    issued_on: datetime,
    verification: Mapping[str, Any] | None = None,
    claim: Mapping[str, Any] | None = None,
) -> Json:
    """An Endorsement of an Issuer, a BadgeClass or an Assertion (named by ``claim_id``).

    ``issuer`` is the endorser's Profile (a partner organisation, a peer, an internship
    host), which needs ``name``, ``url`` and ``email`` like any issuer. The comment goes
    inside ``claim`` because a claim made of an id alone is not understood by the
    reference validator. ``claim`` adds other claimed properties, e.g. ``evidence`` when
    an internship host endorses a learner's badge.
    """
    _required(id=id, claim_id=claim_id, endorsement_comment=endorsement_comment, issuer=issuer)
    claimed = {**(claim or {}), "id": claim_id, "endorsementComment": endorsement_comment}
    return {
        "@context": OB2_CONTEXT,
        "type": "Endorsement",
        "id": id,
        "claim": claimed,
        "issuer": _one(issuer),
        "issuedOn": format_datetime(issued_on),
        "verification": dict(verification) if verification else hosted_verification(),
    }


def revocation_list(*, id: str, issuer: str, revoked: Mapping[str, str | None]) -> Json:
    """The issuer's RevocationList; ``revoked`` maps each revoked Assertion id to a reason.

    Signed badges cannot be recalled, so verifiers read this list (linked from the
    issuer Profile's ``revocationList``). Every entry is written as an object with an
    ``id`` so readers never have to guess between strings, objects and legacy uids.
    """
    _required(id=id, issuer=issuer)
    entries = [_clean({"id": aid, "revocationReason": reason}) for aid, reason in revoked.items()]
    return {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": id,
        "issuer": issuer,
        "revokedAssertions": entries,
    }


def cryptographic_key(*, id: str, owner: str, public_key_pem: str) -> Json:
    """A CryptographicKey document; ``owner`` is the issuer Profile that lists it."""
    _required(id=id, owner=owner, public_key_pem=public_key_pem)
    return {
        "@context": OB2_CONTEXT,
        "type": "CryptographicKey",
        "id": id,
        "owner": owner,
        "publicKeyPem": public_key_pem,
    }


def revoked_assertion(*, id: str, reason: str | None = None) -> Json:
    """The body served with HTTP 410 Gone at a revoked hosted Assertion's ``id``."""
    _required(id=id)
    return _clean({"@context": OB2_CONTEXT, "id": id, "revoked": True, "revocationReason": reason})


def revoked_endorsement(*, id: str, issuer: Linked, reason: str | None = None) -> Json:
    """What a withdrawn Endorsement's ``id`` serves: the endorser still named, no claim."""
    _required(id=id, issuer=issuer)
    return _clean(
        {
            "@context": OB2_CONTEXT,
            "type": "Endorsement",
            "id": id,
            "issuer": _one(issuer),
            "revoked": True,
            "revocationReason": reason,
        }
    )
