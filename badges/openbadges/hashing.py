"""Recipient identity hashing (OB 2.0 IdentityObject, OB 3.0 ``identityHash``).

A badge names its earner without publishing the e-mail address: ``identity`` is
``sha256$`` followed by the hex SHA-256 of the identity with the salt *appended*. The
hash and the salt are both public, so a salt shared by every badge of a site (Moodle's
habit) lets one dictionary attack reveal every earner; Chemins draws a fresh salt per
assertion with :func:`new_salt`. Verifiers must still accept ``md5$`` hashes from old
issuers, which is why :func:`identity_matches` reads either algorithm.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

HASH_ALGORITHMS = ("sha256", "md5")


class IdentityHashError(ValueError):
    """A hashed identity is not ``<sha256|md5>$<hex>``."""


def new_salt() -> str:
    """A random salt for one assertion: 128 bits, hex, so it is safe in any JSON."""
    return secrets.token_hex(16)


def _digest(algorithm: str, text: str) -> str:
    if algorithm == "sha256":
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    if algorithm == "md5":
        # Only ever used to *check* hashes written by old issuers, never to create one.
        return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()
    raise IdentityHashError(f"unsupported identity hash algorithm: {algorithm!r}")


def hash_identity(identity: str, salt: str | None = None) -> str:
    """``sha256$`` + hex(SHA-256(identity + salt)); no salt means an unsalted hash."""
    return "sha256$" + _digest("sha256", identity + (salt or ""))


def split_hashed_identity(hashed: str) -> tuple[str, str]:
    """Split ``alg$hex`` into a lower-case algorithm name and lower-case hex digest."""
    algorithm, sep, digest = hashed.partition("$")
    algorithm = algorithm.lower()
    digest = digest.lower()
    if not sep or algorithm not in HASH_ALGORITHMS:
        raise IdentityHashError(f"hashed identity must start with sha256$ or md5$: {hashed[:20]!r}")
    expected_length = 64 if algorithm == "sha256" else 32
    if len(digest) != expected_length or any(c not in "0123456789abcdef" for c in digest):
        raise IdentityHashError(f"{algorithm} identity hash is not {expected_length} hex digits")
    return algorithm, digest


def _candidates(candidate: str, identity_type: str | None) -> list[str]:
    """The spellings of ``candidate`` worth trying.

    E-mail addresses are compared case-insensitively in practice (issuers lower-case
    them before hashing, people type them with capitals), so an e-mail is also tried
    trimmed and lower-cased; other identity types must match exactly.
    """
    spellings = [candidate]
    if identity_type in (None, "email"):
        normalised = candidate.strip().lower()
        if normalised != candidate:
            spellings.append(normalised)
    return spellings


def identity_matches(
    hashed_identity: str,
    candidate: str,
    salt: str | None = None,
    *,
    identity_type: str | None = "email",
) -> bool:
    """True if ``candidate`` (e.g. an e-mail) hashes with ``salt`` to ``hashed_identity``.

    Raises :class:`IdentityHashError` when ``hashed_identity`` is not a hash at all, so
    that a verifier can report a malformed recipient rather than a mere mismatch.
    """
    algorithm, digest = split_hashed_identity(hashed_identity)
    return any(
        hmac.compare_digest(_digest(algorithm, spelling + (salt or "")), digest)
        for spelling in _candidates(candidate, identity_type)
    )


def recipient_matches(recipient: Mapping[str, Any], candidate: str) -> bool:
    """True if an OB 2.0 IdentityObject names ``candidate``, hashed or in plain text."""
    identity = recipient.get("identity")
    if not isinstance(identity, str):
        return False
    identity_type = recipient.get("type") if isinstance(recipient.get("type"), str) else None
    salt = recipient.get("salt") if isinstance(recipient.get("salt"), str) else None
    if recipient.get("hashed") is True:
        return identity_matches(identity, candidate, salt, identity_type=identity_type)
    stated = identity.strip().lower() if identity_type in (None, "email") else identity
    return any(
        hmac.compare_digest(stated.encode("utf-8"), spelling.encode("utf-8"))
        for spelling in _candidates(candidate, identity_type)
    )
