"""``/trainer/roster``: the course's people as the platform lists them (NRPS).

Trainers award badges to people who may never have opened Chemins; the platform's Names
and Role Provisioning Service gives the whole course. The page shows what the platform
shared (names and e-mails only when its privacy settings allow) and explains plainly
when the platform does not offer the roster or refuses the request.
"""

from __future__ import annotations

import logging

from flask import current_app, render_template
from flask_babel import gettext as _

from badges.recognition import communities
from badges.roles import TRAINER
from badges.storage.database import transaction
from lti_tool.blueprints.trainer import bp
from lti_tool.course_roster import course_roster
from lti_tool.launch_handle import current_launch, requires_launch
from lti_tool.lti1p3.names_roles import Roster
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
    with transaction(runtime_of(current_app).sessions) as session:
        award = communities.assistants_award(session, current_launch().community_id)
    people = [
        {
            "name": m.display_name,
            "email": m.email,
            "role": chemins_role(m.roles, assistants_award=award),
            "active": m.active,
        }
        for m in (members.members if members else ())
    ]
    page = render_template(
        "trainer/roster.html", people=people, problem=problem, launch=current_launch()
    )
    return page, status
