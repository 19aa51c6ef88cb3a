"""The launched course's roster, read from the platform (NRPS) for the launch's deployment.

Two pages need it: the trainer's participants list and the "award this badge" form,
which offers people who never opened Chemins. Both read it as the launch's deployment
(its registration's client id and token URL) and from the URL the platform gave with
the course, so a page can only ever read the roster of the course it was launched from;
that URL is only called on the registration's origins (see
:mod:`lti_tool.lti1p3.service_origin`).
"""

from __future__ import annotations

from flask import current_app

from badges.models import Context, Deployment
from badges.platforms.registering import known_origins
from badges.storage.database import transaction
from lti_tool.launch_handle import LaunchContext
from lti_tool.lti1p3.claims import NRPS_CLAIM
from lti_tool.lti1p3.names_roles import Roster, fetch_roster
from lti_tool.lti1p3.service_token import PlatformAccess
from lti_tool.runtime_access import runtime_of
from lti_tool.tool_identity import service_tokens


def roster_source(launch: LaunchContext) -> tuple[PlatformAccess, str | None]:
    """Who asks (the launch's deployment) and where (the course's memberships URL)."""
    with transaction(runtime_of(current_app).sessions) as session:
        deployment = session.get(Deployment, launch.deployment_pk)
        assert deployment is not None
        registration = deployment.registration
        access = PlatformAccess(
            issuer=registration.platform.issuer,
            client_id=registration.client_id,
            token_url=registration.auth_token_url,
            deployment_id=deployment.deployment_id,
            known_origins=known_origins(registration),
        )
        context = session.get(Context, launch.context_pk) if launch.context_pk else None
        url = context.memberships_url if context is not None else None
        return access, url


def course_roster(launch: LaunchContext) -> Roster:
    """Every member of the launch's course; raises the service errors of ``fetch_roster``.

    :class:`~lti_tool.lti1p3.service_errors.ServiceNotOffered` when the platform gave
    no roster URL for this course, :class:`~lti_tool.lti1p3.service_errors.ServiceUrlRefused`
    when that URL is off the registration's origins.
    """
    access, url = roster_source(launch)
    claims = {NRPS_CLAIM: {"context_memberships_url": url}} if url else {}
    return fetch_roster(service_tokens(current_app), access, claims)
