"""What a trainer can place in a course, and the Deep Linking item each placement becomes.

Three things make sense in a course: a badge's "ask for this badge" page, the course's
recognition wall and the peer-endorsement board. In Moodle each becomes an
``ltiResourceLink`` (the only type it accepts), carrying ``custom.target`` so that later
launches of the link land on the right page (the ``learner`` blueprint contributes
these destinations, :mod:`lti_tool.launch_destinations`) and, for a badge placed as
graded, a ``lineItem`` so that Moodle creates the grade column the badge completes
(offered unless the request says ``accept_lineitem: false``; Moodle 4.3 sends no such
key). Open edX also takes plain
``link``, ``html`` and ``image`` items, which suit a badge shown in a unit without
launching the tool: the badge's public description, a badge card, or its image.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import escape

from badges.courses.grades import GRADE_PARAM, NO_GRADE
from badges.publishing.public_urls import PublicUrls
from lti_tool.lti1p3.deep_link import (
    HTML,
    IMAGE,
    LINK,
    RESOURCE_LINK,
    ContentItem,
    DeepLinkingSettings,
    LineItem,
)

ASK_BADGE = "ask-badge"
WALL = "recognition-wall"
BOARD = "endorsement-board"
#: A placed badge is pass/fail: full marks once awarded.
SCORE_MAXIMUM = 100.0
BADGE_RESOURCE_PREFIX = "badge:"


@dataclass(frozen=True)
class BadgeChoice:
    """The facts of a published badge class the picker shows and places."""

    id: str
    name: str
    description: str
    #: The family it is a level of ("Place aux jeunes"), with that level (1..3).
    family: str | None = None
    level: int | None = None
    family_id: str | None = None
    #: The language its texts are written in (``lang`` of what shows them).
    language: str = "fr"


@dataclass(frozen=True)
class BadgeGroup:
    """Badges shown together in the picker: one family's levels, or the badges of none."""

    family: str | None
    badges: tuple[BadgeChoice, ...]


def picker_groups(badges: Iterable[BadgeChoice]) -> list[BadgeGroup]:
    """Families first (by name), each as a path in level order, then lone badges by name.

    A trainer placing "J'agis" should see it after "Je soutiens" and "J'explore" of the
    same family, as learners will walk the path; alphabetical order would scatter it.
    """
    families: dict[str, list[BadgeChoice]] = {}
    alone: list[BadgeChoice] = []
    for badge in badges:
        if badge.family_id is None:
            alone.append(badge)
        else:
            families.setdefault(badge.family_id, []).append(badge)
    groups = [
        BadgeGroup(
            members[0].family,
            tuple(sorted(members, key=lambda b: (b.level or 0, b.name.casefold()))),
        )
        for members in families.values()
    ]
    groups.sort(key=lambda g: ((g.family or "").casefold(), g.badges[0].id))
    if alone:
        groups.append(BadgeGroup(None, tuple(sorted(alone, key=lambda b: b.name.casefold()))))
    return groups


@dataclass(frozen=True)
class Placement:
    """One choice of the trainer: what (``target``), which badge, shown how, graded or not."""

    target: str
    item_type: str = RESOURCE_LINK
    badge: BadgeChoice | None = None
    graded: bool = False


def types_for(target: str, settings: DeepLinkingSettings) -> tuple[str, ...]:
    """How ``target`` may be shown on this platform (wall and board need a launch)."""
    offered = settings.offered_types()
    if target == ASK_BADGE:
        return offered
    return tuple(t for t in offered if t == RESOURCE_LINK)


def badge_of_resource(resource_id: str | None) -> str | None:
    """The badge class id a line item's ``resourceId`` names, if it names one."""
    if resource_id and resource_id.startswith(BADGE_RESOURCE_PREFIX):
        return resource_id[len(BADGE_RESOURCE_PREFIX) :]
    return None


def content_item(
    placement: Placement, settings: DeepLinkingSettings, origin: str, titles: dict[str, str]
) -> ContentItem:
    """The Deep Linking item for one placement; ``titles`` names wall and board."""
    launch_url = f"{origin}/lti/launch"
    badge = placement.badge
    if placement.target != ASK_BADGE:
        return ContentItem(
            RESOURCE_LINK,
            titles[placement.target],
            url=launch_url,
            custom={"target": placement.target},
        )
    if badge is None:
        raise ValueError("a badge placement needs its badge")
    urls = PublicUrls(origin)
    if placement.item_type == RESOURCE_LINK:
        line_item = None
        custom = {"target": ASK_BADGE, "badge": badge.id}
        if placement.graded and settings.accept_lineitem:
            line_item = LineItem(
                SCORE_MAXIMUM, badge.name, resource_id=BADGE_RESOURCE_PREFIX + badge.id
            )
        elif settings.accept_lineitem:
            # Offered a grade and declined it: the link says so, so that Chemins never
            # makes a column for it through the line-items service (which Moodle also
            # offers once Dynamic Registration turned column management on).
            custom[GRADE_PARAM] = NO_GRADE
        return ContentItem(
            RESOURCE_LINK,
            badge.name,
            url=launch_url,
            text=badge.description,
            custom=custom,
            line_item=line_item,
            icon_url=urls.badge_image(badge.id),
        )
    if placement.item_type == LINK:
        return ContentItem(
            LINK, badge.name, url=urls.ob3_achievement(badge.id), text=badge.description
        )
    if placement.item_type == IMAGE:
        return ContentItem(IMAGE, badge.name, url=urls.badge_image(badge.id), width=200, height=200)
    if placement.item_type == HTML:
        card = (
            f'<figure><img src="{escape(urls.badge_image(badge.id))}" alt="" width="120" '
            f'height="120"><figcaption><strong>{escape(badge.name)}</strong><br>'
            f"{escape(badge.description)}</figcaption></figure>"
        )
        return ContentItem(HTML, badge.name, html=card)
    raise ValueError(f"cannot place a badge as {placement.item_type!r}")
