"""Manual registrations: the service origins an admin adds, and every origin they know."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from badges.models import Community
from badges.platforms.registering import (
    PlatformError,
    PlatformFields,
    known_origins,
    register_platform,
)
from badges.storage.database import transaction
from badges.storage.runtime import Runtime

ORIGIN = "https://chemins.test"


def _fields(**values: object) -> PlatformFields:
    base: dict[str, object] = {
        "issuer": "https://canvas.example",
        "client_id": "10000000000001",
        "deployment_ids": ("1",),
        "auth_login_url": "https://sso.canvas.example/api/lti/authorize_redirect",
        "auth_token_url": "https://sso.canvas.example/login/oauth2/token",
        "jwks_url": "https://sso.canvas.example/api/lti/security/jwks",
    }
    base.update(values)
    return PlatformFields(**base)  # type: ignore[arg-type]


def test_service_origins_are_kept_as_origins_and_known_with_the_others(runtime: Runtime):
    with transaction(runtime.sessions) as session:
        registration = register_platform(
            session,
            _fields(
                service_origins=("HTTPS://School.Instructure.example:443/", "http://x.example:8080")
            ),
            ORIGIN,
        )
        assert registration.service_origins == [
            "http://x.example:8080",
            "https://school.instructure.example",
        ]
        assert known_origins(registration) == {
            "https://canvas.example",
            "https://sso.canvas.example",
            "https://school.instructure.example",
            "http://x.example:8080",
        }


def test_adding_again_without_origins_keeps_them(runtime: Runtime):
    with transaction(runtime.sessions) as session:
        register_platform(session, _fields(service_origins=("https://a.example",)), ORIGIN)
        again = register_platform(session, _fields(deployment_ids=("2",)), ORIGIN)
        assert again.service_origins == ["https://a.example"]
        replaced = register_platform(
            session, _fields(service_origins=("https://b.example",)), ORIGIN
        )
        assert replaced.service_origins == ["https://b.example"]


@pytest.mark.parametrize(
    "value",
    [
        "school.instructure.example",
        "https://a.example/api/lti",
        "ftp://a.example",
        "https://a:99999",
    ],
)
def test_a_service_origin_must_be_a_plain_origin(runtime: Runtime, value: str):
    with transaction(runtime.sessions) as session, pytest.raises(PlatformError):
        register_platform(session, _fields(service_origins=(value,)), ORIGIN)


def test_adding_again_under_another_name_leaves_no_empty_community(runtime: Runtime):
    """Re-running ``chemins platform add`` with a new ``--community`` for known deployments."""
    with transaction(runtime.sessions) as session:
        first = register_platform(session, _fields(community="Les Tilleuls"), ORIGIN)
        kept = first.deployments[0].community_id
        again = register_platform(session, _fields(community="Une autre"), ORIGIN)
        assert [d.community_id for d in again.deployments] == [kept]
        assert list(session.scalars(select(Community.name))) == ["Les Tilleuls"]
        # A new deployment named with the new community does create it, for that deployment.
        more = register_platform(
            session, _fields(deployment_ids=("1", "2"), community="Une autre"), ORIGIN
        )
        names = {d.deployment_id: d.community.name for d in more.deployments}
        assert names == {"1": "Les Tilleuls", "2": "Une autre"}
