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
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    insert,
    literal_column,
    select,
    update,
)
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
from badges.prepared import Prepared

#: A launch session ends after this long without a page (its handle is a bearer
#: credential carried in URLs: one left in a history or a log must die soon)...
SESSION_IDLE = timedelta(hours=1)
#: ...and after this long in any case, however busy: a handle never outlives a day's work.
SESSION_MAX_AGE = timedelta(hours=8)
#: A session in use is extended at most this often: each page reads it, few write it.
SESSION_RENEWAL = timedelta(minutes=5)
#: Spent and abandoned login states are kept this long (replay detection), then deleted.
STATE_RETENTION = timedelta(days=1)
_PERSON: Table = Person.__table__  # type: ignore[assignment]
_CONTEXT: Table = Context.__table__  # type: ignore[assignment]
_MEMBERSHIP: Table = Membership.__table__  # type: ignore[assignment]
_RESOURCE_LINK: Table = ResourceLink.__table__  # type: ignore[assignment]
_LAUNCH_SESSION: Table = LaunchSession.__table__  # type: ignore[assignment]
_STATE: Table = LaunchState.__table__  # type: ignore[assignment]
#: Spending a state: a conditional UPDATE, so that two requests cannot both spend it.
_SPEND = Prepared(
    update(_STATE)
    .where(_STATE.c.state == bindparam("spent_state"), _STATE.c.used_at.is_(None))
    .values(used_at=bindparam("spent_at"))
)
#: The columns a launch brings up to date, per table (besides ids and timestamps).
_PERSON_VALUES = ("name", "given_name", "family_name", "email")
_CONTEXT_VALUES = ("title", "label", "memberships_url")
_MEMBERSHIP_VALUES = ("lti_roles", "role")
_LINK_VALUES = (
    "context_id",
    "title",
    "custom_target",
    "custom_badge",
    "custom_grade",
    "lineitem_url",
    "lineitems_url",
    "ags_scopes",
)
_BASE = select(literal_column("1").label("one")).subquery("launch_base")
#: Everything a launch may already have written, in one statement: the person (by
#: platform and ``sub``), the course (by deployment and context id), the membership of
#: the two, the resource link. Each part is NULL when absent (no context, new person).
_FOUND = Prepared(
    select(
        _PERSON.c.id.label("person_id"),
        *(_PERSON.c[name].label(f"person_{name}") for name in _PERSON_VALUES),
        _CONTEXT.c.id.label("context_pk"),
        *(_CONTEXT.c[name].label(f"context_{name}") for name in _CONTEXT_VALUES),
        _MEMBERSHIP.c.id.label("membership_id"),
        *(_MEMBERSHIP.c[name].label(f"membership_{name}") for name in _MEMBERSHIP_VALUES),
        _RESOURCE_LINK.c.id.label("link_pk"),
        *(_RESOURCE_LINK.c[name].label(f"link_{name}") for name in _LINK_VALUES),
    ).select_from(
        _BASE.outerjoin(
            _PERSON,
            and_(
                _PERSON.c.platform_id == bindparam("platform_id"),
                _PERSON.c.sub == bindparam("sub"),
            ),
        )
        .outerjoin(
            _CONTEXT,
            and_(
                _CONTEXT.c.deployment_id == bindparam("deployment_id"),
                _CONTEXT.c.context_id == bindparam("context_id"),
            ),
        )
        .outerjoin(
            _MEMBERSHIP,
            and_(
                _MEMBERSHIP.c.person_id == _PERSON.c.id,
                _MEMBERSHIP.c.context_id == _CONTEXT.c.id,
            ),
        )
        .outerjoin(
            _RESOURCE_LINK,
            and_(
                _RESOURCE_LINK.c.deployment_id == bindparam("deployment_id"),
                _RESOURCE_LINK.c.resource_link_id == bindparam("resource_link_id"),
            ),
        )
    )
)


_FORGET_STATES = Prepared(delete(_STATE).where(_STATE.c.created_at < bindparam("before")))
_FORGET_SESSIONS = Prepared(
    delete(_LAUNCH_SESSION).where(_LAUNCH_SESSION.c.expires_at < bindparam("now"))
)


