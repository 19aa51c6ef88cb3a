"""Workflow fixtures: a community with a published badge class, on both databases."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from badges.recognition.badge_classes import AlignmentTarget, create_badge_class, publish
from badges.recognition.communities import add_partner, create_community
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from tests.badges.course_world import CourseWorld, make_course


@dataclass
class Issuing:
    runtime: Runtime
    community_id: str
    badge_class_id: str
    partner_id: str


@pytest.fixture
def issuing(runtime: Runtime) -> Issuing:
    """A community "Centre" with one published badge class and one partner."""
    with transaction(runtime.sessions) as session:
        community = create_community(
            session,
            name="Centre social",
            slug="centre",
            url="https://centre.example.org",
            email="contact@centre.example.org",
        )
        badge = create_badge_class(
            session,
            community,
            name="Écoute active",
            description="Écouter sans juger.",
            criteria="Avoir accueilli trois personnes à la permanence.",
            alignments=[
                AlignmentTarget("Compétences sociales", "https://esco.example/T4", target_code="T4")
            ],
        )
        publish(badge)
        partner = add_partner(
            session,
            community,
            name="Mairie",
            url="https://mairie.example.org",
            email="jeunesse@mairie.example.org",
        )
        return Issuing(runtime, community.id, badge.id, partner.id)


@pytest.fixture
def course_world(runtime: Runtime) -> CourseWorld:
    """A course with a trainer, two learners and badges of every status (course_world.py)."""
    return make_course(runtime)
