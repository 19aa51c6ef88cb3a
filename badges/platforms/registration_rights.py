"""Who may register a platform into which community, and storing what they registered.

The community a deployment belongs to decides whose people, badges and signing key the
platform's launches reach. So a registration joins an existing community only when the
person doing it has a right to that community, and communities are chosen by id from
the ones that person may see; a name is never a key (DESIGN.md, security model):

- a **registration link** joins the community it was made for; a link made for no
  community creates a new one, under a name that must be new;
- the **instance admin** may choose any community, or a new one;
- a **launched platform admin** may choose the community their own deployment belongs
  to (they administer it already), and a new one only where registration is open;
- **open registration**, an instance's choice, always creates a new community.

Anyone else is refused before Chemins fetches anything. The web layer works out which
of these a request holds; this module applies the rule, twice: when the form is
checked, and again inside the transaction that stores the registration and spends
the link, so that nothing decided earlier goes stale.

**Updating a registration.** Moodle offers "Update" when a tool of the same domain
exists: the platform then answers with the client id Chemins already knows. An update
keeps the deployment's community, whatever the form named, and creates no community
(so no name typed in the form is left behind as an empty community). Only a person
who may join both the current community and the chosen one moves it, and only when
they ask to (:attr:`Choice.move`). Someone without a right to the current community
changes nothing: the client's keys and URLs stay as they were.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badges.models import AccessLink, Community, Deployment, Platform, Registration
from badges.models.access_link import REGISTRATION
from badges.platforms.access_links import spend_link
from badges.platforms.registering import PlatformFields, community_slug, register_platform
from badges.recognition.communities import create_community

#: Refusal codes of :class:`RegistrationRefused`.
NOT_ALLOWED = "not_allowed"
NAME_MISSING = "name_missing"
NAME_TAKEN = "name_taken"
CLIENT_TAKEN = "client_taken"
MAX_NAME = 200


class RegistrationRefused(Exception):
    """A registration this person may not make as asked; ``code`` says which rule."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class RegistrationRight:
    """What one person may do with a registration."""

    #: The existing communities they may join; None: every community.
    communities: frozenset[str] | None
    #: Whether they may create a new community.
    may_create: bool
    #: The registration link that gave the right, spent when the registration is stored.
    link_secret: str | None = None

    @property
    def fixed_community(self) -> str | None:
        """The one community this right leads to when there is no choice to make."""
        if self.may_create or self.communities is None or len(self.communities) != 1:
            return None
        return next(iter(self.communities))

    def may_join(self, community_id: str) -> bool:
        return self.communities is None or community_id in self.communities


#: The instance admin: any community, or a new one.
INSTANCE_ADMIN = RegistrationRight(communities=None, may_create=True)
#: Open registration: a new community, never an existing one.
OPEN_REGISTRATION = RegistrationRight(communities=frozenset(), may_create=True)


def community_admin_right(community_id: str, *, open_registration: bool) -> RegistrationRight:
    """A launched platform admin: their own community (a new one if registration is open)."""
    return RegistrationRight(communities=frozenset({community_id}), may_create=open_registration)


def link_right(link: AccessLink, secret: str) -> RegistrationRight:
    """The right a registration link gives: its community, or a new one."""
    if link.community_id is not None:
        return RegistrationRight(
            frozenset({link.community_id}), may_create=False, link_secret=secret
        )
    return RegistrationRight(frozenset(), may_create=True, link_secret=secret)


def joinable(session: Session, right: RegistrationRight) -> list[tuple[str, str]]:
    """(id, name) of the existing communities ``right`` may join, by name."""
    if right.communities is not None and not right.communities:
        return []
    query = select(Community.id, Community.name).order_by(Community.name, Community.id)
    if right.communities is not None:
        query = query.where(Community.id.in_(sorted(right.communities)))
    return [(row.id, row.name) for row in session.execute(query)]


@dataclass(frozen=True)
class Choice:
    """Where the registration goes: an existing community, or a new one and its name."""

    community_id: str | None = None
    new_name: str | None = None
    #: When the platform updates a registration Chemins knows: move it to this choice
    #: (True) or keep it in its community (False, the default).
    move: bool = False


def _name_taken(session: Session, name: str) -> bool:
    found = session.scalars(
        select(Community.id).where(
            (Community.name == name) | (Community.slug == community_slug(name))
        )
    ).first()
    return found is not None


