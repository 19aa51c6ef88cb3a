"""The keys that sign a community's badges, and the tool's own LTI key.

A badge signed today must still verify in ten years, so keys are never deleted: rotation
retires the active key (it stops signing) and creates a new one, and every key, active or
retired, stays published in the JWKS and as an OB 2.0 ``CryptographicKey``. Private halves
are sealed at rest with the instance :class:`~badges.storage.sealing.Sealer`; a stolen database dump
alone cannot forge a badge. Besides its VC-JWT key (RS256 or ES256), a community holds an
Ed25519 key for embedded Data Integrity proofs (``purpose="data-integrity"``), kept,
sealed and rotated the same way.

Key generation, PEM and the RFC 7638 ``kid`` come from :mod:`badges.openbadges.keys`; this
module only decides which key is active, for whom, and how it is stored.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)
from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from badges.models import Community, SigningKey
from badges.models.columns import utcnow
from badges.openbadges import keys, multikey
from badges.storage.sealing import Sealer

BADGES = "badges"
LTI = "lti"
#: Ed25519 keys for embedded Data Integrity proofs (``eddsa-rdfc-2022``), one active per
#: community beside its VC-JWT key: the cryptosuite signs with Ed25519 only, and the
#: RS256/ES256 keys stay what every VC-JWT and OB 2.0 verifier reads.
PROOFS = "data-integrity"
EDDSA = "EdDSA"
DEFAULT_ALGORITHM = keys.RS256


def _lock(session: Session, community: Community) -> None:
    """Serialise key creation for one community (PostgreSQL row lock; SQLite locks the file).

    Two web workers awarding the first badge of a community at once must not each create
    an "active" key.
    """
    session.execute(select(Community.id).where(Community.id == community.id).with_for_update())


def _new_key_values(
    sealer: Sealer, algorithm: str, purpose: str, community_id: str | None
) -> dict[str, object]:
    """The columns of a freshly generated key, its private half sealed."""
    private = keys.generate_key(algorithm)
    return {
        "kid": keys.thumbprint_kid(private),
        "community_id": community_id,
        "purpose": purpose,
        "algorithm": keys.algorithm_for(private),
        "private_key_sealed": sealer.seal(keys.private_key_pem(private).encode("ascii")),
        "public_key_pem": keys.public_key_pem(private),
    }


def _new_key(
    session: Session, sealer: Sealer, algorithm: str, purpose: str, community_id: str | None
) -> SigningKey:
    row = SigningKey(**_new_key_values(sealer, algorithm, purpose, community_id))
    session.add(row)
    session.flush()
    return row


def _active_key(session: Session, community: Community, purpose: str) -> SigningKey | None:
    """The community's newest key for ``purpose`` that is not retired."""
    return session.scalars(
        select(SigningKey)
        .where(
            SigningKey.community_id == community.id,
            SigningKey.purpose == purpose,
            SigningKey.retired_at.is_(None),
        )
        .order_by(SigningKey.created_at.desc())
        .limit(1)
    ).first()


def active_badge_key(session: Session, community: Community) -> SigningKey | None:
    """The key that signs the community's new badges (the newest one not retired)."""
    return _active_key(session, community, BADGES)


def ensure_badge_key(
    session: Session, sealer: Sealer, community: Community, algorithm: str = DEFAULT_ALGORITHM
) -> SigningKey:
    """The community's active badge-signing key, created on first need.

    ``algorithm`` is only used when a key must be created (RS256 by default because every
    OB 2.0 and OB 3.0 verifier supports it; ES256 is the alternative).
    """
    existing = active_badge_key(session, community)
    if existing is not None:
        return existing
    _lock(session, community)
    existing = active_badge_key(session, community)
    if existing is not None:
        return existing
    return _new_key(session, sealer, algorithm, BADGES, community.id)


def rotate(
    session: Session, sealer: Sealer, community: Community, algorithm: str | None = None
) -> SigningKey:
    """Retire the community's active key and create its successor.

    The retired key stays published so that badges it signed keep verifying; only new
    badges are signed with the new key. ``algorithm`` defaults to the retired key's. The
    community's Ed25519 Data Integrity key, once it has one, is rotated with it.
    """
    _lock(session, community)
    current = active_badge_key(session, community)
    if current is not None:
        current.retired_at = utcnow()
        session.flush()
    chosen = algorithm or (current.algorithm if current is not None else DEFAULT_ALGORITHM)
    created = _new_key(session, sealer, chosen, BADGES, community.id)
    if active_proof_key(session, community) is not None:
        # A rotation answers a suspected leak: the community's Ed25519 key goes with it.
        rotate_proof_key(session, sealer, community)
    return created


def community_keys(session: Session, community: Community) -> list[SigningKey]:
    """Every badge key of a community, active and retired, oldest first."""
    return list(
        session.scalars(
            select(SigningKey)
            .where(SigningKey.community_id == community.id, SigningKey.purpose == BADGES)
            .order_by(SigningKey.created_at)
        )
    )


