"""Whom a trainer may award a badge to, in the launch's course.

The people who launched in the course, then those the platform's roster (NRPS) adds:
a trainer awards people who may never have opened Chemins. Each candidate is offered
as an opaque form value (``person:<id>`` or ``roster:<sub>``); the chosen one is
proven to be a learner of the course again when the form comes back, never trusted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import abort
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from badges.courses import awards, people
from badges.models import BadgeClass, Context, Person
from badges.recognition import communities
from badges.roles import LEARNER
from lti_tool.course_roster import course_roster
from lti_tool.launch_handle import LaunchContext
from lti_tool.lti1p3.names_roles import Member
from lti_tool.lti1p3.roles import chemins_role
from lti_tool.lti1p3.service_errors import PlatformServiceError

log = logging.getLogger(__name__)

PERSON = "person:"
ROSTER = "roster:"


@dataclass(frozen=True)
class Candidate:
    """Someone the trainer may award: a member of the course, or of its roster."""

    value: str
    label: str
    holds: bool
    #: The award a holder holds (to revoke it from the award page), None otherwise.
    assertion_id: str | None = None


def _label(person_name: str | None, email: str | None, sub: str) -> str:
    if person_name:
        return person_name
    if email:
        return email
    return _("Participant %(id)s (name not shared)", id=sub[:8])


def roster_learners(launch: LaunchContext, assistants_award: bool) -> tuple[list[Member], bool]:
    """Active learners of the platform's roster, and whether the roster could be read.

    Learners by the community's rule: a teaching assistant who also learns is one unless
    the community lets assistants award (then they award rather than receive here).
    """
    try:
        roster = course_roster(launch)
    except PlatformServiceError as error:
        log.info("no roster for the award form: %s (status %s)", error, error.status)
        return [], False
    learners = [
        m
        for m in roster.members
        if m.active and chemins_role(m.roles, assistants_award=assistants_award) == LEARNER
    ]
    return learners, True


def candidates(
    session: Session, launch: LaunchContext, badge: BadgeClass, context: Context
) -> tuple[list[Candidate], bool]:
    """Learners of the course (launched, then roster-only), holders marked."""
    found: list[Candidate] = []
    known: set[str] = set()
    for membership in people.members(session, context, LEARNER):
        person = membership.person
        known.add(person.sub)
        held = awards.held_by(session, badge, person)
        found.append(
            Candidate(
                PERSON + person.id,
                _label(person.display_name, person.email, person.sub),
                held is not None,
                held.id if held is not None else None,
            )
        )
    roster, roster_read = roster_learners(
        launch, communities.assistants_award(session, launch.community_id)
    )
    for member in roster:
        if member.user_id not in known:
            known.add(member.user_id)
            label = _label(member.display_name, member.email, member.user_id)
            found.append(Candidate(ROSTER + member.user_id, label, False))
    return found, roster_read


def chosen_learners(
    session: Session, launch: LaunchContext, context: Context, choices: list[str]
) -> list[Person]:
    """The chosen learners (form values), each proven to be in the course; 400 otherwise.

    The platform's roster is read once for the whole selection, and roster members
    become people of the course (as a launch would make them) so the award can point at
    them.
    """
    chosen: list[Person] = []
    roster: dict[str, Member] | None = None
    for choice in dict.fromkeys(choices):
        if choice.startswith(PERSON):
            found = people.membership(session, context, choice[len(PERSON) :])
            if found is None or found.role != LEARNER:
                abort(400)
            chosen.append(found.person)
        elif choice.startswith(ROSTER):
            if roster is None:
                learners, _read = roster_learners(
                    launch, communities.assistants_award(session, launch.community_id)
                )
                roster = {m.user_id: m for m in learners}
            member = roster.get(choice[len(ROSTER) :])
            if member is None:
                abort(400)
            entry = people.RosterEntry(
                sub=member.user_id,
                role=LEARNER,
                lti_roles=member.roles,
                name=member.name,
                given_name=member.given_name,
                family_name=member.family_name,
                email=member.email,
            )
            chosen.append(people.enrol(session, context, launch.platform_id, entry).person)
        else:
            abort(400)
    return chosen
