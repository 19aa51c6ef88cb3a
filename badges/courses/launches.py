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

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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
from sqlalchemy.exc import IntegrityError
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

log = logging.getLogger(__name__)

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
_SPEND = (
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
    "may_score",
    "may_create_columns",
)
_BASE = select(literal_column("1").label("one")).subquery("launch_base")
#: Everything a launch may already have written, in one statement: the person (by
#: platform and ``sub``), the course (by deployment and context id), the membership of
#: the two, the resource link. Each part is NULL when absent (no context, new person).
_FOUND = select(
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


_FORGET_STATES = delete(_STATE).where(_STATE.c.created_at < bindparam("before"))
_FORGET_SESSIONS = delete(_LAUNCH_SESSION).where(_LAUNCH_SESSION.c.expires_at < bindparam("now"))


def forget_old_launches(session: Session | Connection, now: datetime) -> None:
    """Delete login states older than :data:`STATE_RETENTION` and expired launch sessions.

    An expired session's handle is refused anyway, and what outlives a launch (the
    person, the course, the badge a link is for) is kept on their own rows.
    """
    session.execute(_FORGET_STATES, {"before": now - STATE_RETENTION})
    session.execute(_FORGET_SESSIONS, {"now": now})


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
    #: What the scopes allow (the LTI adapter reads them): scores, and a column to create.
    may_score: bool = False
    may_create_columns: bool = False


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
        session.execute(insert(table), values)
        return row_id, True
    changed = {name: value for name, value in wanted.items() if current[name] != value}
    if changed:
        session.execute(update(table).where(table.c.id == row_id).values(**changed, updated_at=now))
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
    statement before that and writes Core statements (an INSERT, or an UPDATE of what
    changed) rather than ORM objects and a unit-of-work flush: a returning learner costs
    three statements. Runs in the caller's transaction; :func:`commit_launch`
    is the transaction a launch request needs.
    """
    now = utcnow()
    context, link = facts.context, facts.resource_link
    # Read before the first write: on SQLite the write lock is taken by the spend and
    # held to the commit, so the lookup stays out of it. A row another launch inserts
    # in between makes an insert below fail; :func:`commit_launch` then records again.
    found = session.execute(
        _FOUND,
        {
            "platform_id": facts.platform_id,
            "sub": facts.sub,
            "deployment_id": facts.deployment_pk,
            "context_id": context.context_id if context is not None else None,
            "resource_link_id": link.resource_link_id if link is not None else None,
        },
    ).one()
    spent = session.execute(_SPEND, {"spent_state": facts.state, "spent_at": now})
    if spent.rowcount != 1:
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
                "may_score": link.may_score,
                "may_create_columns": link.may_create_columns,
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
    session.execute(insert(_LAUNCH_SESSION), values)
    return launch


#: Passes of a launch's transaction when simultaneous first launches race on new rows.
RECORD_ATTEMPTS = 3


def commit_launch(
    connection: Connection | Session, facts_for: Callable[[bool], LaunchFacts]
) -> RecordedLaunch:
    """Record a launch in its own transaction and commit it; again when a race was lost.

    Two launches of a person new to the tool (a double click) both find no person and
    both insert one; the database refuses the second. That transaction is rolled back
    whole (its state is not spent), so a new pass finds the rows the winner wrote and
    updates them, rather than the person getting an error. ``facts_for(again)`` gives
    each pass its facts, inside its transaction; ``again`` is True after a lost race,
    when what the caller read before must be read again (a deployment removed since
    is refused by a foreign key): it may raise to refuse the launch.

    What the connection's transaction already holds (the validation's reads) ends with
    it: committed with the launch, rolled back with anything raised. Raises
    :class:`StateAlreadyUsed` like :func:`record_launch`, and the last
    :class:`~sqlalchemy.exc.IntegrityError` after :data:`RECORD_ATTEMPTS` passes.
    """
    attempt = 1
    while True:
        try:
            recorded = record_launch(connection, facts_for(attempt > 1))
            connection.commit()
            return recorded
        except IntegrityError:
            connection.rollback()
            if attempt == RECORD_ATTEMPTS:
                raise
            attempt += 1
            log.info("launch raced another on new rows; recording again (pass %d)", attempt)
        except BaseException:
            connection.rollback()
            raise


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
    session.execute(
        update(_LAUNCH_SESSION)
        .where(
            _LAUNCH_SESSION.c.id == launch_session_id,
            _LAUNCH_SESSION.c.expires_at < expires_at,
        )
        .values(expires_at=expires_at)
    )
