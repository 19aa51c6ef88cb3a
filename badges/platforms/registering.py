"""Registering LTI platforms by hand: what ``chemins platform`` and the admin page do.

The same three fields a platform admin copies from Moodle or Open edX (issuer,
client_id, deployment ids) plus the platform's three endpoints make a registration.
Several client_ids per issuer are normal (Open edX makes one per component); adding a
client_id that exists updates its endpoints and adds the new deployment ids, so the
command is safe to run again. Each new deployment is attached to a community, created
with its issuer profile when the name is new; deployments it already has keep theirs,
and no community is created when there is no new deployment to put in it.

A registration also says where the platform's services may be: launches name their
roster and gradebook URLs, and the tool only calls them on the registration's own
origins (:func:`known_origins`), plus the ones an admin adds for platforms that serve
them elsewhere (``service_origins``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badges.models import Community, Deployment, Platform, Registration
from badges.outbound.origins import origin, origins
from badges.recognition.communities import create_community

DEFAULT_COMMUNITY = "Chemins"


class PlatformError(ValueError):
    """A registration that cannot be saved as given (bad URL, unknown client...)."""


@dataclass(frozen=True)
class PlatformFields:
    """The fields of a manual registration, as the CLI and the admin form take them."""

    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_login_url: str
    auth_token_url: str
    jwks_url: str
    community: str | None = None
    #: Attach new deployments to this community id instead of one found by name.
    community_id: str | None = None
    #: Extra origins where the platform's services live (Canvas); empty keeps the known ones.
    service_origins: tuple[str, ...] = ()


def _check_url(name: str, value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise PlatformError(f"{name} must be an absolute http(s) URL: {value!r}")
    return value


def _check_origin(value: str) -> str:
    """An admin's service origin, as ``scheme://host[:port]`` (a path is not allowed)."""
    url = _check_url("service origin", value)
    parts = urlsplit(url)
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise PlatformError(f"a service origin is scheme://host[:port] only: {value!r}")
    try:
        return origin(url)
    except OSError as exc:  # an impossible port
        raise PlatformError(f"service origin is not a web address: {value!r}") from exc


def known_origins(registration: Registration) -> frozenset[str]:
    """Every origin where ``registration``'s services may be called.

    The origins of its issuer, login, token and JWKS URLs, and those an admin added.
    """
    return origins(
        (
            registration.platform.issuer,
            registration.auth_login_url,
            registration.auth_token_url,
            registration.jwks_url,
            *(registration.service_origins or ()),
        )
    )


def community_slug(name: str) -> str:
    """The URL-safe slug a community named ``name`` gets (accents dropped, dashes).

    Public because registration pages check for an existing community by name or slug
    before creating one, and must compute the slug exactly as creation does.
    """
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "community"


def community_named(session: Session, name: str, origin: str) -> Community:
    """The community called ``name`` (by name or slug), created with its issuer if new."""
    slug = community_slug(name)
    found = session.scalars(
        select(Community).where((Community.name == name) | (Community.slug == slug))
    ).first()
    if found is not None:
        return found
    host = urlsplit(origin).hostname or "localhost"
    return create_community(session, name=name, slug=slug, url=origin, email=f"contact@{host}")


def register_platform(session: Session, fields: PlatformFields, origin: str) -> Registration:
    """Create or update the registration described by ``fields``; return it."""
    issuer = _check_url("issuer", fields.issuer)
    client_id = fields.client_id.strip()
    if not client_id or len(client_id) > 255:
        raise PlatformError("client_id must be 1 to 255 characters")
    deployment_ids = [d.strip() for d in fields.deployment_ids if d.strip()]
    if not deployment_ids:
        raise PlatformError("at least one deployment id is needed")
    if any(len(d) > 255 for d in deployment_ids):
        raise PlatformError("a deployment id is longer than 255 characters")
    urls: dict[str, object] = {
        "auth_login_url": _check_url("auth login URL", fields.auth_login_url),
        "auth_token_url": _check_url("auth token URL", fields.auth_token_url),
        "jwks_url": _check_url("JWKS URL", fields.jwks_url),
    }
    if fields.service_origins:
        urls["service_origins"] = sorted({_check_origin(o) for o in fields.service_origins})
    platform = session.scalars(select(Platform).where(Platform.issuer == issuer)).first()
    if platform is None:
        platform = Platform(issuer=issuer)
        session.add(platform)
        session.flush()
    registration = session.scalars(
        select(Registration).where(
            Registration.platform_id == platform.id, Registration.client_id == client_id
        )
    ).first()
    if registration is None:
        registration = Registration(platform_id=platform.id, client_id=client_id, **urls)
        session.add(registration)
    else:
        for name, value in urls.items():
            setattr(registration, name, value)
    session.flush()
    known = {d.deployment_id for d in registration.deployments}
    new_ids = list(dict.fromkeys(d for d in deployment_ids if d not in known))
    if not new_ids:
        # Nothing to attach: a community is neither looked up nor created, so running
        # the command again (or a platform updating its tool) leaves no empty community.
        return registration
    if fields.community_id:
        community = session.get(Community, fields.community_id)
    elif fields.community is None and registration.deployments:
        # New deployments of a known registration join its community unless told otherwise.
        community = registration.deployments[0].community
    else:
        community = community_named(session, fields.community or DEFAULT_COMMUNITY, origin)
    if community is None:
        raise PlatformError("unknown community")
    for deployment_id in new_ids:
        registration.deployments.append(
            Deployment(deployment_id=deployment_id, community_id=community.id)
        )
    session.flush()
    return registration


def list_registrations(session: Session, issuer: str | None = None) -> list[Registration]:
    """Every registration (of one issuer if given), by issuer then client_id."""
    query = select(Registration).join(Platform).order_by(Platform.issuer, Registration.client_id)
    if issuer is not None:
        query = query.where(Platform.issuer == issuer)
    return list(session.scalars(query))


def remove_registration(
    session: Session, issuer: str, client_id: str, deployment_ids: Iterable[str] = ()
) -> int:
    """Remove some deployments of a registration, or the whole registration.

    Returns how many deployments were removed. A deployment that already has launches
    (people, courses) cannot be removed: its data belongs to its community and must be
    exported or erased first, so the database refuses and this raises PlatformError.
    """
    registration = session.scalars(
        select(Registration)
        .join(Platform)
        .where(Platform.issuer == issuer, Registration.client_id == client_id)
    ).first()
    if registration is None:
        raise PlatformError(f"no registration {client_id!r} for {issuer!r}")
    wanted = set(deployment_ids)
    doomed = [d for d in registration.deployments if not wanted or d.deployment_id in wanted]
    if wanted and len(doomed) != len(wanted):
        raise PlatformError("unknown deployment id for this registration")
    with session.no_autoflush:  # one flush below, where a refusal can be explained
        for deployment in doomed:
            registration.deployments.remove(deployment)
        platform = registration.platform
        if not wanted:
            platform.registrations.remove(registration)
            if not platform.registrations:
                session.delete(platform)
    try:
        session.flush()
    except IntegrityError as exc:
        raise PlatformError(
            "this registration already has people or courses; export or erase them first"
        ) from exc
    return len(doomed)
