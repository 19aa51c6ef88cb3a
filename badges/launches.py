"""Recording an accepted LTI launch: who came, from which course, with which role.

Everything a launch teaches the tool is written in one transaction together with the
consumption of its login state: the person (by platform and ``sub``), the course
(context), the membership with its mapped role, the resource link with its grade-service
URLs, and the launch session the cookie-less handle points to. If any part fails, none
of it is written, the spending of the state included.

Values come in as a plain :class:`LaunchFacts`: the LTI protocol code that validated the
id_token lives in ``lti_tool`` and this layer never imports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from badges.models import (
    Context,
    Deployment,
    LaunchSession,
    LaunchState,
    Membership,
    Person,
    ResourceLink,
)
from badges.models.columns import utcnow

SESSION_LIFETIME = timedelta(hours=8)


class StateAlreadyUsed(Exception):
    """The login state was spent by a concurrent launch between validation and writing."""


@dataclass(frozen=True)
class ContextFacts:
    context_id: str
    title: str | None = None
    label: str | None = None
    memberships_url: str | None = None


@dataclass(frozen=True)
class ResourceLinkFacts:
    resource_link_id: str
    title: str | None = None
    custom_target: str | None = None
    lineitem_url: str | None = None
    lineitems_url: str | None = None
    ags_scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class LaunchFacts:
    """What a validated id_token says, reduced to what Chemins keeps."""

    state: str
    platform_id: str
    deployment_pk: str
    sub: str
    message_type: str
    role: str
    lti_roles: tuple[str, ...]
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    locale: str | None = None
    return_url: str | None = None
    context: ContextFacts | None = None
    resource_link: ResourceLinkFacts | None = None
    claims: dict[str, Any] = field(default_factory=dict)


def burn_state(session: Session, state: str) -> None:
    """Spend a login state whose launch was refused, so that it cannot be retried."""
    session.execute(
        update(LaunchState)
        .where(LaunchState.state == state, LaunchState.used_at.is_(None))
        .values(used_at=utcnow())
    )


def _person(session: Session, facts: LaunchFacts) -> Person:
    person = session.scalars(
        select(Person).where(Person.platform_id == facts.platform_id, Person.sub == facts.sub)
    ).first()
    if person is None:
        person = Person(platform_id=facts.platform_id, sub=facts.sub)
        session.add(person)
    # Keep only what this launch shares: a platform that stops sending e-mails (privacy
    # setting changed) must not leave the old one behind.
    person.name = facts.name
    person.given_name = facts.given_name
    person.family_name = facts.family_name
    person.email = facts.email
    return person


def _context(session: Session, facts: LaunchFacts) -> Context | None:
    if facts.context is None:
        return None
    given = facts.context
    context = session.scalars(
        select(Context).where(
            Context.deployment_id == facts.deployment_pk, Context.context_id == given.context_id
        )
    ).first()
    if context is None:
        context = Context(deployment_id=facts.deployment_pk, context_id=given.context_id)
        session.add(context)
    context.title = given.title
    context.label = given.label
    if given.memberships_url:
        context.memberships_url = given.memberships_url
    return context


def _membership(session: Session, person: Person, context: Context, facts: LaunchFacts) -> None:
    membership = session.scalars(
        select(Membership).where(
            Membership.person_id == person.id, Membership.context_id == context.id
        )
    ).first()
    if membership is None:
        membership = Membership(person_id=person.id, context_id=context.id)
        session.add(membership)
    membership.lti_roles = list(facts.lti_roles)
    membership.role = facts.role


def _resource_link(
    session: Session, context: Context | None, facts: LaunchFacts
) -> ResourceLink | None:
    if facts.resource_link is None:
        return None
    given = facts.resource_link
    link = session.scalars(
        select(ResourceLink).where(
            ResourceLink.deployment_id == facts.deployment_pk,
            ResourceLink.resource_link_id == given.resource_link_id,
        )
    ).first()
    if link is None:
        link = ResourceLink(
            deployment_id=facts.deployment_pk, resource_link_id=given.resource_link_id
        )
        session.add(link)
    link.context_id = context.id if context is not None else None
    link.title = given.title
    link.custom_target = given.custom_target
    link.lineitem_url = given.lineitem_url
    link.lineitems_url = given.lineitems_url
    link.ags_scopes = list(given.ags_scopes)
    return link


def record_launch(session: Session, facts: LaunchFacts) -> LaunchSession:
    """Spend the state and upsert everything the launch says; return its session row.

    Raises :class:`StateAlreadyUsed` when another request spent the state first (two
    tabs posting the same id_token): the single-use rule holds under concurrency because
    the spend is a conditional UPDATE, not a read followed by a write.
    """
    spent = session.execute(
        update(LaunchState)
        .where(LaunchState.state == facts.state, LaunchState.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise StateAlreadyUsed(facts.state)
    if session.get(Deployment, facts.deployment_pk) is None:
        raise LookupError(f"deployment {facts.deployment_pk} vanished during the launch")
    person = _person(session, facts)
    session.flush()
    context = _context(session, facts)
    if context is not None:
        session.flush()
        _membership(session, person, context, facts)
    link = _resource_link(session, context, facts)
    session.flush()
    now = utcnow()
    launch = LaunchSession(
        person_id=person.id,
        deployment_id=facts.deployment_pk,
        context_id=context.id if context is not None else None,
        resource_link_id=link.id if link is not None else None,
        message_type=facts.message_type,
        role=facts.role,
        lti_roles=list(facts.lti_roles),
        locale=facts.locale,
        return_url=facts.return_url,
        claims=facts.claims,
        created_at=now,
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(launch)
    session.flush()
    return launch