def forget_old_launches(session: Session | Connection, now: datetime) -> None:
    """Delete login states older than :data:`STATE_RETENTION` and expired launch sessions.

    An expired session's handle is refused anyway, and what outlives a launch (the
    person, the course, the badge a link is for) is kept on their own rows.
    """
    _FORGET_STATES.run(session, {"before": now - STATE_RETENTION})
    _FORGET_SESSIONS.run(session, {"now": now})


@lru_cache(maxsize=64)
def _insert(table: Table, names: tuple[str, ...]) -> Prepared:
    """``INSERT INTO table (names…)``, prepared once per table and set of columns."""
    return Prepared(insert(table).values({name: bindparam(name) for name in names}))


@lru_cache(maxsize=64)
def _change(table: Table, names: tuple[str, ...]) -> Prepared:
    """``UPDATE … SET names…, updated_at WHERE id = :row_id``, once per set of columns."""
    return Prepared(
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            {name: bindparam(f"new_{name}") for name in (*names, "updated_at")},
        )
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
    custom_badge: str | None = None
    custom_grade: str | None = None
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
    _SPEND.run(session, {"spent_state": state, "spent_at": utcnow()})


@dataclass(frozen=True)
class RecordedLaunch:
    """The ids of a recorded launch session: what its handle and its redirect need."""

    id: str
    person_id: str
    deployment_id: str
    context_id: str | None
    resource_link_id: str | None


def _bring_up_to_date(
    session: Session | Connection,
    table: Table,
    row_id: str | None,
    current: dict[str, Any],
    wanted: dict[str, Any],
    created: dict[str, Any],
    now: datetime,
) -> tuple[str, bool]:
    """The id of a row found (``row_id``) or inserted now, and whether it was inserted.

    A found row is updated only in the columns that changed, so an unchanged course
    keeps its ``updated_at`` and costs no write. ``created``: the row's key columns,
    written only when it is inserted.
    """
    if row_id is None:
        row_id = new_id()
        values = {"id": row_id, **created, **wanted, "created_at": now, "updated_at": now}
        _insert(table, tuple(values)).run(session, values)
        return row_id, True
    changed = {name: value for name, value in wanted.items() if current[name] != value}
    if changed:
        _change(table, tuple(changed)).run(
            session,
            {
                "row_id": row_id,
                "new_updated_at": now,
                **{f"new_{name}": value for name, value in changed.items()},
            },
        )
    return row_id, False


def _current(found: Any, prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(found, f"{prefix}_{name}") for name in names}


