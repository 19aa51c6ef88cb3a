"""``/trainer/roster``: the course's people as the platform lists them (NRPS).

Trainers award badges to people who may never have opened Chemins; the platform's Names
and Role Provisioning Service gives the whole course. The page shows what the platform
shared (names and e-mails only when its privacy settings allow) and explains plainly
when the platform does not offer the roster or refuses the request. Each person's badges
of the community are listed with them, each with the way to withdraw it
(:mod:`~lti_tool.blueprints.trainer.revoke`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from badges.courses import awards
from badges.models import Assertion, Person
from badges.recognition import communities
from badges.roles import TRAINER
from badges.storage.database import transaction
from lti_tool.blueprints.trainer import bp
from lti_tool.course_roster import course_roster
from lti_tool.launch_handle import current_launch, requires_launch
from lti_tool.lti1p3.names_roles import Member, Roster
from lti_tool.lti1p3.roles import chemins_role
from lti_tool.lti1p3.service_errors import (
    InvalidScope,
    PlatformServiceError,
    ServiceNotOffered,
    ServiceUrlRefused,
)
from lti_tool.runtime_access import runtime_of

#: The trainer audience's logger (``lti_tool.blueprints.trainer``).
log = logging.getLogger(__package__)


@bp.get("/trainer/roster")
@requires_launch(role=TRAINER)
def roster() -> tuple[str, int]:
    """The course roster, every page of it."""
    members: Roster | None = None
    problem: str | None = None
    status = 200
    try:
        members = course_roster(current_launch())
    except (ServiceNotOffered, InvalidScope):
        problem = _(
            "Your platform does not share the course's list of participants with Chemins. "
            "An administrator can enable it (in Moodle: the tool's “IMS LTI Names and Role "
            "Provisioning” setting)."
        )
    except ServiceUrlRefused:
        problem = _(
            "Your platform gave an address for the course's participants that is not part "
            "of its registration, so Chemins did not ask it. An administrator can check the "
            "platform's registration in Chemins."
        )
        status = 502
    except PlatformServiceError as error:
        log.warning("roster failed: %s (status %s)", error, error.status)
        problem = _("Your platform did not answer. Try again in a moment.")
        status = 502
    launch = current_launch()
    listed = members.members if members else ()
    with transaction(runtime_of(current_app).sessions) as session:
        award = communities.assistants_award(session, launch.community_id)
        held = _badges_held(session, launch.platform_id, launch.community_id, listed)
        people = [
            {
                "name": m.display_name,
                "email": m.email,
                "role": chemins_role(m.roles, assistants_award=award),
                "active": m.active,
                "badges": held.get(m.user_id, []),
            }
            for m in listed
        ]
        page = render_template("trainer/roster.html", people=people, problem=problem, launch=launch)
    return page, status


def _badges_held(
    session: Session, platform_id: str, community_id: str, listed: Sequence[Member]
) -> dict[str, list[Assertion]]:
    """The community's current awards of each listed member Chemins knows, by their sub."""
    subs = [m.user_id for m in listed]
    if not subs:
        return {}
    known = session.scalars(
        select(Person).where(Person.platform_id == platform_id, Person.sub.in_(subs))
    )
    return {
        person.sub: list(awards.holdings(session, person, community_id).values())
        for person in known
    }
