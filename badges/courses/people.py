"""The people of a course as Chemins knows them: who launched in it, and who the roster adds.

A trainer awards badges to the learners of their course. Chemins learns about them two
ways: each launch records a :class:`Membership` (see :mod:`badges.courses.launches`), and the
platform's roster (NRPS, read by ``lti_tool``) lists people who never opened the tool.
A roster member chosen for an award becomes a Person and a Membership here, keyed by the
same (platform, ``sub``) a later launch will use, so their first launch finds the badge
and the grade already theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badges.models import Context, Membership, Person


@dataclass(frozen=True)
class RosterEntry:
    """One course member as the platform's roster describes them (ids and shared names)."""

    sub: str
    role: str
    lti_roles: tuple[str, ...] = ()
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None


def members(session: Session, context: Context, role: str | None = None) -> list[Membership]:
    """The memberships of ``context`` (of ``role`` if given), people loaded, by name."""
    query = (
        select(Membership)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.context_id == context.id)
        .order_by(func.lower(func.coalesce(Person.name, Person.family_name, Person.sub)))
    )
    if role is not None:
        query = query.where(Membership.role == role)
    return list(session.scalars(query))


def membership(session: Session, context: Context, person_id: str) -> Membership | None:
    """``person_id``'s membership of ``context``; None for anyone outside the course."""
    return session.scalars(
        select(Membership).where(
            Membership.context_id == context.id, Membership.person_id == person_id
        )
    ).first()


def role_in(session: Session, context: Context, person_id: str) -> str | None:
    """``person_id``'s Chemins role in ``context``; None outside the course (which
    :mod:`badges.roles` ranks below every role)."""
    found = membership(session, context, person_id)
    return found.role if found is not None else None


def enrol(session: Session, context: Context, platform_id: str, entry: RosterEntry) -> Membership:
    """The membership of a roster member, creating the person if they never launched.

    A person who launched keeps what their launch said (a launch is the fresher source);
    a new person gets the name and e-mail the roster shared, nothing more.
    """
    person = session.scalars(
        select(Person).where(Person.platform_id == platform_id, Person.sub == entry.sub)
    ).first()
    if person is None:
        person = Person(
            platform_id=platform_id,
            sub=entry.sub,
            name=entry.name,
            given_name=entry.given_name,
            family_name=entry.family_name,
            email=entry.email,
        )
        session.add(person)
        session.flush()
    found = membership(session, context, person.id)
    if found is None:
        found = Membership(
            person_id=person.id,
            context_id=context.id,
            lti_roles=list(entry.lti_roles),
            role=entry.role,
        )
        session.add(found)
        session.flush()
    return found