def published_keys(session: Session) -> list[SigningKey]:
    """Every key anyone may need to verify something we signed: all communities' badge
    keys (active and retired) and the tool's LTI keys, oldest first.

    The Ed25519 Data Integrity keys are not JWKS material: they are published as
    Multikeys in their profiles' controller documents (:func:`proof_keys`)."""
    return list(
        session.scalars(
            select(SigningKey).where(SigningKey.purpose != PROOFS).order_by(SigningKey.created_at)
        )
    )


def active_proof_key(session: Session, community: Community) -> SigningKey | None:
    """The Ed25519 key that signs the community's Data Integrity proofs (newest unretired)."""
    return _active_key(session, community, PROOFS)


def _new_proof_key(session: Session, sealer: Sealer, community: Community) -> SigningKey:
    """A fresh Ed25519 key, named by its Multikey value (``z6Mk…``, also its fragment)."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    row = SigningKey(
        kid=multikey.encode_public_key(public),
        community_id=community.id,
        purpose=PROOFS,
        algorithm=EDDSA,
        private_key_sealed=sealer.seal(
            private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        ),
        public_key_pem=public.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode(
            "ascii"
        ),
    )
    session.add(row)
    session.flush()
    return row


def ensure_proof_key(session: Session, sealer: Sealer, community: Community) -> SigningKey:
    """The community's active Ed25519 key, created on first need (under the same lock)."""
    existing = active_proof_key(session, community)
    if existing is not None:
        return existing
    _lock(session, community)
    existing = active_proof_key(session, community)
    if existing is not None:
        return existing
    return _new_proof_key(session, sealer, community)


def rotate_proof_key(session: Session, sealer: Sealer, community: Community) -> SigningKey:
    """Retire the community's active Ed25519 key and create its successor.

    As with badge keys, the retired key stays listed in the controller documents, so
    a proof someone saved before the rotation keeps verifying.
    """
    _lock(session, community)
    current = active_proof_key(session, community)
    if current is not None:
        current.retired_at = utcnow()
        session.flush()
    return _new_proof_key(session, sealer, community)


def proof_keys(session: Session, community: Community) -> list[SigningKey]:
    """Every Ed25519 key of a community, active and retired, oldest first."""
    return list(
        session.scalars(
            select(SigningKey)
            .where(SigningKey.community_id == community.id, SigningKey.purpose == PROOFS)
            .order_by(SigningKey.created_at)
        )
    )


def find_key(session: Session, kid: str) -> SigningKey | None:
    return session.get(SigningKey, kid)


def active_tool_key(session: Session) -> SigningKey | None:
    """The tool's own LTI key (Deep Linking responses, service-token client assertions)."""
    return session.scalars(
        select(SigningKey)
        .where(SigningKey.purpose == LTI, SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc())
        .limit(1)
    ).first()


def ensure_tool_key(session: Session, sealer: Sealer) -> SigningKey:
    """The tool's LTI key, created on first need (RS256: LTI 1.3 requires it).

    There is no row to lock before the first key exists, so two processes starting at
    once may both find none and both generate one. The database keeps one active tool
    key at most (a partial unique index, migration 0004); the insert steps aside when
    another process's key is already there (PostgreSQL waits for that process to commit
    first), and the key read back is the one that won. Stepping aside rather than
    catching the unique violation in a savepoint keeps the caller's transaction whole:
    with the pysqlite driver, a savepoint taken before the transaction's first write
    commits when it is released.
    """
    existing = active_tool_key(session)
    if existing is not None:
        return existing
    values = _new_key_values(sealer, keys.RS256, LTI, None)
    session.execute(_insert_unless_taken(session).values(**values))
    created = active_tool_key(session)
    if created is None:  # pragma: no cover - the insert or the other process's row is there
        raise LookupError("the tool key was neither created nor found")
    return created


def _insert_unless_taken(session: Session) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` into ``signing_key`` (SQLite and PostgreSQL)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(SigningKey).on_conflict_do_nothing()


def private_key(sealer: Sealer, key: SigningKey) -> keys.PrivateKey:
    """The usable private key of a stored key (opened from its seal)."""
    return _open(sealer, key.private_key_sealed)


def proof_private_key(sealer: Sealer, key: SigningKey) -> Ed25519PrivateKey:
    """The usable Ed25519 private key of a stored Data Integrity key."""
    if key.purpose != PROOFS:
        raise ValueError(f"key {key.kid} is not a Data Integrity key")
    return _open_ed25519(sealer, key.private_key_sealed)


@lru_cache(maxsize=64)
def _open_ed25519(sealer: Sealer, sealed: bytes) -> Ed25519PrivateKey:
    private = load_pem_private_key(sealer.open(sealed), password=None)
    if not isinstance(private, Ed25519PrivateKey):
        raise keys.UnsupportedKey(f"not an Ed25519 key: {type(private).__name__}")
    return private


@lru_cache(maxsize=64)
def _open(sealer: Sealer, sealed: bytes) -> keys.PrivateKey:
    # Unsealing and parsing a 2048-bit RSA key costs more than signing with it; a process
    # signs with the same few keys all day, so they are kept parsed.
    return keys.load_private_key(sealer.open(sealed))
