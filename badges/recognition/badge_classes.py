"""Creating badge classes and three-level families, and publishing them.

A badge class starts as a draft that only its community sees; publishing it makes its
OB 2.0 BadgeClass / OB 3.0 Achievement public and lets it be awarded. A family groups
three badge classes of rising level around one theme ("Je soutiens", "J'explore",
"J'agis"); each level is a badge class of its own because neither OB 2.0 nor OB 3.0 has a
level field, and the levels are linked to each other when published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from badges.models import Alignment, BadgeClass, Community, Family
from badges.models.badge_class import LEVEL_NAMES
from badges.recognition.badge_images import draw_badge

DRAFT = "draft"
PUBLISHED = "published"


@dataclass(frozen=True)
class AlignmentTarget:
    """A framework skill a badge stands for (e.g. an ESCO transversal skill)."""

    target_name: str
    target_url: str
    target_description: str | None = None
    target_framework: str | None = None
    target_code: str | None = None


@dataclass(frozen=True)
class Level:
    """What one level of a family asks for; its name comes from :data:`LEVEL_NAMES`."""

    description: str
    criteria: str
    alignments: Sequence[AlignmentTarget] = field(default_factory=tuple)


def create_badge_class(
    session: Session,
    community: Community,
    *,
    name: str,
    description: str,
    criteria: str,
    image_png: bytes | None = None,
    alignments: Sequence[AlignmentTarget] = (),
    tags: Sequence[str] = (),
    language: str | None = None,
    family: Family | None = None,
    level: int | None = None,
) -> BadgeClass:
    """A draft badge class issued by the community's issuer profile.

    Without ``image_png`` a round badge with the name's initials (and the level ring) is
    drawn, so a trainer can create a badge without a designer.
    """
    if level is not None and level not in LEVEL_NAMES:
        raise ValueError(f"a family level is 1, 2 or 3, not {level}")
    badge_class = BadgeClass(
        community_id=community.id,
        issuer_id=community.issuer.id,
        name=name,
        description=description,
        criteria_narrative=criteria,
        image_png=image_png or draw_badge(family.name if family else name, level),
        language=language or community.language,
        tags=list(tags),
        family_id=family.id if family else None,
        level=level,
        status=DRAFT,
        alignments=[Alignment(**vars(target)) for target in alignments],
    )
    session.add(badge_class)
    session.flush()
    return badge_class


def create_family(
    session: Session,
    community: Community,
    name: str,
    levels: Sequence[Level],
    tags: Sequence[str] = (),
) -> Family:
    """A family and its three draft badge classes, named "<family> – <level name>"."""
    if len(levels) != len(LEVEL_NAMES):
        raise ValueError("a family has exactly three levels")
    family = Family(community_id=community.id, name=name)
    session.add(family)
    session.flush()
    for number, level in enumerate(levels, start=1):
        create_badge_class(
            session,
            community,
            name=f"{name} – {LEVEL_NAMES[number]}",
            description=level.description,
            criteria=level.criteria,
            alignments=level.alignments,
            tags=tags,
            family=family,
            level=number,
        )
    session.refresh(family)
    return family


def publish(badge_class: BadgeClass) -> BadgeClass:
    """Make a badge class public and awardable (publishing twice changes nothing)."""
    badge_class.status = PUBLISHED
    return badge_class


def publish_family(family: Family) -> Family:
    for badge_class in family.badge_classes:
        publish(badge_class)
    return family


def find_badge_class(session: Session, community: Community, name: str) -> BadgeClass | None:
    return session.scalars(
        select(BadgeClass).where(BadgeClass.community_id == community.id, BadgeClass.name == name)
    ).first()


def find_family(session: Session, community: Community, name: str) -> Family | None:
    return session.scalars(
        select(Family).where(Family.community_id == community.id, Family.name == name)
    ).first()


def family_members(session: Session, badge_class: BadgeClass) -> list[BadgeClass]:
    """The other published levels of the badge class's family (empty outside a family).

    Read through the relationship so that awarding many badges in one session loads the
    family once.
    """
    if badge_class.family is None:
        return []
    return [
        other
        for other in badge_class.family.badge_classes
        if other.id != badge_class.id and other.status == PUBLISHED
    ]
