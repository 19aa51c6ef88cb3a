"""From a validated launch's claims to the facts :mod:`badges.courses.launches` records.

The validator (:mod:`lti_tool.lti1p3.message_launch`) proves the claims are the
platform's and well formed where the specification says so; what they mean for
Chemins (which columns hold which claim, how long a title may be, which claims a launch
session keeps) is decided here, in one pure function of a dictionary: no Flask, no
database, so every mapping rule is tested with plain dicts. The web layer only adds
what the store knows (the state, the platform and deployment rows) and whether the
community lets teaching assistants award.

Claims the specification leaves free (names, titles, URLs, custom parameters) are
taken only when they are non-empty strings and are cut to their column's size: a
platform's odd value is dropped or shortened, never refused and never stored as is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from badges.courses.launches import ContextFacts, LaunchFacts, ResourceLinkFacts
from lti_tool.lti1p3.claims import (
    AGS_ENDPOINT,
    AGS_LINEITEM_SCOPE,
    AGS_SCORE_SCOPE,
    CONTEXT,
    CUSTOM,
    DEEP_LINKING_SETTINGS,
    LAUNCH_PRESENTATION,
    MESSAGE_TYPE,
    NRPS_CLAIM,
    RESOURCE_LINK,
    ROLES,
)
from lti_tool.lti1p3.roles import chemins_role

#: The claims a launch session keeps for the pages of the launch: its custom parameters
#: (which badge an "ask for this badge" page is for) and a Deep Linking request's
#: settings. Everything else the launch says is in columns (person, course, link,
#: role) or not kept: names and e-mails are not copied into every session row.
SESSION_CLAIMS = (CUSTOM, DEEP_LINKING_SETTINGS)


def text(value: Any, limit: int) -> str | None:
    """A claim value fit for a column: a non-empty string cut to ``limit``, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value[:limit]


def _object(value: Any) -> Mapping[str, Any]:
    """A claim that should be a JSON object, or an empty one."""
    return value if isinstance(value, Mapping) else {}


def lti_roles(claims: Mapping[str, Any]) -> tuple[str, ...]:
    """The launch's role URIs (the validator made sure they are an array of strings)."""
    roles = claims.get(ROLES)
    return tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else ()


def _context(claims: Mapping[str, Any]) -> ContextFacts | None:
    context = _object(claims.get(CONTEXT))
    if not isinstance(context.get("id"), str) or not context["id"]:
        return None
    nrps = _object(claims.get(NRPS_CLAIM))
    return ContextFacts(
        context_id=context["id"],
        title=text(context.get("title"), 500),
        label=text(context.get("label"), 200),
        memberships_url=text(nrps.get("context_memberships_url"), 1000),
    )


def _resource_link(claims: Mapping[str, Any]) -> ResourceLinkFacts | None:
    link = _object(claims.get(RESOURCE_LINK))
    if not isinstance(link.get("id"), str) or not link["id"]:
        return None
    custom = _object(claims.get(CUSTOM))
    ags = _object(claims.get(AGS_ENDPOINT))
    scopes = ags.get("scope") if isinstance(ags.get("scope"), list) else []
    granted = tuple(s for s in scopes if isinstance(s, str))
    return ResourceLinkFacts(
        resource_link_id=link["id"],
        title=text(link.get("title"), 500),
        custom_target=text(custom.get("target"), 200),
        custom_badge=text(custom.get("badge"), 200),
        custom_grade=text(custom.get("grade"), 20),
        lineitem_url=text(ags.get("lineitem"), 1000),
        lineitems_url=text(ags.get("lineitems"), 1000),
        ags_scopes=granted,
        may_score=AGS_SCORE_SCOPE in granted,
        may_create_columns=AGS_LINEITEM_SCOPE in granted,
    )


def launch_facts(
    claims: Mapping[str, Any],
    *,
    state: str,
    platform_id: str,
    deployment_pk: str,
    assistants_award: bool = False,
) -> LaunchFacts:
    """What a validated launch tells Chemins, column by column.

    ``claims`` is the verified id_token payload; ``state``, ``platform_id`` and
    ``deployment_pk`` are the store's rows for it; ``assistants_award`` is the
    community's rule for teaching assistants who also learn (it decides their role).
    """
    roles = lti_roles(claims)
    presentation = _object(claims.get(LAUNCH_PRESENTATION))
    return LaunchFacts(
        state=state,
        platform_id=platform_id,
        deployment_pk=deployment_pk,
        sub=claims["sub"],
        message_type=str(claims.get(MESSAGE_TYPE)),
        role=chemins_role(roles, assistants_award=assistants_award),
        lti_roles=roles,
        name=text(claims.get("name"), 200),
        given_name=text(claims.get("given_name"), 200),
        family_name=text(claims.get("family_name"), 200),
        email=text(claims.get("email"), 254),
        locale=text(presentation.get("locale") or claims.get("locale"), 20),
        return_url=text(presentation.get("return_url"), 2000),
        context=_context(claims),
        resource_link=_resource_link(claims),
        claims={name: claims[name] for name in SESSION_CLAIMS if name in claims},
    )
