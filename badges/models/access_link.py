"""Links that let someone in without an account: registration links and admin links.

Two kinds of credential are handed around as URLs, and they must not be confused:

- a **registration link** (``purpose="registration"``) is given by the instance admin
  to a platform admin (a Moodle administrator): it lets exactly one Dynamic
  Registration happen, into the community it names (or into a new community when it
  names none), before it expires;
- an **admin link** (``purpose="admin"``) is the instance admin's own short-lived way
  into the admin pages; it is revocable and never meant to be handed to anyone else.

Only a hash of the secret part is stored: a database dump gives no usable link.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.models.community import Community
from badges.storage.database import Base

REGISTRATION = "registration"
ADMIN = "admin"


class AccessLink(Base):
    """One link handed out by the instance admin: what it opens, until when, used or not."""

    __tablename__ = "access_link"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    purpose: Mapped[str] = mapped_column(String(20))  # registration | admin
    #: SHA-256 (hex) of the link's secret; the secret itself is never stored.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The community a registration link joins (None: the registration creates one).
    community_id: Mapped[str | None] = mapped_column(ForeignKey("community.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The platform a used registration link registered (for the admin's record).
    platform_id: Mapped[str | None] = mapped_column(
        ForeignKey("lti_platform.id", ondelete="SET NULL")
    )

    community: Mapped[Community | None] = relationship()
