"""Badge classes and families: drafts until published, three linked levels."""

from __future__ import annotations

import pytest

from badges.publishing import ob2 as ob2_docs
from badges.publishing import ob3 as ob3_docs
from badges.publishing.public_urls import PublicUrls
from badges.recognition.badge_classes import (
    AlignmentTarget,
    Level,
    create_family,
    family_members,
    find_badge_class,
    publish_family,
)
from badges.recognition.communities import create_community, find_community
from badges.storage.database import transaction

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
