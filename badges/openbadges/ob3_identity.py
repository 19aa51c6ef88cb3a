"""How an OB 3.0 credential names its earner without a wallet: IdentityObjects and a
per-issuer subject id.

A learner arriving by LTI has no DID, and the platform may withhold the e-mail. So the
``credentialSubject.identifier`` list carries what we do know, always salted and hashed:
the e-mail when there is one, otherwise the LTI user id (``sub``) paired with the
platform (``iss``) that gave it, since a ``sub`` means nothing without its issuer. A
Moodle ``sub`` is its numeric user id, so it identifies a person as well as an address.

A VC-JWT also needs ``sub`` = ``credentialSubject.id``, so every subject gets an ``id``
(:func:`subject_id`): a ``urn:uuid:`` keyed by the instance secret, the issuer and the
recipient. The same learner gets the same id from one issuer (a wallet can group their
badges) and unrelated ids from two issuers (issuers cannot link their learners), and the
id can be neither reversed nor recomputed from a guessed e-mail without the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from badges.openbadges.hashing import hash_identity, new_salt

Json = dict[str, Any]


def identity_object(
    identity_type: str, identity: str, *, hashed: bool = True, salt: str | None = None
) -> Json:
    """An IdentityObject; hashed identities use ``sha256$`` with a fresh salt per call.

    A fresh salt matters: with one site-wide salt a single dictionary attack would
    reveal every earner's address.
    """
    if hashed:
        salt = salt if salt is not None else new_salt()
        return {
            "type": "IdentityObject",
            "identityHash": hash_identity(identity, salt),
            "identityType": identity_type,
            "hashed": True,
            "salt": salt,
        }
    return {
        "type": "IdentityObject",
        "identityHash": identity,
        "identityType": identity_type,
        "hashed": False,
    }


def recipient_identifiers(
    *,
    email: str | None = None,
    lti_user_id: str | None = None,
    lti_platform_id: str | None = None,
    salt: str | None = None,
) -> list[Json]:
    """The ``identifier`` list for a learner: a hashed e-mail, else the hashed LTI identity.

    Platforms often withhold e-mails; then the LTI ``sub`` is the only stable name of a
    learner, and it only means something together with the platform's ``iss``, so
    ``ltiUserId`` is always paired with ``ltiPlatformId``. Both are hashed with the same
    salt, as OB 2.0 hashes ``<iss>#<sub>``: a verifier who knows the learner's ``sub``
    still matches it by hashing the candidate, and nobody else reads it.
    """
    salt = salt if salt is not None else new_salt()
    if email:
        return [identity_object("emailAddress", email.strip().lower(), salt=salt)]
    if lti_user_id and lti_platform_id:
        return [
            identity_object("ltiUserId", lti_user_id, salt=salt),
            identity_object("ltiPlatformId", lti_platform_id, salt=salt),
        ]
    raise ValueError("a recipient needs an e-mail, or an LTI user id with its platform id")


def subject_key(secret_key: str) -> bytes:
    """The key of :func:`subject_id`, derived from the instance secret for this use only.

    A separate derivation keeps the subject ids from revealing anything about the keys
    that seal signing keys or sign cookies with the same secret.
    """
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"chemins-ob3-subject-id-v1",
        info=b"credentialSubject.id",
    ).derive(secret_key.encode("utf-8"))


def subject_id(
    key: bytes,
    issuer: str,
    *,
    email: str | None = None,
    lti_user_id: str | None = None,
    lti_platform_id: str | None = None,
) -> str:
    """A stable, non-identifying ``urn:uuid:`` for one recipient of one issuer.

    An HMAC-SHA-256 of the issuer and the recipient (the normalised e-mail, else the LTI
    platform and ``sub``), cut to a UUID of version 8 (RFC 9562's custom layout). Each
    part is length-prefixed so that no two different inputs hash the same text.
    """
    if email:
        recipient = ["email", email.strip().lower()]
    elif lti_user_id and lti_platform_id:
        recipient = ["lti", lti_platform_id, lti_user_id]
    else:
        raise ValueError("a recipient needs an e-mail, or an LTI user id with its platform id")
    message = b"".join(
        len(part.encode("utf-8")).to_bytes(4, "big") + part.encode("utf-8")
        for part in [issuer, *recipient]
    )
    raw = bytearray(hmac.new(key, message, hashlib.sha256).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x80  # version 8
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 9562 variant
    return uuid.UUID(bytes=bytes(raw)).urn
