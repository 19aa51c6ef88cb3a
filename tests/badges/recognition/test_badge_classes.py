"""Badge classes and families: drafts until published, three linked levels."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from badges.images.badge_designer import Design, render
from badges.models import Alignment, BadgeClass, Community, Family
from badges.publishing import ob2 as ob2_docs
from badges.publishing import ob3 as ob3_docs
from badges.publishing.public_urls import PublicUrls
from badges.recognition.badge_classes import (
    ARCHIVED,
    DRAFT,
    PUBLISHED,
    AlignmentTarget,
    BadgeClassRefused,
    BadgeFields,
    FamilyFields,
    Level,
    change_status,
    create_family,
    create_family_from_fields,
    create_from_fields,
    edit_badge_class,
    family_members,
    find_badge_class,
    partners_of,
    publish,
    publish_family,
)
from badges.recognition.communities import add_partner, create_community, find_community
from badges.storage.database import transaction
from tests.badges.conftest import Issuing

LEVELS = [
    Level(
        "Aider", "Avoir aidé deux fois.", (AlignmentTarget("Coopérer", "https://esco.example/c"),)
    ),
    Level("Essayer", "Avoir co-animé."),
    Level("Agir", "Avoir mené un projet."),
]


def test_a_family_has_three_named_levels_linked_once_published(runtime) -> None:
    urls = PublicUrls("https://chemins.test")
    with transaction(runtime.sessions) as session:
        community = create_community(
            session, name="Centre", slug="centre", url="https://c.example", email="c@c.example"
        )
        family = create_family(session, community, "Place aux jeunes", LEVELS)
        names = [b.name for b in family.badge_classes]
        assert names == [
            "Place aux jeunes – Je soutiens",
            "Place aux jeunes – J'explore",
            "Place aux jeunes – J'agis",
        ]
        first = family.badge_classes[0]
        assert first.status == "draft" and first.image_png.startswith(b"\x89PNG")
        assert family_members(session, first) == []
        publish_family(family)
        session.flush()
        assert [b.level for b in family_members(session, first)] == [2, 3]
        document = ob2_docs.badge_class(session, urls, first)
        assert document["alignment"][0]["targetName"] == "Coopérer"
        assert urls.ob2_badge(family.badge_classes[1].id) in document["related"]
        achievement = ob3_docs.achievement(session, urls, first)
        assert achievement["creator"]["id"] == urls.ob3_profile(community.issuer.id)
        assert achievement["inLanguage"] == "fr"
    with transaction(runtime.sessions) as session:
        community = find_community(session, "centre")
        assert find_badge_class(session, community, "Place aux jeunes – J'agis").level == 3


def test_a_family_needs_three_levels(runtime) -> None:
    with transaction(runtime.sessions) as session:
        community = create_community(
            session, name="Centre", slug="centre", url="https://c.example", email="c@c.example"
        )
        with pytest.raises(ValueError, match="three"):
            create_family(session, community, "Deux niveaux", LEVELS[:2])


# --- creating and editing from a form (issue 13) ------------------------------------------

SKILL = "60c78287-22eb-4103-9c8c-28deaa460da0"  # ESCO "work in teams"
OTHER_SKILL = "77b636e8-fab3-41a8-8022-1e0a354059dc"
DESIGN = Design(shape="shield", colour="green", icon="microphone", text="Radio")
SCRIPT = "<script>alert('x')</script>"


def _fields(**values) -> BadgeFields:  # type: ignore[no-untyped-def]
    base = {
        "name": "Animer une émission",
        "description": "Tenir le micro d'une émission de radio.",
        "criteria": "Avoir animé une émission d'une heure.",
        "language": "fr",
    }
    base.update(values)
    return BadgeFields(**base)


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_badge_from_a_form_aligns_to_its_skills_with_their_own_uris(issuing: Issuing) -> None:
    urls = PublicUrls("https://chemins.test")
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        badge = create_from_fields(
            session,
            community,
            _fields(
                skill_ids=[SKILL, OTHER_SKILL, SKILL],
                partner_ids=[issuing.partner_id],
                design=DESIGN,
                language="en",
            ),
        )
        assert badge.status == DRAFT
        assert [a.target_url for a in badge.alignments] == [
            f"http://data.europa.eu/esco/skill/{SKILL}",
            f"http://data.europa.eu/esco/skill/{OTHER_SKILL}",
        ]
        assert badge.alignments[0].target_name == "Work in teams"  # the badge's language
        assert badge.image_png == render(DESIGN)
        assert badge.design == {
            "shape": "shield",
            "colour": "green",
            "icon": "microphone",
            "text": "Radio",
        }
        assert [p.name for p in partners_of(badge)] == ["Mairie"]
        # Partners are shown by pages; the OB 3.0 creator stays the community (0028).
        publish(badge)
        session.flush()
        document = ob3_docs.achievement(session, urls, badge)
        assert document["creator"]["id"] == urls.ob3_profile(community.issuer.id)
        assert ob2_docs.badge_class(session, urls, badge)["image"] == urls.badge_image(badge.id)


@pytest.mark.parametrize(
    ("values", "code", "field"),
    [
        ({"name": "   "}, "empty", "name"),
        ({"name": "x" * 201}, "too_long", "name"),
        ({"description": ""}, "empty", "description"),
        ({"criteria": "\n \t"}, "empty", "criteria"),
        ({"criteria": "y" * 4001}, "too_long", "criteria"),
        ({"name": "Radio\u202eoidaR"}, "bad_text", "name"),
        ({"language": "de"}, "bad_language", None),
        ({"skill_ids": ["not-a-skill"]}, "unknown_skill", None),
        (
            {
                "skill_ids": [
                    "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000"
                ]
            },
            "unknown_skill",
            None,
        ),
        ({"partner_ids": ["nobody"]}, "not_a_partner", None),
        ({"design": Design("star", "green", "microphone", "")}, "bad_design", "shape"),
        ({"design": Design("circle", "#ff0000", "microphone", "")}, "bad_design", "colour"),
    ],
)
def test_a_wrong_form_is_refused_and_writes_nothing(
    issuing: Issuing, values: dict, code: str, field: str | None
) -> None:
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        before = _count(session, BadgeClass), _count(session, Alignment)
        with pytest.raises(BadgeClassRefused) as refused:
            create_from_fields(session, community, _fields(**values))
        assert (refused.value.code, refused.value.field) == (code, field)
        assert (_count(session, BadgeClass), _count(session, Alignment)) == before


def test_the_issuer_or_another_communitys_partner_is_no_co_creator(issuing: Issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        other = create_community(
            session, name="Ailleurs", slug="ailleurs", url="https://a.example", email="a@a.example"
        )
        foreign = add_partner(
            session, other, name="Mairie d'ailleurs", url="https://m.example", email="m@m.example"
        )
        for wrong in (foreign.id, community.issuer.id):
            with pytest.raises(BadgeClassRefused, match="not_a_partner"):
                create_from_fields(session, community, _fields(partner_ids=[wrong]))


def test_script_in_text_stays_text_in_the_documents(issuing: Issuing) -> None:
    urls = PublicUrls("https://chemins.test")
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        badge = publish(
            create_from_fields(
                session, community, _fields(name=SCRIPT, description=f"<b>{SCRIPT}</b>")
            )
        )
        session.flush()
        assert badge.name == SCRIPT
        assert ob2_docs.badge_class(session, urls, badge)["name"] == SCRIPT
        assert ob3_docs.achievement(session, urls, badge)["description"] == f"<b>{SCRIPT}</b>"


def test_editing_a_published_badge_changes_its_wording_not_its_awards(issuing: Issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        badge = session.get(BadgeClass, issuing.badge_class_id)
        image = badge.image_png
        edit_badge_class(
            session,
            community,
            badge,
            _fields(name="Écoute active", skill_ids=[SKILL], partner_ids=[issuing.partner_id]),
        )
        assert badge.status == PUBLISHED and badge.image_png == image  # no new image given
        assert [a.target_code for a in badge.alignments] == [SKILL]
        edit_badge_class(session, community, badge, _fields(name="Écoute", design=DESIGN))
        assert badge.name == "Écoute" and badge.image_png == render(DESIGN)
        assert partners_of(badge) == [] and _count(session, Alignment) == 0


def test_another_communitys_badge_or_a_proposal_is_not_edited(issuing: Issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        other = create_community(
            session, name="Ailleurs", slug="ailleurs", url="https://a.example", email="a@a.example"
        )
        badge = session.get(BadgeClass, issuing.badge_class_id)
        with pytest.raises(BadgeClassRefused, match="other_community"):
            edit_badge_class(session, other, badge, _fields())
        badge.status = "proposed"
        with pytest.raises(BadgeClassRefused, match="not_editable"):
            edit_badge_class(session, community, badge, _fields())
        assert badge.name == "Écoute active"


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        (DRAFT, PUBLISHED, True),
        (PUBLISHED, ARCHIVED, True),
        (ARCHIVED, PUBLISHED, True),  # archiving is a pause (0028)
        (DRAFT, ARCHIVED, False),
        (PUBLISHED, DRAFT, False),
        ("proposed", PUBLISHED, False),  # a trainer decides proposals elsewhere
        ("declined", PUBLISHED, False),
        (PUBLISHED, "deleted", False),
    ],
)
def test_status_moves(issuing: Issuing, start: str, to: str, allowed: bool) -> None:
    with transaction(issuing.runtime.sessions) as session:
        badge = session.get(BadgeClass, issuing.badge_class_id)
        badge.status = start
        if allowed:
            assert change_status(badge, to).status == to
            assert change_status(badge, to).status == to  # twice: no change, no refusal
        else:
            with pytest.raises(BadgeClassRefused, match="wrong_state"):
                change_status(badge, to)
            assert badge.status == start


def test_a_family_from_one_form_shares_its_design_with_a_level_each(issuing: Issuing) -> None:
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        family = create_family_from_fields(
            session,
            community,
            FamilyFields(
                name="ABC de la République",
                levels=[
                    ("Écouter.", "Avoir écouté."),
                    ("Essayer.", "Avoir essayé."),
                    ("Agir.", "Avoir agi."),
                ],
                skill_ids=[SKILL],
                design=DESIGN,
            ),
        )
        levels = family.badge_classes
        assert [b.name for b in levels] == [
            "ABC de la République – Je soutiens",
            "ABC de la République – J'explore",
            "ABC de la République – J'agis",
        ]
        assert [b.criteria_narrative for b in levels] == [
            "Avoir écouté.",
            "Avoir essayé.",
            "Avoir agi.",
        ]
        for number, badge in enumerate(levels, start=1):
            assert badge.image_png == render(dataclasses.replace(DESIGN, level=number))
            assert badge.design["level"] == str(number)
            assert [a.target_code for a in badge.alignments] == [SKILL]
        # A level keeps its family name and its level when its wording or design changes.
        edit_badge_class(session, community, levels[1], _fields(name="Autre nom", design=DESIGN))
        assert levels[1].name == "ABC de la République – J'explore"
        assert levels[1].image_png == render(dataclasses.replace(DESIGN, level=2))


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"name": ""}, "empty"),
        ({"name": "n" * 190}, "too_long"),
        ({"levels": [("a", "b"), ("c", "d")]}, "empty"),
        ({"levels": [("a", "b"), ("c", ""), ("e", "f")]}, "empty"),
        ({"skill_ids": ["nope"]}, "unknown_skill"),
        ({"design": Design("circle", "green", "no-such-icon", "")}, "bad_design"),
    ],
)
def test_a_wrong_family_form_writes_nothing(issuing: Issuing, values: dict, code: str) -> None:
    base = {"name": "Famille", "levels": [("a", "b"), ("c", "d"), ("e", "f")]}
    with transaction(issuing.runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        before = _count(session, BadgeClass), _count(session, Family)
        with pytest.raises(BadgeClassRefused, match=code):
            create_family_from_fields(session, community, FamilyFields(**{**base, **values}))
        assert (_count(session, BadgeClass), _count(session, Family)) == before
