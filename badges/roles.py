"""Who may do what in Chemins: the roles people hold in a course, and the rules on them.

A launch says what someone is in one course (a learner, a trainer, an admin of the
platform); :mod:`lti_tool.lti1p3.roles` only maps the platform's role URIs onto these.
The rules below are the one place a page, a command or a workflow asks "may this person
do this?"; a rule takes the facts it needs (a role, whose badge it is), never a request.

Roles are ranked: what a trainer may do, an admin may do too.
"""

from __future__ import annotations

from enum import StrEnum


class CourseRole(StrEnum):
    """What a person is in one course. Stored as its value (``"learner"``...)."""

    LEARNER = "learner"
    TRAINER = "trainer"
    ADMIN = "admin"


LEARNER = CourseRole.LEARNER
TRAINER = CourseRole.TRAINER
ADMIN = CourseRole.ADMIN

#: Rank used to compare roles: a page that needs a trainer also lets an admin in.
RANK: dict[str, int] = {LEARNER: 0, TRAINER: 1, ADMIN: 2}


def at_least(role: str | None, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may do (admin ⊇ trainer ⊇ learner).

    An unknown or missing role ranks below every role: it may do nothing.
    """
    return RANK.get(role or "", -1) >= RANK[needed]


def may_award(role: str | None) -> bool:
    """Award (and later revoke) a badge in a course: its trainers and admins."""
    return at_least(role, TRAINER)


def may_review(role: str | None) -> bool:
    """Answer learners' requests for badges in a course: the people who may award."""
    return may_award(role)


def may_place(role: str | None) -> bool:
    """Place Chemins in a course (Deep Linking) and read its roster: trainers and admins."""
    return at_least(role, TRAINER)


def may_manage_platforms(role: str | None) -> bool:
    """Register or remove LTI platforms from a launch: only a platform's administrator."""
    return role == ADMIN


def may_endorse(endorser_person_id: str | None, holder_person_id: str | None) -> bool:
    """Vouch for someone's badge: anyone but the person who holds it.

    Endorsing your own badge says nothing about it. Organisations (no person behind the
    profile) and people outside any platform may endorse; a badge held by nobody we
    know (an award by e-mail only) may be endorsed by anyone.
    """
    return endorser_person_id is None or endorser_person_id != holder_person_id


def may_see_evidence(
    viewer_person_id: str | None,
    owner_person_id: str | None,
    *,
    viewer_role: str | None,
    public: bool,
) -> bool:
    """See a piece of evidence: everyone once its owner made it public; before that, the
    owner and the trainers of the course it was given in (``viewer_role`` is the viewer's
    role in that course)."""
    if public:
        return True
    if viewer_person_id is not None and viewer_person_id == owner_person_id:
        return True
    return may_review(viewer_role)
