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
    image_png: Mapped[bytes] = mapped_column(LargeBinary)
    language: Mapped[str] = mapped_column(String(10), default="fr")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    family_id: Mapped[str | None] = mapped_column(ForeignKey("family.id"))
    level: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft|proposed|published
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    issuer = relationship("Profile")
    family: Mapped[Family | None] = relationship(back_populates="badge_classes")
    alignments: Mapped[list[Alignment]] = relationship(
        back_populates="badge_class", cascade="all, delete-orphan", order_by="Alignment.id"
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
