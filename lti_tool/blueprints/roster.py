"""``/trainer/roster``: the course's people as the platform lists them (NRPS).

Trainers award badges to people who may never have opened Chemins; the platform's Names
and Role Provisioning Service gives the whole course. The page shows what the platform
shared (names and e-mails only when its privacy settings allow) and explains plainly
when the platform does not offer the roster or refuses the request.
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _

from badges.models import Context, Deployment
from badges.storage import transaction
from lti_tool.app import runtime_of
from lti_tool.launch_handle import current_launch, requires_launch
from lti_tool.lti1p3.names_roles import CLAIM, Roster, fetch_roster
from lti_tool.lti1p3.roles import TRAINER, chemins_role
from lti_tool.lti1p3.service_errors import InvalidScope, PlatformServiceError, ServiceNotOffered
from lti_tool.lti1p3.service_token import PlatformAccess
from lti_tool.tool_identity import service_tokens

log = logging.getLogger(__name__)

bp = Blueprint("roster", __name__, url_prefix="/trainer")


def _access_and_url() -> tuple[PlatformAccess, str | None]:
    launch = current_launch()
    with transaction(runtime_of(current_app).sessions) as session:
        deployment = session.get(Deployment, launch.deployment_pk)
        assert deployment is not None
        registration = deployment.registration
        access = PlatformAccess(
            issuer=registration.platform.issuer,
            client_id=registration.client_id,
            token_url=registration.auth_token_url,
            deployment_id=deployment.deployment_id,
        )
        context = session.get(Context, launch.context_pk) if launch.context_pk else None
        url = context.memberships_url if context is not None else None
        return access, url


@bp.get("/roster")
@requires_launch(role=TRAINER)
def roster() -> tuple[str, int]:
    """The course roster, every page of it."""
    access, url = _access_and_url()
    members: Roster | None = None
    problem: str | None = None
    status = 200
    try:
        claims = {CLAIM: {"context_memberships_url": url}} if url else {}
        members = fetch_roster(service_tokens(current_app), access, claims)
    except (ServiceNotOffered, InvalidScope):
        problem = _(
            "Your platform does not share the course's list of participants with Chemins. "
            "An administrator can enable it (in Moodle: the tool's “IMS LTI Names and Role "
            "Provisioning” setting)."
        )
    except PlatformServiceError as error:
        log.warning("roster of %s failed: %s (status %s)", url, error, error.status)
        problem = _("Your platform did not answer. Try again in a moment.")
        status = 502
    people = [
        {
            "name": m.display_name,
            "email": m.email,
            "role": chemins_role(m.roles),
            "active": m.active,
        }
        for m in (members.members if members else ())
    ]
    page = render_template(
        "trainer/roster.html", people=people, problem=problem, launch=current_launch()
    )
    return page, status
