"""Handing out links: create, check, spend and withdraw registration and admin links.

A link is a random secret in a URL. Whoever holds the URL holds what it opens, so:

- only the SHA-256 of the secret is stored (a database dump gives no usable link);
- every link expires, and can be withdrawn (``revoked_at``) before it does;
- spending a link is a conditional ``UPDATE … WHERE used_at IS NULL``, in the caller's
  transaction: of two requests racing with the same link, only the one whose UPDATE
  matched gets it (PostgreSQL makes the second wait on the row, then see it spent;
  SQLite has one writer at a time), and if the caller's work fails, the rollback
  leaves the link unspent.

A **registration link** lets one Dynamic Registration happen, into the community it
names (or into a new community when it names none); it stays usable until it is spent
by a registration Chemins stored. An **admin link** is the instance admin's own way in:
it must be opened within minutes, once, and is then exchanged for an admin session
that lasts :data:`ADMIN_SESSION_LIFETIME` from that moment, unless it is ended sooner
(the same ``revoked_at``). The web layer decides what a session looks like; this module
only keeps the rows honest.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from badges.models import AccessLink, Community
from badges.models.access_link import ADMIN, REGISTRATION
from badges.models.columns import utcnow

#: How long a registration link waits for the platform admin to use it, by default.
REGISTRATION_LIFETIME = timedelta(days=7)
#: The longest a registration link may be made to last.
MAX_REGISTRATION_LIFETIME = timedelta(days=30)
#: An admin link must be opened this soon after it was printed.
ADMIN_LINK_LIFETIME = timedelta(minutes=15)
#: How long the admin session an admin link opens lasts.
ADMIN_SESSION_LIFETIME = timedelta(hours=1)
#: The refusals :class:`LinkRefused` names, most telling first.
UNKNOWN, REVOKED, USED, EXPIRED = "unknown", "revoked", "used", "expired"


class LinkRefused(Exception):
    """A link that opens nothing (any more); ``reason`` says why, for a clear page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AccessLinkError(ValueError):
    """A link that cannot be made as asked (an unknown community, a bad lifetime)."""


@dataclass(frozen=True)
class IssuedLink:
    """A link just made: the only moment its secret is known."""

    id: str
    secret: str
    expires_at: datetime
    community_id: str | None = None


def secret_hash(secret: str) -> str:
    """What is stored for ``secret``: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(
    session: Session, purpose: str, lifetime: timedelta, community_id: str | None
) -> IssuedLink:
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    link = AccessLink(
        purpose=purpose,
        secret_hash=secret_hash(secret),
        community_id=community_id,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(link)
    session.flush()
    return IssuedLink(link.id, secret, link.expires_at, community_id)


def create_registration_link(
    session: Session,
    *,
    community_id: str | None = None,
    lifetime: timedelta = REGISTRATION_LIFETIME,
) -> IssuedLink:
    """A single-use registration link into ``community_id`` (None: a new community)."""
    if not timedelta(0) < lifetime <= MAX_REGISTRATION_LIFETIME:
        raise AccessLinkError(
            f"a registration link lasts between a minute and {MAX_REGISTRATION_LIFETIME.days} days"
        )
    if community_id is not None and session.get(Community, community_id) is None:
        raise AccessLinkError(f"no community has the id {community_id!r}")
    return _issue(session, REGISTRATION, lifetime, community_id)


def create_admin_link(session: Session, *, lifetime: timedelta = ADMIN_LINK_LIFETIME) -> IssuedLink:
    """A link to open the admin pages once, within ``lifetime``."""
    return _issue(session, ADMIN, lifetime, None)


def _refusal(link: AccessLink | None, now: datetime) -> str | None:
    if link is None:
        return UNKNOWN
    if link.revoked_at is not None:
        return REVOKED
    if link.used_at is not None:
        return USED
    if link.expires_at <= now:
        return EXPIRED
    return None


def _find(session: Session, secret: str, purpose: str) -> AccessLink | None:
    if not secret:
        return None
    return session.scalars(
        select(AccessLink).where(
            AccessLink.secret_hash == secret_hash(secret), AccessLink.purpose == purpose
        )
    ).first()


def check_link(session: Session, secret: str, purpose: str) -> AccessLink:
    """The unspent, unexpired, unrevoked link of ``purpose`` behind ``secret``.

    Raises :class:`LinkRefused`. A secret of another purpose is unknown here: a
    registration link never opens the admin pages, nor an admin link a registration.
    """
    link = _find(session, secret, purpose)
    reason = _refusal(link, utcnow())
    if reason is not None:
        raise LinkRefused(reason)
    assert link is not None
    return link


def spend_link(session: Session, secret: str, purpose: str) -> AccessLink:
    """Spend the link behind ``secret`` in the caller's transaction; return it.

    Raises :class:`LinkRefused` when it was already spent (by a concurrent request
    too), withdrawn, expired, or never existed.
    """
    now = utcnow()
    spent = session.execute(
        update(AccessLink)
        .where(
            AccessLink.secret_hash == secret_hash(secret),
            AccessLink.purpose == purpose,
            AccessLink.used_at.is_(None),
            AccessLink.revoked_at.is_(None),
            AccessLink.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    link = _find(session, secret, purpose)
    if link is not None:
        session.refresh(link)  # the UPDATE went around the session's copy
    if spent.rowcount != 1 or link is None:  # type: ignore[attr-defined]
        raise LinkRefused(_refusal(link, now) or USED)
    return link


def admin_session(session: Session, link_id: str) -> AccessLink | None:
    """The admin link whose session is still open: opened, not ended, not too old."""
    link = session.get(AccessLink, link_id)
    if link is None or link.purpose != ADMIN or link.revoked_at is not None:
        return None
    if link.used_at is None or link.used_at + ADMIN_SESSION_LIFETIME <= utcnow():
        return None
    return link


def withdraw_link(session: Session, link_id: str, purpose: str) -> bool:
    """Withdraw one link (an admin link: end its session too); False if nothing changed."""
    withdrawn = session.execute(
        update(AccessLink)
        .where(
            AccessLink.id == link_id,
            AccessLink.purpose == purpose,
            AccessLink.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return bool(withdrawn.rowcount == 1)  # type: ignore[attr-defined]


def withdraw_admin_links(session: Session) -> int:
    """Withdraw every admin link not yet withdrawn, ending every admin session."""
    withdrawn = session.execute(
        update(AccessLink)
        .where(AccessLink.purpose == ADMIN, AccessLink.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(withdrawn.rowcount)  # type: ignore[attr-defined]


def registration_links(
    session: Session, community_ids: frozenset[str] | None = None
) -> list[AccessLink]:
    """Registration links still waiting to be used, soonest to expire first.

    ``community_ids``: only the links into those communities (None: every link,
    including those that make a new community).
    """
    query = (
        select(AccessLink)
        .where(
            AccessLink.purpose == REGISTRATION,
            AccessLink.used_at.is_(None),
            AccessLink.revoked_at.is_(None),
            AccessLink.expires_at > utcnow(),
        )
        .order_by(AccessLink.expires_at)
    )
    if community_ids is not None:
        query = query.where(AccessLink.community_id.in_(sorted(community_ids)))
    return list(session.scalars(query))
