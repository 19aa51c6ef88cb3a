"""The domain's roles and rules: ranks, who awards and reviews, no self-endorsement,
who sees private evidence. Each rule is tried with the wrong value, not only a missing one."""

from __future__ import annotations

import pytest

from badges.roles import (
    ADMIN,
    LEARNER,
    TRAINER,
    at_least,
    may_award,
    may_endorse,
    may_manage_platforms,
    may_place,
    may_review,
    may_see_evidence,
)


def test_rank() -> None:
    assert at_least(ADMIN, TRAINER) and at_least(TRAINER, LEARNER)
    assert not at_least(LEARNER, TRAINER)
    assert not at_least("Instructor", LEARNER)  # an LTI name is not a Chemins role
    assert not at_least(None, LEARNER)


def test_roles_are_stored_as_their_plain_value() -> None:
    assert TRAINER == "trainer" and str(LEARNER) == "learner"


@pytest.mark.parametrize("rule", [may_award, may_review, may_place])
def test_trainers_and_admins_award_review_and_place(rule) -> None:
    assert rule(TRAINER) and rule(ADMIN) and rule("trainer")
    assert not rule(LEARNER) and not rule("teacher") and not rule(None)


def test_only_an_admin_manages_platforms() -> None:
    assert may_manage_platforms(ADMIN)
    assert not may_manage_platforms(TRAINER) and not may_manage_platforms("Administrator")


def test_no_one_endorses_their_own_badge() -> None:
    assert not may_endorse("person-1", "person-1")
    assert may_endorse("person-2", "person-1")
    assert may_endorse(None, "person-1")  # an organisation
    assert may_endorse("person-2", None)  # an award by e-mail only


def test_private_evidence_is_for_its_owner_and_the_course_trainers() -> None:
    owner = "person-1"
    assert may_see_evidence(owner, owner, viewer_role=LEARNER, public=False)
    assert may_see_evidence("trainer-9", owner, viewer_role=TRAINER, public=False)
    assert not may_see_evidence("person-2", owner, viewer_role=LEARNER, public=False)
    assert not may_see_evidence(None, owner, viewer_role=None, public=False)
    assert may_see_evidence(None, owner, viewer_role=None, public=True)
