"""Open Badges 3.0 documents as JSON-ready dicts: Profile, Achievement, credentials.

Each builder takes the values the domain knows, in Python types, and returns the JSON
the spec describes, so that the domain never spells a JSON-LD term and the rules of the
format live in one place:

- null values and empty arrays are omitted (the OB 3.0 serialization rule: a property
  with no value is absent, never ``null`` or ``[]``);
- multi-valued properties are always arrays, even with one element;
- ``@context`` is ``[VCDM 2.0, OB 3.0.3]``, plus the 1EdTech extensions context whenever a
  1EdTech type (``1EdTechRevocationList``, ``1EdTechJsonSchemaValidator2019``,
  ``1EdTechCredentialRefresh``) is used, because signing or expanding JSON-LD with an
  undefined term fails;
- date-times are written in UTC with ``Z`` and refused when naive.

Signing is not done here (see :mod:`badges.openbadges.vc_jwt`): a document is built,
checked by :mod:`badges.openbadges.ob3_rules`, then signed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from badges.openbadges.dates import format_datetime

# Recipient identifiers have their own module; re-exported so callers build everything from ob3.
from badges.openbadges.ob3_identity import identity_object as identity_object
from badges.openbadges.ob3_identity import recipient_identifiers as recipient_identifiers
from badges.openbadges.ob3_identity import subject_id as subject_id
from badges.openbadges.ob3_identity import subject_key as subject_key

VCDM_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB3_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

REVOCATION_LIST_TYPE = "1EdTechRevocationList"
SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"
REFRESH_TYPE = "1EdTechCredentialRefresh"
EXTENSION_TYPES = frozenset({REVOCATION_LIST_TYPE, SCHEMA_VALIDATOR_TYPE, REFRESH_TYPE})

ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
ENDORSEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)

Json = dict[str, Any]


def compact(values: Mapping[str, Any]) -> Json:
    """``values`` without the None values and empty arrays/objects the spec forbids."""
    return {
        key: value
        for key, value in values.items()
        if value is not None and not (isinstance(value, list | tuple | dict) and not value)
    }


def _list(values: Iterable[Any] | None) -> list[Any]:
    return [value for value in values or () if value is not None]


def _date(value: datetime | None) -> str | None:
    return None if value is None else format_datetime(value)


def image(id: str, *, caption: str | None = None) -> Json:
    """An Image: ``id`` is the image URL or a ``data:`` URI."""
    return compact({"id": id, "type": "Image", "caption": caption})


def profile(
    id: str,
    *,
    name: str | None = None,
    url: str | None = None,
    email: str | None = None,
    description: str | None = None,
    image: Json | None = None,
    endorsement: Iterable[Json] = (),
    endorsement_jwt: Iterable[str] = (),
) -> Json:
    """A Profile: the issuer of a credential, the creator of an achievement, an endorser.

    Only ``id`` and ``type`` are required in 3.0, unlike 2.0's mandatory ``email``, so a
    peer or a member can be an issuer or endorser without publishing an address.
    """
    return compact(
        {
            "id": id,
            "type": ["Profile"],
            "name": name,
            "url": url,
            "email": email,
            "description": description,
            "image": image,
            "endorsement": _list(endorsement),
            "endorsementJwt": _list(endorsement_jwt),
        }
    )


def criteria(*, id: str | None = None, narrative: str | None = None) -> Json:
    """Criteria: a page URL (``id``), a Markdown ``narrative``, or both; never neither."""
    if id is None and not narrative:
        raise ValueError("criteria need an id or a narrative")
    return compact({"id": id, "narrative": narrative})


def alignment(
    target_name: str,
    target_url: str,
    *,
    target_code: str | None = None,
    target_description: str | None = None,
    target_framework: str | None = None,
    target_type: str | None = None,
) -> Json:
    """An Alignment to a framework node, e.g. an ESCO transversal skill."""
    return compact(
        {
            "type": ["Alignment"],
            "targetName": target_name,
            "targetUrl": target_url,
            "targetCode": target_code,
            "targetDescription": target_description,
            "targetFramework": target_framework,
            "targetType": target_type,
        }
    )


def related(id: str, *, in_language: str | None = None, version: str | None = None) -> Json:
    """A Related achievement: the same badge in another language or format, or a level.

    Chemins links a 3.0 Achievement to its 2.0 BadgeClass and a level to its family this
    way, since neither standard has a field for either.
    """
    return compact({"id": id, "type": ["Related"], "inLanguage": in_language, "version": version})


def achievement(
    id: str,
    *,
    name: str,
    description: str,
    criteria: Json,
    achievement_type: str | None = "Badge",
    image: Json | None = None,
    alignment: Iterable[Json] = (),
    creator: Json | None = None,
    tag: Iterable[str] = (),
    in_language: str | None = None,
    related: Iterable[Json] = (),
    endorsement: Iterable[Json] = (),
    endorsement_jwt: Iterable[str] = (),
) -> Json:
    """An Achievement (the 3.0 BadgeClass).

    ``creator`` is the Profile of who designed the badge; it may differ from the issuer
    of the credentials that award it (a member-created badge awarded by a community).
    """
    return compact(
        {
            "id": id,
            "type": ["Achievement"],
            "achievementType": achievement_type,
            "name": name,
            "description": description,
            "criteria": criteria,
            "image": image,
            "alignment": _list(alignment),
            "creator": creator,
            "tag": _list(tag),
            "inLanguage": in_language,
            "related": _list(related),
            "endorsement": _list(endorsement),
            "endorsementJwt": _list(endorsement_jwt),
        }
    )


def achievement_subject(
    achievement: Json,
    *,
    id: str | None = None,
    identifier: Iterable[Json] = (),
) -> Json:
    """An AchievementSubject: who earned ``achievement``.

    ``id`` is a DID or URI the learner gave (e.g. from a wallet), or the issuer's
    :func:`subject_id` for them, which a VC-JWT repeats as ``sub``; ``identifier`` comes
    from :func:`recipient_identifiers`. The spec needs at least one of them.
    """
    identifiers = _list(identifier)
    if id is None and not identifiers:
        raise ValueError("an AchievementSubject needs an id or at least one identifier")
    return compact(
        {
            "id": id,
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": achievement,
        }
    )


def evidence(
    *,
    id: str | None = None,
    narrative: str | None = None,
    name: str | None = None,
    description: str | None = None,
    genre: str | None = None,
    audience: str | None = None,
) -> Json:
    """Evidence of the achievement: a URL, a Markdown narrative, or both."""
    return compact(
        {
            "id": id,
            "type": ["Evidence"],
            "narrative": narrative,
            "name": name,
            "description": description,
            "genre": genre,
            "audience": audience,
        }
    )


def revocation_status(list_url: str) -> Json:
    """A ``credentialStatus`` pointing at a 1EdTech revocation list."""
    return {"id": list_url, "type": REVOCATION_LIST_TYPE}


def credential_schema(schema_url: str) -> Json:
    """A ``credentialSchema`` entry validated with a 1EdTech JSON Schema."""
    return {"id": schema_url, "type": SCHEMA_VALIDATOR_TYPE}


def _types_in(value: Any) -> set[str]:
    if isinstance(value, Mapping):
        kind = value.get("type")
        return set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()
    if isinstance(value, list | tuple):
        return set().union(*(_types_in(item) for item in value)) if value else set()
    return set()


def context_for(*extension_users: Any) -> list[str]:
    """The ``@context`` list, with the extensions context if any argument uses its types."""
    uses_extension = any(_types_in(value) & EXTENSION_TYPES for value in extension_users)
    context = [VCDM_V2_CONTEXT, OB3_CONTEXT]
    if uses_extension:
        context.append(OB3_EXTENSIONS_CONTEXT)
    return context


def open_badge_credential(
    id: str,
    *,
    issuer: Json,
    valid_from: datetime,
    credential_subject: Json,
    name: str | None = None,
    description: str | None = None,
    image: Json | None = None,
    valid_until: datetime | None = None,
    awarded_date: datetime | None = None,
    evidence: Iterable[Json] = (),
    credential_status: Json | None = None,
    credential_schema: Iterable[Json] = (),
    endorsement: Iterable[Json] = (),
    endorsement_jwt: Iterable[str] = (),
) -> Json:
    """An OpenBadgeCredential (the 3.0 Assertion), unsigned.

    ``name`` is optional in the spec since 2024 but wallets show it, so the domain
    should always give one (usually the achievement's name).
    """
    schemas = _list(credential_schema)
    return compact(
        {
            "@context": context_for(credential_status, schemas),
            "id": id,
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": issuer,
            "validFrom": format_datetime(valid_from),
            "validUntil": _date(valid_until),
            "awardedDate": _date(awarded_date),
            "name": name,
            "description": description,
            "image": image,
            "credentialSubject": credential_subject,
            "evidence": _list(evidence),
            "credentialStatus": credential_status,
            "credentialSchema": schemas,
            "endorsement": _list(endorsement),
            "endorsementJwt": _list(endorsement_jwt),
        }
    )


def endorsement_credential(
    id: str,
    *,
    issuer: Json,
    name: str,
    valid_from: datetime,
    subject_id: str,
    comment: str | None = None,
    description: str | None = None,
    valid_until: datetime | None = None,
    awarded_date: datetime | None = None,
    credential_status: Json | None = None,
) -> Json:
    """An EndorsementCredential: ``issuer`` vouches for ``subject_id``.

    ``subject_id`` is the id of the endorsed Achievement, Profile or credential;
    ``comment`` (Markdown) says why. Unlike an OpenBadgeCredential, ``name`` is required.
    """
    subject = compact(
        {"id": subject_id, "type": ["EndorsementSubject"], "endorsementComment": comment}
    )
    return compact(
        {
            "@context": context_for(credential_status),
            "id": id,
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "issuer": issuer,
            "name": name,
            "description": description,
            "validFrom": format_datetime(valid_from),
            "validUntil": _date(valid_until),
            "awardedDate": _date(awarded_date),
            "credentialSubject": subject,
            "credentialStatus": credential_status,
        }
    )
