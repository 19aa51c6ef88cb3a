"""Names and Role Provisioning Services 2.0: reading a course's roster from the platform.

A trainer sees who is in the course (to award a badge to several learners at once)
without each learner having launched the tool first. The launch's
``namesroleservice`` claim says where the membership container is; the tool asks for a
token with the NRPS scope only when that claim is present, follows ``rel="next"`` pages
until the last one, and keeps the members' optional fields only when the platform sent
them (privacy settings decide, see reference §5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from lti_tool.lti1p3.claims import NRPS_CLAIM, NRPS_SCOPE
from lti_tool.lti1p3.paging import next_page
from lti_tool.lti1p3.service_call import call_service
from lti_tool.lti1p3.service_errors import ServiceCallFailed, ServiceNotOffered
from lti_tool.lti1p3.service_token import PlatformAccess, ServiceTokens

MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
#: A platform that keeps answering with a ``next`` link must not hold a trainer's page
#: forever: 200 pages of the platform's default size covers any real course.
MAX_PAGES = 200


@dataclass(frozen=True)
class Member:
    """One person in the course, as NRPS describes them."""

    user_id: str
    roles: tuple[str, ...]
    status: str = "Active"
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    picture: str | None = None

    @property
    def active(self) -> bool:
        return self.status == "Active"

    @property
    def display_name(self) -> str | None:
        """The best human name the platform shared, if it shared any."""
        if self.name:
            return self.name
        parts = [part for part in (self.given_name, self.family_name) if part]
        return " ".join(parts) or None


@dataclass(frozen=True)
class Roster:
    """The members of one context, gathered across every page."""

    context: Mapping[str, Any]
    members: tuple[Member, ...]
    pages: int = field(default=1)


def memberships_url(claims: Mapping[str, Any]) -> str:
    """The ``context_memberships_url`` of a launch, or :class:`ServiceNotOffered`."""
    claim = claims.get(NRPS_CLAIM)
    url = claim.get("context_memberships_url") if isinstance(claim, Mapping) else None
    if not isinstance(url, str) or not url:
        raise ServiceNotOffered("the platform does not share the course roster with the tool")
    return url


def parse_member(data: Mapping[str, Any]) -> Member | None:
    """A member from its JSON; entries without ``user_id`` are skipped as unusable."""
    user_id = data.get("user_id")
    if not isinstance(user_id, str | int) or str(user_id) == "":
        return None
    roles = data.get("roles")

    def text(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) and value else None

    return Member(
        user_id=str(user_id),
        roles=tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else (),
        status=text("status") or "Active",
        name=text("name"),
        given_name=text("given_name"),
        family_name=text("family_name"),
        email=text("email"),
        picture=text("picture"),
    )


def fetch_roster(
    tokens: ServiceTokens,
    platform: PlatformAccess,
    launch_claims: Mapping[str, Any],
    *,
    role: str | None = None,
    limit: int | None = None,
) -> Roster:
    """Every member of the launch's context, following the platform's pages."""
    url = memberships_url(launch_claims)
    params = {k: v for k, v in (("role", role), ("limit", limit)) if v is not None}
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    members: list[Member] = []
    context: Mapping[str, Any] = {}
    seen: set[str] = set()
    pages = 0
    next_url: str | None = url
    while next_url and pages < MAX_PAGES:
        if next_url in seen:
            break
        seen.add(next_url)
        response = call_service(
            tokens, platform, {NRPS_SCOPE}, "GET", next_url, headers={"Accept": MEDIA_TYPE}
        )
        pages += 1
        try:
            body = response.json()
        except ValueError as exc:
            raise ServiceCallFailed("the roster service did not answer with JSON") from exc
        if not isinstance(body, dict) or not isinstance(body.get("members"), list):
            raise ServiceCallFailed("the roster service's answer has no members list")
        if not context and isinstance(body.get("context"), dict):
            context = body["context"]
        for entry in body["members"]:
            if isinstance(entry, Mapping) and (member := parse_member(entry)):
                members.append(member)
        next_url = next_page(response.headers.get("Link"), response.url or next_url)
    return Roster(context=context, members=tuple(members), pages=pages)
