"""Prepared statements behave as ``Connection.execute`` would, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from badges.launches import _insert
from badges.models import LaunchSession, Person
from badges.models.columns import new_id, utcnow
from badges.platforms import PlatformFields, register_platform
from badges.prepared import Prepared
from badges.runtime import Runtime
from badges.storage import transaction

ISS = "https://lms.example.org"
_PERSON = Person.__table__
_NAMES = ("id", "platform_id", "sub", "name", "created_at", "updated_at")
_ADD_PERSON = Prepared(insert(_PERSON).values({n: bindparam(n) for n in _NAMES}))
_PERSON_BY_SUB = Prepared(
    select(_PERSON.c.id, _PERSON.c.name, _PERSON.c.created_at).where(
        _PERSON.c.sub == bindparam("sub")
    )
)
_RENAME = Prepared(
    update(_PERSON).where(_PERSON.c.sub == bindparam("sub")).values(name=bindparam("new_name"))
)


def _registered(runtime: Runtime) -> tuple[str, str]:
    """A registered platform: its id and its deployment's."""
    with transaction(runtime.sessions) as session:
        registration = register_platform(
            session,
            PlatformFields(ISS, "c", ("1",), f"{ISS}/auth", f"{ISS}/token", f"{ISS}/jwks", None),
            runtime.instance.origin,
        )
        return registration.platform_id, registration.deployments[0].id


def _platform(runtime: Runtime) -> str:
    return _registered(runtime)[0]


def _person(sub: str, platform_id: str, created: datetime) -> dict[str, object]:
    return {
        "id": new_id(),
        "platform_id": platform_id,
        "sub": sub,
        "name": "Nathan",
        "created_at": created,
        "updated_at": created,
    }


def test_rows_come_back_typed_and_named(runtime: Runtime) -> None:
    platform_id = _platform(runtime)
    paris = timezone(timedelta(hours=1))
    created = datetime(2026, 3, 1, 10, 30, 5, 120000, tzinfo=paris)
    with runtime.engine.begin() as connection:
        _ADD_PERSON.run(connection, _person("u1", platform_id, created))
    with runtime.engine.connect() as connection:
        row = _PERSON_BY_SUB.first(connection, {"sub": "u1"})
        assert _PERSON_BY_SUB.first(connection, {"sub": "nobody"}) is None
        assert _PERSON_BY_SUB.all(connection, {"sub": "nobody"}) == []
    assert row is not None and row.name == "Nathan"
    # The UTC column's own processing: an aware date, in UTC, the same instant.
    assert row.created_at == created and row.created_at.tzinfo == UTC


def test_json_columns_round_trip(runtime: Runtime) -> None:
    """A launch session's claims (JSON) read back through the ORM as they were written."""
    platform_id, deployment = _registered(runtime)
    claims = {"sub": "u1", "roles": ["Learner"], "custom": {"target": "wall", "n": 3}}
    with runtime.engine.begin() as connection:
        person = _person("u1", platform_id, utcnow())
        _ADD_PERSON.run(connection, person)
        values = {
            "id": new_id(),
            "person_id": person["id"],
            "deployment_id": deployment,
            "message_type": "LtiResourceLinkRequest",
            "role": "learner",
            "lti_roles": ["Learner"],
            "claims": claims,
            "created_at": utcnow(),
            "expires_at": utcnow() + timedelta(hours=1),
        }
        _insert(LaunchSession.__table__, tuple(values)).run(connection, values)
    with runtime.sessions() as session:
        stored = session.get(LaunchSession, values["id"])
        assert stored is not None and stored.claims == claims
        assert stored.lti_roles == ["Learner"]


def test_rowcount_and_rollback_belong_to_the_callers_transaction(runtime: Runtime) -> None:
    platform_id = _platform(runtime)
    with runtime.engine.begin() as connection:
        _ADD_PERSON.run(connection, _person("u1", platform_id, utcnow()))
    with pytest.raises(RuntimeError), runtime.engine.begin() as connection:
        # Column defaults are not applied: ``updated_at`` (onupdate) is given, as every column.
        changes = {"new_name": "Sylvie", "updated_at": utcnow()}
        assert _RENAME.run(connection, {"sub": "u1", **changes}) == 1
        assert _RENAME.run(connection, {"sub": "nobody", **changes}) == 0
        raise RuntimeError("the workflow fails after the update")
    with runtime.engine.connect() as connection:
        assert _PERSON_BY_SUB.first(connection, {"sub": "u1"}).name == "Nathan"


def test_database_errors_are_sqlalchemys(runtime: Runtime) -> None:
    """A unique violation is an IntegrityError, as the launch's race retry expects."""
    platform_id = _platform(runtime)
    with runtime.engine.begin() as connection:
        _ADD_PERSON.run(connection, _person("u1", platform_id, utcnow()))
    with pytest.raises(IntegrityError), runtime.engine.begin() as connection:
        _ADD_PERSON.run(connection, _person("u1", platform_id, utcnow()))
    with runtime.engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(_PERSON))
    assert count == 1


def test_a_missing_parameter_is_named(runtime: Runtime) -> None:
    with runtime.engine.connect() as connection, pytest.raises(KeyError, match="'sub'"):
        _PERSON_BY_SUB.first(connection, {})
