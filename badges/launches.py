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
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Select, Table, Update, bindparam, insert, select, update
from sqlalchemy.orm import Session

from badges.models import (
    Context,
    LaunchSession,
    LaunchState,
    Membership,
    Person,
    ResourceLink,
)
from badges.models.columns import new_id, utcnow

SESSION_LIFETIME = timedelta(hours=8)
_PERSON: Table = Person.__table__  # type: ignore[assignment]
_CONTEXT: Table = Context.__table__  # type: ignore[assignment]
_MEMBERSHIP: Table = Membership.__table__  # type: ignore[assignment]
_RESOURCE_LINK: Table = ResourceLink.__table__  # type: ignore[assignment]
_LAUNCH_SESSION: Table = LaunchSession.__table__  # type: ignore[assignment]
_STATE: Table = LaunchState.__table__  # type: ignore[assignment]
#: Spending a state: a conditional UPDATE, so that two requests cannot both spend it.
_SPEND = (
    update(_STATE)
    .where(_STATE.c.state == bindparam("spent_state"), _STATE.c.used_at.is_(None))
    .values(used_at=bindparam("spent_at"))
)


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


def burn_state(session: Session | Connection, state: str) -> None:
    """Spend a login state whose launch was refused, so that it cannot be retried."""
    session.execute(_SPEND, {"spent_state": state, "spent_at": utcnow()})


@dataclass(frozen=True)
class RecordedLaunch:
    """The ids of a recorded launch session: what its handle and its redirect need."""

    id: str
    person_id: str
    deployment_id: str
    context_id: str | None
    resource_link_id: str | None


@lru_cache(maxsize=64)
def _lookup(table: Table, keys: tuple[str, ...], values: tuple[str, ...]) -> Select[Any]:
    """``SELECT id, values… WHERE keys…``, built once per shape with bound parameters."""
    columns = [table.c.id, *(table.c[name] for name in values)]
    return select(*columns).where(*(table.c[name] == bindparam(name) for name in keys)).limit(1)


@lru_cache(maxsize=64)
def _change(table: Table, names: tuple[str, ...]) -> Update:
    """``UPDATE … SET names… WHERE id = :row_id``, built once per set of changed columns."""
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(f"new_{name}") for name in names})
    )


def _upsert(
    session: Session | Connection,
    table: Table,
    key: dict[str, Any],
    values: dict[str, Any],
    *,
    new: bool,
) -> tuple[str, bool]:
    """The id of ``table``'s row matching ``key``, inserted or brought up to ``values``,
    and whether it was inserted.

    ``new``: the row cannot exist yet (its parent was inserted by this launch), so it is
    not looked up. Only columns that changed are updated, so an unchanged course keeps
    its ``updated_at`` and costs no write. Statements are built once per shape: building
    them per call costs more than SQLite takes to run them.
    """
    found = None
    if not new:
        found = session.execute(_lookup(table, tuple(key), tuple(values)), key).first()
    if found is None:
        row_id = new_id()
        session.execute(insert(table), {"id": row_id, **key, **values})
        return row_id, True
    current = found._mapping
    changed = {name: v for name, v in values.items() if current[name] != v}
    if changed:
        session.execute(
            _change(table, tuple(changed)),
            {"row_id": found.id, **{f"new_{n}": v for n, v in changed.items()}},
        )
    return str(found.id), False


def record_launch(session: Session | Connection, facts: LaunchFacts) -> RecordedLaunch:
    """Spend the state and upsert everything the launch says; return its session's ids.

    Raises :class:`StateAlreadyUsed` when another request spent the state first (two
    tabs posting the same id_token): the single-use rule holds under concurrency because
    the spend is a conditional UPDATE, not a read followed by a write.

    The caller has read ``facts.deployment_pk`` in this same transaction (and the
    foreign keys refuse a vanished one). Every launch passes here, and on SQLite it holds
    the database's only write lock from the spend to the commit, so the rows are written
    with plain column statements (a lookup, then an INSERT or an UPDATE of what changed)
    rather than through ORM objects and a unit-of-work flush, several times slower.
    """
    spent = session.execute(_SPEND, {"spent_state": facts.state, "spent_at": utcnow()})
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise StateAlreadyUsed(facts.state)
    # Keep only what this launch shares: a platform that stops sending e-mails (privacy
    # setting changed) must not leave the old one behind.
    person_values = {
        "name": facts.name,
        "given_name": facts.given_name,
        "family_name": facts.family_name,
        "email": facts.email,
    }
    person_key = {"platform_id": facts.platform_id, "sub": facts.sub}
    # A person inserted just now has no membership anywhere yet: no lookup for it.
    person_id, new_person = _upsert(session, _PERSON, person_key, person_values, new=False)
    context_id = None
    if facts.context is not None:
        given = facts.context
        context_values: dict[str, Any] = {"title": given.title, "label": given.label}
        if given.memberships_url:
            context_values["memberships_url"] = given.memberships_url
        context_key = {"deployment_id": facts.deployment_pk, "context_id": given.context_id}
        context_id, new_context = _upsert(session, _CONTEXT, context_key, context_values, new=False)
        _upsert(
            session,
            _MEMBERSHIP,
            {"person_id": person_id, "context_id": context_id},
            {"lti_roles": list(facts.lti_roles), "role": facts.role},
            new=new_person or new_context,
        )
    link_id = None
    if facts.resource_link is not None:
        link = facts.resource_link
        link_id, _ = _upsert(
            session,
            _RESOURCE_LINK,
            {"deployment_id": facts.deployment_pk, "resource_link_id": link.resource_link_id},
            {
                "context_id": context_id,
                "title": link.title,
                "custom_target": link.custom_target,
                "lineitem_url": link.lineitem_url,
                "lineitems_url": link.lineitems_url,
                "ags_scopes": list(link.ags_scopes),
            },
            new=False,
        )
    now = utcnow()
    launch = RecordedLaunch(new_id(), person_id, facts.deployment_pk, context_id, link_id)
    session.execute(
        insert(_LAUNCH_SESSION),
        {
            "id": launch.id,
            "person_id": person_id,
            "deployment_id": facts.deployment_pk,
            "context_id": context_id,
            "resource_link_id": link_id,
            "message_type": facts.message_type,
            "role": facts.role,
            "lti_roles": list(facts.lti_roles),
            "locale": facts.locale,
            "return_url": facts.return_url,
            "claims": facts.claims,
            "created_at": now,
            "expires_at": now + SESSION_LIFETIME,
        },
    )
    return launch


def choose_language(session: Session | Connection, launch_session_id: str, locale: str) -> None:
    """Remember the language a person chose for the rest of this launch.

    Inside an LMS iframe without cookies the launch session is the only place where such
    a choice can live; every page of the launch then renders in it.
    """
    session.execute(
        update(_LAUNCH_SESSION)
        .where(_LAUNCH_SESSION.c.id == launch_session_id)
        .values(locale=locale)
    )