def choose(
    session: Session, right: RegistrationRight, community_id: str | None, new_name: str | None
) -> Choice:
    """Check the form's answer against ``right``; raise :class:`RegistrationRefused`.

    ``community_id`` picks an existing community (by id only); without it, the
    registration creates a community called ``new_name``, which must not be taken.
    A right bound to one community (a registration link made for it) leads there when
    the form names nothing; a name typed where no community may be created is refused
    rather than ignored.
    """
    name = " ".join((new_name or "").split())
    fixed = right.fixed_community
    if not community_id and not name and fixed is not None:
        community_id = fixed
    if community_id:
        if not right.may_join(community_id) or session.get(Community, community_id) is None:
            raise RegistrationRefused(NOT_ALLOWED)
        return Choice(community_id=community_id)
    if not right.may_create:  # a name typed where no community may be made: refused
        raise RegistrationRefused(NOT_ALLOWED)
    if not name or len(name) > MAX_NAME:
        raise RegistrationRefused(NAME_MISSING)
    if _name_taken(session, name):
        raise RegistrationRefused(NAME_TAKEN)
    return Choice(new_name=name)


def known_client(session: Session, issuer: str, client_id: str) -> Registration | None:
    """The registration of ``client_id`` at ``issuer`` Chemins already holds, if any."""
    return session.scalars(
        select(Registration)
        .join(Platform)
        .where(Platform.issuer == issuer.strip(), Registration.client_id == client_id.strip())
    ).first()


def issuer_communities(session: Session, issuer: str) -> list[tuple[str, str]]:
    """(id, name) of the communities an issuer's deployments belong to, by name.

    What the registration page tells the person before the platform says whether it
    creates a tool or updates the one it has.
    """
    query = (
        select(Community.id, Community.name)
        .join(Deployment, Deployment.community_id == Community.id)
        .join(Registration, Registration.id == Deployment.registration_id)
        .join(Platform, Platform.id == Registration.platform_id)
        .where(Platform.issuer == issuer.strip())
        .distinct()
        .order_by(Community.name, Community.id)
    )
    return [(row.id, row.name) for row in session.execute(query)]


def _current_community(registration: Registration) -> str | None:
    """The community a known registration's deployments belong to (None: no deployment).

    Registrations made by Chemins keep all their deployments in one community; one with
    several (an older manual registration) answers its first, and a move needs a right
    to each of them (:func:`_check_update`).
    """
    return registration.deployments[0].community_id if registration.deployments else None


def _check_update(registration: Registration, right: RegistrationRight) -> None:
    """Updating a known client needs a right to every community it belongs to."""
    if not all(right.may_join(d.community_id) for d in registration.deployments):
        raise RegistrationRefused(CLIENT_TAKEN)


def _new_community(session: Session, name: str, origin: str) -> Community:
    host = urlsplit(origin).hostname or "localhost"
    try:
        return create_community(
            session, name=name, slug=community_slug(name), url=origin, email=f"contact@{host}"
        )
    except IntegrityError as exc:  # the same name, created meanwhile: the caller rolls back
        raise RegistrationRefused(NAME_TAKEN) from exc


def store_registration(
    session: Session,
    right: RegistrationRight,
    choice: Choice,
    fields: PlatformFields,
    origin: str,
) -> Registration:
    """Store a registration where ``choice`` says, as ``right`` allows; spend its link.

    A client Chemins knows (the platform updated its tool) keeps its community unless
    ``choice.move`` says otherwise (see the module's docstring). All in the caller's
    transaction: if anything is refused (the link was spent meanwhile, the name was
    taken meanwhile, the client belongs to a community this right does not reach),
    nothing is stored, no community is created and the link stays as it was. Raises
    :class:`RegistrationRefused`, :class:`~badges.platforms.access_links.LinkRefused` or
    :class:`~badges.platforms.registering.PlatformError`.
    """
    link = spend_link(session, right.link_secret, REGISTRATION) if right.link_secret else None
    existing = known_client(session, fields.issuer, fields.client_id)
    current = _current_community(existing) if existing is not None else None
    if existing is not None:
        _check_update(existing, right)
    moving = current is not None and choice.move
    if current is not None and not moving:
        community_id = current  # an update stays where it is; the form's name is ignored
    else:
        choice = choose(session, right, choice.community_id, choice.new_name)
        community_id = choice.community_id
        if community_id is None:
            community_id = _new_community(session, choice.new_name or "", origin).id
    registration = register_platform(
        session,
        dataclasses.replace(fields, community=None, community_id=community_id),
        origin,
    )
    if moving:
        for deployment in registration.deployments:
            deployment.community_id = community_id  # a move takes every deployment along
    if link is not None:
        link.platform_id = registration.platform_id
    session.flush()
    return registration