def record_launch(session: Session | Connection, facts: LaunchFacts) -> RecordedLaunch:
    """Spend the state and upsert everything the launch says; return its session's ids.

    Raises :class:`StateAlreadyUsed` when another request spent the state first (two
    tabs posting the same id_token): the single-use rule holds under concurrency because
    the spend is a conditional UPDATE, not a read followed by a write.

    ``facts.deployment_pk`` was read by the caller (the foreign keys refuse one that
    vanished since). Every launch passes here, and on SQLite it holds the database's
    only write lock from the spend to the commit, so it reads what exists in one
    statement before that and writes with prepared column statements (an INSERT or an
    UPDATE of what changed) rather than ORM objects and a unit-of-work flush, several
    times slower: a returning learner costs three statements.
    """
    now = utcnow()
    context, link = facts.context, facts.resource_link
    # Read before the first write: on SQLite the write lock is taken by the spend and
    # held to the commit, so the lookup stays out of it. A row another launch inserts
    # in between makes an insert below fail; the caller then records again.
    found = _FOUND.first(
        session,
        {
            "platform_id": facts.platform_id,
            "sub": facts.sub,
            "deployment_id": facts.deployment_pk,
            "context_id": context.context_id if context is not None else None,
            "resource_link_id": link.resource_link_id if link is not None else None,
        },
    )
    if _SPEND.run(session, {"spent_state": facts.state, "spent_at": now}) != 1:
        raise StateAlreadyUsed(facts.state)
    # Keep only what this launch shares: a platform that stops sending e-mails (privacy
    # setting changed) must not leave the old one behind.
    person_id, new_person = _bring_up_to_date(
        session,
        _PERSON,
        found.person_id,
        _current(found, "person", _PERSON_VALUES),
        {
            "name": facts.name,
            "given_name": facts.given_name,
            "family_name": facts.family_name,
            "email": facts.email,
        },
        {"platform_id": facts.platform_id, "sub": facts.sub},
        now,
    )
    context_id = None
    if context is not None:
        wanted: dict[str, Any] = {"title": context.title, "label": context.label}
        if context.memberships_url:  # a launch without the service keeps the known URL
            wanted["memberships_url"] = context.memberships_url
        context_id, new_context = _bring_up_to_date(
            session,
            _CONTEXT,
            found.context_pk,
            _current(found, "context", _CONTEXT_VALUES),
            wanted,
            {"deployment_id": facts.deployment_pk, "context_id": context.context_id},
            now,
        )
        # A person or course inserted just now has no membership yet.
        _bring_up_to_date(
            session,
            _MEMBERSHIP,
            None if new_person or new_context else found.membership_id,
            _current(found, "membership", _MEMBERSHIP_VALUES),
            {"lti_roles": list(facts.lti_roles), "role": facts.role},
            {"person_id": person_id, "context_id": context_id},
            now,
        )
    link_id = None
    if link is not None:
        link_id, _ = _bring_up_to_date(
            session,
            _RESOURCE_LINK,
            found.link_pk,
            _current(found, "link", _LINK_VALUES),
            {
                "context_id": context_id,
                "title": link.title,
                "custom_target": link.custom_target,
                "custom_badge": link.custom_badge,
                "custom_grade": link.custom_grade,
                "lineitem_url": link.lineitem_url,
                "lineitems_url": link.lineitems_url,
                "ags_scopes": list(link.ags_scopes),
            },
            {"deployment_id": facts.deployment_pk, "resource_link_id": link.resource_link_id},
            now,
        )
    launch = RecordedLaunch(new_id(), person_id, facts.deployment_pk, context_id, link_id)
    values = {
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
        "expires_at": now + SESSION_IDLE,
    }
    _insert(_LAUNCH_SESSION, tuple(values)).run(session, values)
    return launch


def choose_language(session: Session | Connection, launch_session_id: str, locale: str) -> None:
    """Remember the language a person chose for the rest of this launch.

    Inside an LMS iframe without cookies the launch session is the only place where such
    a choice can live; every page of the launch then renders in it.
    """
    _CHOOSE_LANGUAGE.run(session, {"session_id": launch_session_id, "locale": locale})


_CHOOSE_LANGUAGE = Prepared(
    update(_LAUNCH_SESSION)
    .where(_LAUNCH_SESSION.c.id == bindparam("session_id"))
    .values(locale=bindparam("locale"))
)


def renewed_expiry(created_at: datetime, expires_at: datetime, now: datetime) -> datetime | None:
    """The new end of a session in use, or None when it needs no write now.

    A session lives :data:`SESSION_IDLE` after its last page, never more than
    :data:`SESSION_MAX_AGE` after its launch. Pages come seconds apart, so the end is
    moved only once :data:`SESSION_RENEWAL` has passed since it was last set: a page
    costs a read, and a write now and then.
    """
    if expires_at - SESSION_IDLE + SESSION_RENEWAL > now:
        return None
    renewed = min(now + SESSION_IDLE, created_at + SESSION_MAX_AGE)
    return renewed if renewed > expires_at else None


def extend_launch_session(
    session: Session | Connection, launch_session_id: str, expires_at: datetime
) -> None:
    """Move a session's end to ``expires_at`` (never earlier: two pages may race)."""
    _EXTEND.run(
        session, {"session_id": launch_session_id, "later": expires_at, "extended": expires_at}
    )


_EXTEND = Prepared(
    update(_LAUNCH_SESSION)
    .where(
        _LAUNCH_SESSION.c.id == bindparam("session_id"),
        _LAUNCH_SESSION.c.expires_at < bindparam("later"),
    )
    .values(expires_at=bindparam("extended"))
)
