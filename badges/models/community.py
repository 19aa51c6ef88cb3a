"""Communities (the organisations that issue) and Profiles (issuers, partners, people).

A Profile is what Open Badges calls an Issuer/Profile: the community's own issuer
profile, partner organisations, and people (kind ``person``) who endorse or create
badges. A person's profile points at the Person it speaks for (``person_id``, at most
one profile per person), so the rules that depend on who someone is ("no one endorses
their own badge") compare keys, and a person's data can be found by key.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.storage.database import Base

if TYPE_CHECKING:
    from badges.models.person import Person


class Community(Base):
    __tablename__ = "community"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    language: Mapped[str] = mapped_column(String(10), default="fr")
    #: Whether a course member who is both a learner and a teaching assistant (Open
    #: edX's forum "Community TA") may award badges; see decision 0018.
    teaching_assistants_award: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    profiles: Mapped[list[Profile]] = relationship(back_populates="community")

    @property
    def issuer(self) -> Profile:
        """The community's issuer profile (exactly one per community)."""
        for profile in self.profiles:
            if profile.kind == "issuer":
                return profile
        raise LookupError(f"community {self.slug} has no issuer profile")


class Profile(Base):
    __tablename__ = "profile"
    # A unique index rather than a constraint: SQLite adds it without copying the table
    # (which the badge classes and endorsements reference). NULLs never collide.
    __table_args__ = (Index("uq_profile_person_id", "person_id", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    community_id: Mapped[str] = mapped_column(ForeignKey("community.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="issuer")  # issuer | partner | person
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    description: Mapped[str | None] = mapped_column(Text)
    verified: Mapped[bool] = mapped_column(default=False)
    #: The Person a ``person`` profile speaks for (None for issuers and partners).
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    community: Mapped[Community] = relationship(back_populates="profiles")
    person: Mapped[Person | None] = relationship()
