"""Creating badge classes and three-level families, editing them, and their life:
draft -> published -> archived.

A badge class starts as a draft that only its community sees; publishing it makes its
OB 2.0 BadgeClass / OB 3.0 Achievement public and lets it be awarded. Archiving stops new
requests and awards without touching what was awarded: the awards stay valid and
verifiable (their badge class is still served), and an archived badge may be published
again, since archiving is a pause rather than a judgement (docs/decisions/0028).

A family groups three badge classes of rising level around one theme ("Je soutiens",
"J'explore", "J'agis"); each level is a badge class of its own because neither OB 2.0 nor
OB 3.0 has a level field, and the levels are linked to each other when published.

What people type (:class:`BadgeFields`) is checked as a whole before anything is
written (:class:`BadgeClassRefused`, with a ``code`` the web layer words), so a refused
form leaves nothing half-written. Text is kept as typed: HTML in a name is a name with
angle brackets, escaped by every page and carried as data by every JSON document.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from badges.images import badge_designer
from badges.images.badge_images import draw_badge
from badges.models import Alignment, BadgeClass, BadgeClassCreator, Community, Family, Profile
from badges.models.badge_class import LEVEL_NAMES

DRAFT = "draft"
PUBLISHED = "published"
ARCHIVED = "archived"
#: A member's proposal (:mod:`badges.recognition.proposals`) before a trainer publishes it.
PROPOSED = "proposed"
CHANGES_REQUESTED = "changes_requested"
DECLINED = "declined"
#: The statuses whose badge class is public: what was awarded stays verifiable once the
#: badge is archived (the hosted documents serve both).
PUBLIC = (PUBLISHED, ARCHIVED)
#: What a trainer may move a badge class to, from each status (proposals are decided by
#: :func:`badges.recognition.proposals.decide`, not here).
TRANSITIONS = {DRAFT: (PUBLISHED,), PUBLISHED: (ARCHIVED,), ARCHIVED: (PUBLISHED,)}

NAME_LIMIT = 200
DESCRIPTION_LIMIT = 2000
CRITERIA_LIMIT = 4000
LANGUAGES = ("fr", "en")
SKILL_LIMIT = 10
PARTNER_LIMIT = 10
#: Partners (town hall, employer) and authors are profiles of these kinds.
AUTHOR = "author"
PARTNER = "partner"


class BadgeClassRefused(ValueError):
    """A badge class (or family) that cannot be written as asked; ``code`` says why.

    Codes: ``empty`` (``field`` names what is missing), ``too_long`` (``field`` too),
    ``bad_text`` (control characters), ``bad_language``, ``unknown_skill``,
    ``too_many_skills``, ``not_a_partner`` (a profile that is not a partner of this
    community), ``too_many_partners``, ``bad_design``, ``other_community``,
    ``wrong_state`` (a move the status does not allow), ``not_editable`` (a proposal:
    its author edits it, not the trainer's form).
    """

    def __init__(self, code: str, field: str | None = None) -> None:
        super().__init__(f"{code}: {field}" if field else code)
        self.code = code
        self.field = field


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


def level_name(family_name: str, level: int) -> str:
    """The name of a family's level: "<family> – Je soutiens"."""
    return f"{family_name} – {LEVEL_NAMES[level]}"


def create_family(
    session: Session,
    community: Community,
    name: str,
    levels: Sequence[Level],
    tags: Sequence[str] = (),
    *,
    design: badge_designer.Design | None = None,
    language: str | None = None,
) -> Family:
    """A family and its three draft badge classes, named "<family> – <level name>".

    With a ``design``, each level's image is that design drawn with its level (one, two
    or three stars), so the path reads as one thing; without, the default drawing.
    """
    if len(levels) != len(LEVEL_NAMES):
        raise ValueError("a family has exactly three levels")
    family = Family(community_id=community.id, name=name)
    session.add(family)
    session.flush()
    for number, level in enumerate(levels, start=1):
        drawn = dataclasses.replace(design, level=number) if design is not None else None
        badge = create_badge_class(
            session,
            community,
            name=level_name(name, number),
            description=level.description,
            criteria=level.criteria,
            image_png=badge_designer.render(drawn) if drawn is not None else None,
            alignments=level.alignments,
            tags=tags,
            language=language,
            family=family,
            level=number,
        )
        if drawn is not None:
            badge.design = design_record(drawn)
    session.refresh(family)
    return family


def publish(badge_class: BadgeClass) -> BadgeClass:
    """Make a badge class public and awardable (publishing twice changes nothing)."""
    badge_class.status = PUBLISHED
    return badge_class


def change_status(badge_class: BadgeClass, status: str) -> BadgeClass:
    """A trainer's move along draft -> published -> archived (-> published again).

    Moving to the status it already has changes nothing (a form sent twice). Proposals
    are not moved here: a trainer decides them (:mod:`badges.recognition.proposals`).
    """
    if badge_class.status == status:
        return badge_class
    if status not in TRANSITIONS.get(badge_class.status, ()):
        raise BadgeClassRefused("wrong_state")
    badge_class.status = status
    return badge_class


def archive(badge_class: BadgeClass) -> BadgeClass:
    """No new requests or awards; what was awarded stays valid and verifiable."""
    return change_status(badge_class, ARCHIVED)


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


# --- what a form gives ---------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeFields:
    """What a person typed and chose for one badge class.

    The image is one of: ``design`` (the designer's choices, drawn here), ``image_png``
    (an upload already made safe by :mod:`badges.images.uploaded_images`), or
    neither (keep the current image; a new badge gets the default drawing).
    """

    name: str
    description: str
    criteria: str
    language: str = "fr"
    skill_ids: Sequence[str] = ()
    partner_ids: Sequence[str] = ()
    design: badge_designer.Design | None = None
    image_png: bytes | None = None


@dataclass(frozen=True)
class CheckedFields:
    """:class:`BadgeFields` once checked: clean text, resolved skills and partners, image."""

    name: str
    description: str
    criteria: str
    language: str
    alignments: tuple[AlignmentTarget, ...]
    partners: tuple[Profile, ...]
    image_png: bytes | None
    design: dict[str, str] | None


def design_record(design: badge_designer.Design) -> dict[str, str]:
    """How a design is kept on its badge class, to open the designer where it was."""
    record = {
        "shape": design.shape,
        "colour": design.colour,
        "icon": design.icon,
        "text": design.text,
    }
    if design.level is not None:
        record["level"] = str(design.level)
    return record


def clean_text(value: str, field_name: str, limit: int, *, required: bool = True) -> str:
    """``value`` stripped, refused when empty (if ``required``), too long, or holding
    control characters other than line breaks and tabs (they show as boxes, and bidi
    overrides reorder what people read)."""
    text = (value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise BadgeClassRefused("empty", field_name)
    if len(text) > limit:
        raise BadgeClassRefused("too_long", field_name)
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in "\n\t" for c in text):
        raise BadgeClassRefused("bad_text", field_name)
    return text


def alignments_for(skill_ids: Sequence[str], language: str) -> tuple[AlignmentTarget, ...]:
    """The alignment of each chosen skill, named in the badge's language; only skills of
    the shipped list (:mod:`badges.recognition.skills`) are taken, each once."""
    # Imported here: skills builds AlignmentTarget, defined in this module.
    from badges.recognition import skills

    chosen = list(dict.fromkeys(i.strip() for i in skill_ids if i.strip()))
    if len(chosen) > SKILL_LIMIT:
        raise BadgeClassRefused("too_many_skills")
    targets = []
    for skill_id in chosen:
        found = skills.skill(skill_id)
        if found is None:
            raise BadgeClassRefused("unknown_skill")
        targets.append(skills.alignment_target(found, language))
    return tuple(targets)


def community_partners(session: Session, community_id: str) -> list[Profile]:
    """The partner organisations of a community, by name (the co-creators one may name)."""
    return list(
        session.scalars(
            select(Profile)
            .where(Profile.community_id == community_id, Profile.kind == PARTNER)
            .order_by(Profile.name, Profile.id)
        )
    )


def _partners(session: Session, community: Community, ids: Sequence[str]) -> tuple[Profile, ...]:
    chosen = list(dict.fromkeys(i.strip() for i in ids if i.strip()))
    if len(chosen) > PARTNER_LIMIT:
        raise BadgeClassRefused("too_many_partners")
    found = []
    for profile_id in chosen:
        profile = session.get(Profile, profile_id)
        if profile is None or profile.community_id != community.id or profile.kind != PARTNER:
            raise BadgeClassRefused("not_a_partner")
        found.append(profile)
    return tuple(found)


def check_fields(session: Session, community: Community, fields: BadgeFields) -> CheckedFields:
    """Everything the form gave, checked and resolved; nothing is written here."""
    name = " ".join(clean_text(fields.name, "name", NAME_LIMIT).split())
    description = clean_text(fields.description, "description", DESCRIPTION_LIMIT)
    criteria = clean_text(fields.criteria, "criteria", CRITERIA_LIMIT)
    if fields.language not in LANGUAGES:
        raise BadgeClassRefused("bad_language")
    image_png, design = fields.image_png, None
    if fields.design is not None:
        try:
            image_png = badge_designer.render(fields.design)
        except badge_designer.DesignRefused as refusal:
            raise BadgeClassRefused("bad_design", refusal.field) from None
        design = design_record(fields.design)
    return CheckedFields(
        name=name,
        description=description,
        criteria=criteria,
        language=fields.language,
        alignments=alignments_for(fields.skill_ids, fields.language),
        partners=_partners(session, community, fields.partner_ids),
        image_png=image_png,
        design=design,
    )


def _set_partners(badge: BadgeClass, partners: Sequence[Profile]) -> None:
    """Replace the partner co-creators, keeping the author (if any) first."""
    kept = [c for c in badge.creators if c.role != PARTNER]
    existing = {c.profile_id: c for c in badge.creators if c.role == PARTNER}
    rows = []
    for index, partner in enumerate(partners, start=len(kept)):
        row = existing.get(partner.id) or BadgeClassCreator(profile_id=partner.id, role=PARTNER)
        row.position = index
        rows.append(row)
    badge.creators = kept + rows


def apply_fields(badge: BadgeClass, checked: CheckedFields) -> None:
    """Write checked fields onto ``badge`` (the image only when a new one was given)."""
    badge.name = checked.name
    badge.description = checked.description
    badge.criteria_narrative = checked.criteria
    badge.language = checked.language
    badge.alignments = [Alignment(**vars(target)) for target in checked.alignments]
    if checked.image_png is not None:
        badge.image_png = checked.image_png
        badge.design = checked.design
    _set_partners(badge, checked.partners)


def create_from_fields(
    session: Session, community: Community, fields: BadgeFields, *, status: str = DRAFT
) -> BadgeClass:
    """A new badge class of ``community`` from a form, as a draft (or ``status``)."""
    checked = check_fields(session, community, fields)
    badge = create_badge_class(
        session,
        community,
        name=checked.name,
        description=checked.description,
        criteria=checked.criteria,
        image_png=checked.image_png,
        alignments=checked.alignments,
        language=checked.language,
    )
    badge.design = checked.design
    badge.status = status
    _set_partners(badge, checked.partners)
    session.flush()
    return badge


def edit_badge_class(
    session: Session, community: Community, badge: BadgeClass, fields: BadgeFields
) -> BadgeClass:
    """A trainer's new wording, skills, partners or image for ``badge``.

    Allowed in every trainer status, published included: badges already awarded keep
    the bytes they were signed with (their VC-JWT and baked image), and the hosted
    documents show the new wording. A proposal is edited by its author
    (:func:`badges.recognition.proposals.revise`), so it is refused here.
    """
    if badge.community_id != community.id:
        raise BadgeClassRefused("other_community")
    if badge.status not in TRANSITIONS:
        raise BadgeClassRefused("not_editable")
    if fields.design is not None and badge.level is not None:
        fields = dataclasses.replace(
            fields, design=dataclasses.replace(fields.design, level=badge.level)
        )
    checked = check_fields(session, community, fields)
    if badge.family is not None and checked.name != badge.name:
        # A level's name is its family's and its level's: the wording is the rest.
        checked = dataclasses.replace(checked, name=badge.name)
    apply_fields(badge, checked)
    session.flush()
    return badge


# --- families from a form ----------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyFields:
    """A family as one form gives it: its name, what each level asks, shared skills and
    one design drawn once per level."""

    name: str
    levels: Sequence[tuple[str, str]]  # (description, criteria) of levels 1, 2, 3
    language: str = "fr"
    skill_ids: Sequence[str] = ()
    design: badge_designer.Design | None = None


#: The longest level name, so that "<family> – <level>" fits a badge class name.
FAMILY_NAME_LIMIT = NAME_LIMIT - max(len(f" – {n}") for n in LEVEL_NAMES.values())


def create_family_from_fields(
    session: Session, community: Community, fields: FamilyFields
) -> Family:
    """A family of three draft levels from one form, refused as a whole before writing."""
    name = " ".join(clean_text(fields.name, "name", FAMILY_NAME_LIMIT).split())
    if fields.language not in LANGUAGES:
        raise BadgeClassRefused("bad_language")
    if len(fields.levels) != len(LEVEL_NAMES):
        raise BadgeClassRefused("empty", "levels")
    alignments = alignments_for(fields.skill_ids, fields.language)
    levels = [
        Level(
            clean_text(description, f"description-{n}", DESCRIPTION_LIMIT),
            clean_text(criteria, f"criteria-{n}", CRITERIA_LIMIT),
            alignments,
        )
        for n, (description, criteria) in enumerate(fields.levels, start=1)
    ]
    if fields.design is not None:
        try:
            badge_designer.check(fields.design)
        except badge_designer.DesignRefused as refusal:
            raise BadgeClassRefused("bad_design", refusal.field) from None
    return create_family(
        session, community, name, levels, design=fields.design, language=fields.language
    )


def badge_classes_of(session: Session, community_id: str) -> list[BadgeClass]:
    """A community's badge classes, families' levels in order, then by name."""
    return list(
        session.scalars(
            select(BadgeClass)
            .where(BadgeClass.community_id == community_id)
            .order_by(BadgeClass.family_id, BadgeClass.level, BadgeClass.name)
        )
    )


def families_of(session: Session, community_id: str) -> list[Family]:
    return list(
        session.scalars(
            select(Family).where(Family.community_id == community_id).order_by(Family.name)
        )
    )


def credited_author(badge: BadgeClass) -> Profile | None:
    """The profile a badge credits as its author: a member who proposed it and agreed to
    be named (:mod:`badges.recognition.proposals`); None otherwise."""
    for creator in badge.creators:
        if creator.role == AUTHOR:
            return creator.profile
    return None


def partners_of(badge: BadgeClass) -> list[Profile]:
    """The partner organisations named as co-creators, in the order chosen."""
    return [c.profile for c in badge.creators if c.role == PARTNER]
