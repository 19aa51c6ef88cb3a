"""How an OB 3.0 credential names its earner without a wallet: IdentityObjects.

A learner arriving by LTI has no DID, and the platform may withhold the e-mail. So the
``credentialSubject.identifier`` list carries what we do know: a salted hash of the
e-mail when there is one, otherwise the LTI user id (``sub``) paired with the platform
(``iss``) that gave it, since a ``sub`` means nothing without its issuer.
"""

from __future__ import annotations

from typing import Any

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
    """The ``identifier`` list for a learner: a hashed e-mail, else the LTI identity.

    Platforms often withhold e-mails; then the LTI ``sub`` is the only stable name of a
    learner, and it only means something together with the platform's ``iss``, so
    ``ltiUserId`` is always paired with ``ltiPlatformId``. LTI identifiers are opaque
    and not personal data in themselves, so they are written unhashed, which lets a
    platform match them without a salt.
    """
    if email:
        return [identity_object("emailAddress", email.strip().lower(), salt=salt)]
    if lti_user_id and lti_platform_id:
        return [
            identity_object("ltiUserId", lti_user_id, hashed=False),
            identity_object("ltiPlatformId", lti_platform_id, hashed=False),
        ]
    raise ValueError("a recipient needs an e-mail, or an LTI user id with its platform id")
