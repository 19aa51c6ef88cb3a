"""Role mapping: LTI role URIs (full, short, sub-roles, unknown) → learner/trainer/admin."""

from __future__ import annotations

import pytest

from badges.roles import ADMIN, LEARNER, TRAINER
from lti_tool.lti1p3.roles import (
    chemins_role,
    parse_role,
    teaching_assistant_learner,
)

M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INST = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYS = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        ([M + "Instructor"], TRAINER),
        ([M + "ContentDeveloper"], TRAINER),
        ([M + "Administrator"], TRAINER),
        ([TA], TRAINER),
        ([M + "Learner"], LEARNER),
        ([M + "Mentor"], LEARNER),
        (["Instructor"], TRAINER),
        (["Learner"], LEARNER),
        (["http://example.org/roles#Wizard"], LEARNER),
        ([], LEARNER),
        ([INST + "Administrator"], ADMIN),
        ([SYS + "Administrator"], ADMIN),
        ([INST + "Faculty"], LEARNER),
        ([M + "Learner", M + "Instructor"], TRAINER),
        (
            [M + "Learner", "http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#Instructor"],
            LEARNER,
        ),
        (["http://purl.imsglobal.org/vocab/lis/v2/person#Administrator"], ADMIN),
    ],
)
def test_chemins_role(roles: list[str], expected: str) -> None:
    assert chemins_role(roles) == expected


# The Open edX role table of reference/lti13.md §10.2, as xblock-lti-consumer sends it.
NONE = [SYS + "None", INST + "None"]
OPENEDX = {
    "instructor": ([*NONE, M + "Administrator", M + "Instructor"], TRAINER),
    "staff": ([*NONE, M + "Instructor"], TRAINER),
    "limited_staff": ([*NONE, M + "Instructor"], TRAINER),
    "global_staff": (
        [
            SYS + "Administrator",
            INST + "Administrator",
            INST + "Staff",
            INST + "Faculty",
            INST + "Instructor",
            M + "Administrator",
            M + "Instructor",
        ],
        ADMIN,
    ),
    "student": ([*NONE, M + "Learner"], LEARNER),
    "forum-administrator": ([*NONE, M + "Learner"], LEARNER),
    # Open edX refuses them Deep Linking; a learner here unless the community says so.
    "community-ta": ([*NONE, M + "Learner", TA], LEARNER),
}


@pytest.mark.parametrize("name", list(OPENEDX))
def test_openedx_roles(name: str) -> None:
    roles, expected = OPENEDX[name]
    assert chemins_role(roles) == expected


@pytest.mark.parametrize(
    ("roles", "allowed", "expected"),
    [
        ([M + "Learner", TA], False, LEARNER),
        ([M + "Learner", TA], True, TRAINER),
        (["Learner", "Instructor#TeachingAssistant"], False, LEARNER),
        ([M + "Learner", M + "TeachingAssistant"], False, LEARNER),
        # Not a learner of the course: an assistant teaches.
        ([TA], False, TRAINER),
        # A real Instructor who is also enrolled as a Learner stays a trainer.
        ([M + "Learner", TA, M + "Instructor"], False, TRAINER),
        # The choice never lowers an admin nor raises a plain learner.
        ([SYS + "Administrator", M + "Learner", TA], False, ADMIN),
        ([M + "Learner"], True, LEARNER),
    ],
)
def test_teaching_assistants_who_are_learners(roles, allowed, expected) -> None:
    assert chemins_role(roles, assistants_award=allowed) == expected


def test_only_an_assistant_learner_needs_the_community_choice() -> None:
    assert teaching_assistant_learner([M + "Learner", TA])
    assert not teaching_assistant_learner([TA])
    assert not teaching_assistant_learner([M + "Learner", TA, M + "Instructor"])
    assert not teaching_assistant_learner([M + "Learner"])


def test_parse_role_splits_sub_roles() -> None:
    role = parse_role(TA)
    assert (role.vocabulary, role.name, role.sub_role) == (
        "membership",
        "Instructor",
        "TeachingAssistant",
    )
    assert parse_role("Instructor#TeachingAssistant").sub_role == "TeachingAssistant"
