"""The 1EdTech Revocation List Status Method (VCRL 1.0): publish and read revoked ids.

A credential with ``credentialStatus: {"id": <list URL>, "type": "1EdTechRevocationList"}``
is revoked when the document at that URL lists its ``id`` with ``revoked`` true or
omitted. The list reveals which credentials an issuer revoked but not which one a
verifier is checking, which is why it is a list and not a per-credential endpoint.

The member holding the entries is spelled two ways in the wild: the VCRL text says
``revokedCredentials`` while the official 1EdTech validator reads ``revokedCredential``
(``RevocationListProbe``). We write both, holding the same entries, so either reader sees
our revocations, and read both, so we see anyone's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

REVOKED_MEMBERS = ("revokedCredentials", "revokedCredential")


class RevocationListError(ValueError):
    """The document is not a revocation list we can read."""


def revocation_list(
    list_id: str,
    issuer_id: str,
    revoked: Iterable[tuple[str, str | None]],
) -> dict[str, Any]:
    """The list document at ``list_id`` for ``issuer_id``.

    ``revoked`` holds ``(credential id, reason or None)`` pairs. An empty list is still
    published (with empty arrays) so that verifiers get a definite "not revoked" rather
    than a fetch error, which they may only report as a warning.
    """
    entries = []
    for credential_id, reason in revoked:
        entry: dict[str, Any] = {"id": credential_id, "revoked": True}
        if reason:
            entry["revocationReason"] = reason
        entries.append(entry)
    document: dict[str, Any] = {"id": list_id, "issuer": issuer_id}
    for member in REVOKED_MEMBERS:
        document[member] = [dict(entry) for entry in entries]
    return document


def _entries(value: Any) -> list[Any]:
    """An array of entries, or a lone entry object some publishers write instead."""
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return [value]
    return []


def is_revoked(document: Any, credential_id: str) -> tuple[bool, str | None]:
    """Whether ``document`` revokes ``credential_id``, and the reason if it gives one.

    An entry counts when its ``id`` equals the credential id exactly and ``revoked`` is
    true or absent; ``revoked: false`` means the issuer reinstated the credential.
    """
    if not isinstance(document, Mapping):
        raise RevocationListError("a revocation list must be a JSON object")
    if not any(member in document for member in REVOKED_MEMBERS):
        raise RevocationListError(
            'a revocation list needs a "revokedCredentials" (or "revokedCredential") member'
        )
    for member in REVOKED_MEMBERS:
        for entry in _entries(document.get(member)):
            if not isinstance(entry, Mapping) or entry.get("id") != credential_id:
                continue
            if entry.get("revoked", True) is not False:
                reason = entry.get("revocationReason")
                return True, reason if isinstance(reason, str) else None
    return False, None
