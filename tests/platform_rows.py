"""A registered platform and its logins, written straight to the database.

Tests of launches, of the launch store and of the CLI need a platform to exist before
anything happens; they all register it the way an admin does (:func:`register_platform`,
with its checks), with endpoints under the issuer. Tests of what older versions or a
bypassed form may have left need rows no check would let through:
:func:`stored_unchecked` writes those.
"""

from __future__ import annotations

import uuid
from typing import NamedTuple

from badges.models import Community, Deployment, LaunchState, Platform, Registration
from badges.platforms.registering import PlatformFields, register_platform
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from tests.conftest import BASE_URL

ISSUER = "https://moodle.example.org"
#: Where a login sends the launch back to: the tool's launch URL.
TARGET_LINK_URI = f"{BASE_URL}/lti/launch"


class RegisteredPlatform(NamedTuple):
    """The ids a test needs of a registration (it unpacks like the tuple it is)."""

    registration_id: str
    platform_id: str
    #: The primary key of the row of the first deployment id registered.
    deployment_pk: str


def platform_fields(
    issuer: str = ISSUER,
    client_id: str = "c",
    deployments: tuple[str, ...] = ("1",),
    community: str | None = None,
) -> PlatformFields:
    """A manual registration's fields, its endpoints under ``issuer``."""
    return PlatformFields(
        issuer,
        client_id,
        deployments,
        f"{issuer}/auth",
        f"{issuer}/token",
        f"{issuer}/jwks",
        community,
    )


def registered_platform(
    runtime: Runtime,
    issuer: str = ISSUER,
    client_id: str = "c",
    deployments: tuple[str, ...] = ("1",),
    community: str | None = None,
) -> RegisteredPlatform:
    """Register ``client_id`` of ``issuer`` with ``deployments``, as an admin would."""
    with transaction(runtime.sessions) as session:
        registration = register_platform(
            session,
            platform_fields(issuer, client_id, deployments, community),
            runtime.instance.origin,
        )
        (first,) = [d for d in registration.deployments if d.deployment_id == deployments[0]]
        return RegisteredPlatform(registration.id, registration.platform_id, first.id)


def issue_login_state(
    runtime: Runtime, registration_id: str, state: str, lti_deployment_id: str | None = None
) -> None:
    """The row a login leaves: ``state``, its nonce ``n-<state>``, the tool's launch URL."""
    with transaction(runtime.sessions) as session:
        session.add(
            LaunchState(
                state=state,
                nonce=f"n-{state}",
                registration_id=registration_id,
                target_link_uri=TARGET_LINK_URI,
                lti_deployment_id=lti_deployment_id,
            )
        )


def stored_unchecked(runtime: Runtime, issuer: str, endpoint: str) -> None:
    """A registration as stored whatever a form or an older version let through: deployment
    ``1`` in a community of its own, ``endpoint`` for each of its URLs, nothing checked."""
    with transaction(runtime.sessions) as session:
        tag = uuid.uuid4().hex[:12]
        community = Community(name=f"Centre {tag}", slug=f"c-{tag}")
        platform = Platform(issuer=issuer)
        registration = Registration(
            platform=platform,
            client_id="c",
            auth_login_url=endpoint,
            auth_token_url=endpoint,
            jwks_url=endpoint,
        )
        session.add_all([community, platform, registration])
        session.flush()
        session.add(Deployment(registration=registration, deployment_id="1", community=community))
