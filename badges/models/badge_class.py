"""Badge classes (OB 2.0 BadgeClass / OB 3.0 Achievement), their families and alignments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from badges.models.columns import UTCDateTime, new_id, utcnow
from badges.storage.database import Base

LEVEL_NAMES = {1: "Je soutiens", 2: "J'explore", 3: "J'agis"}


class Family(Base):
    """Three badge classes of rising level around one theme ("Place aux jeunes")."""

    __tablename__ = "family"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    community_id: Mapped[str] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    badge_classes: Mapped[list[BadgeClass]] = relationship(
        back_populates="family", order_by="BadgeClass.level"
    )


class BadgeClass(Base):
    __tablename__ = "badge_class"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    community_id: Mapped[str] = mapped_column(ForeignKey("community.id"), index=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("profile.id"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    criteria_narrative: Mapped[str] = mapped_column(Text)
    #: Deferred: lists of badges (homes, the picker, the editor) never load the pictures;
    #: the image URL and baking read it when they need it.
    image_png: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    language: Mapped[str] = mapped_column(String(10), default="fr")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    family_id: Mapped[str | None] = mapped_column(ForeignKey("family.id"))
    level: Mapped[int | None] = mapped_column(Integer)
    #: draft -> published -> archived for a trainer's badge; a member's proposal goes
    #: proposed -> (changes_requested -> proposed)* -> published | declined.
    status: Mapped[str] = mapped_column(String(20), default="draft")
    #: The member who proposed it (credited as its author once published), if any.
    author_person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    #: The trainer's last word on a proposal (changes asked, or why it was declined).
    review_comment: Mapped[str | None] = mapped_column(Text)
    #: The designer's choices (shape, colour, icon, text) when the image was designed here,
    #: so the badge can be designed again from where it was.
    design: Mapped[dict[str, str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    issuer = relationship("Profile")
    family: Mapped[Family | None] = relationship(back_populates="badge_classes")
    alignments: Mapped[list[Alignment]] = relationship(
        back_populates="badge_class", cascade="all, delete-orphan", order_by="Alignment.id"
    )
    author = relationship("Person")
    creators: Mapped[list[BadgeClassCreator]] = relationship(
        back_populates="badge_class",
        cascade="all, delete-orphan",
        order_by="BadgeClassCreator.position",
    )


class Alignment(Base):
    """A link from a badge class to a framework skill (ESCO transversal skills)."""

    __tablename__ = "alignment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    badge_class_id: Mapped[str] = mapped_column(ForeignKey("badge_class.id"), index=True)
    target_name: Mapped[str] = mapped_column(String(300))
    target_url: Mapped[str] = mapped_column(String(500))
    target_description: Mapped[str | None] = mapped_column(Text)
    target_framework: Mapped[str | None] = mapped_column(String(200))
    target_code: Mapped[str | None] = mapped_column(String(100))

    badge_class: Mapped[BadgeClass] = relationship(back_populates="alignments")


class BadgeClassCreator(Base):
    """A co-creator of a badge class: the member who proposed it, or a partner
    organisation (town hall, employer) that designed it with the community.

    Each is a Profile (a member's ``person`` profile, or a ``partner`` profile), so the
    published documents can name them the way Open Badges names people and organisations.
    """

    __tablename__ = "badge_class_creator"

    badge_class_id: Mapped[str] = mapped_column(ForeignKey("badge_class.id"), primary_key=True)
    profile_id: Mapped[str] = mapped_column(ForeignKey("profile.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))  # author | partner
    position: Mapped[int] = mapped_column(Integer, default=0)

    badge_class: Mapped[BadgeClass] = relationship(back_populates="creators")
    profile = relationship("Profile")
