"""Signing keys: sealed at rest, one active per community, rotation keeps old keys published."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from badges.models import Community, SigningKey
from badges.openbadges import jws
from badges.openbadges.keys import ES256, RS256, load_public_key, thumbprint_kid
from badges.recognition import signing_keys
from badges.storage.database import transaction
from badges.storage.migrate import alembic_config, upgrade
from badges.storage.runtime import Runtime


def test_a_community_gets_one_sealed_active_key(issuing) -> None:
    runtime = issuing.runtime
    with transaction(runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        first = signing_keys.ensure_badge_key(session, runtime.sealer, community)
        again = signing_keys.ensure_badge_key(session, runtime.sealer, community)
        assert first.kid == again.kid and first.algorithm == RS256
        assert b"PRIVATE KEY" not in first.private_key_sealed
        private = signing_keys.private_key(runtime.sealer, first)
        assert thumbprint_kid(private) == first.kid
        token = jws.sign({"hello": "world"}, private)
        assert jws.verify(token, load_public_key(first.public_key_pem)) == {"hello": "world"}


def test_es256_keys_are_supported(issuing) -> None:
    runtime = issuing.runtime
    with transaction(runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        key = signing_keys.ensure_badge_key(session, runtime.sealer, community, algorithm=ES256)
        assert key.algorithm == ES256
        assert "BEGIN PUBLIC KEY" in key.public_key_pem


def test_rotation_retires_the_active_key_and_keeps_it_published(issuing) -> None:
    runtime = issuing.runtime
    with transaction(runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        old = signing_keys.ensure_badge_key(session, runtime.sealer, community)
    with transaction(runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        new = signing_keys.rotate(session, runtime.sealer, community)
    with transaction(runtime.sessions) as session:
        community = session.get(Community, issuing.community_id)
        assert signing_keys.active_badge_key(session, community).kid == new.kid != old.kid
        published = {k.kid for k in signing_keys.published_keys(session)}
        assert {old.kid, new.kid} <= published
        assert signing_keys.find_key(session, old.kid).retired_at is not None
        assert [k.kid for k in signing_keys.community_keys(session, community)] == [
            old.kid,
            new.kid,
        ]


def test_the_tool_key_is_separate_from_community_keys(issuing) -> None:
    runtime = issuing.runtime
    with transaction(runtime.sessions) as session:
        assert signing_keys.active_tool_key(session) is None
        tool = signing_keys.ensure_tool_key(session, runtime.sealer)
        assert signing_keys.ensure_tool_key(session, runtime.sealer).kid == tool.kid
        assert tool.purpose == "lti" and tool.community_id is None and tool.algorithm == RS256
        community = session.get(Community, issuing.community_id)
        assert signing_keys.active_badge_key(session, community) is None
        assert tool.kid in {k.kid for k in signing_keys.published_keys(session)}


def _active_tool_kids(runtime: Runtime) -> list[str]:
    with transaction(runtime.sessions) as session:
        return list(
            session.scalars(
                select(SigningKey.kid).where(
                    SigningKey.purpose == signing_keys.LTI, SigningKey.retired_at.is_(None)
                )
            )
        )


def test_two_processes_starting_at_once_share_one_tool_key(runtime: Runtime, monkeypatch) -> None:
    """Both read "no tool key" before either has committed one; one key comes out of it."""
    both_looked = threading.Barrier(2, timeout=30)
    looked: set[int] = set()
    read = signing_keys.active_tool_key

    def read_then_wait(session):  # type: ignore[no-untyped-def]
        found = read(session)
        if threading.get_ident() not in looked:
            looked.add(threading.get_ident())
            both_looked.wait()
        return found

    monkeypatch.setattr(signing_keys, "active_tool_key", read_then_wait)
    kids: list[str] = []

    def start() -> None:
        with transaction(runtime.sessions) as session:
            kids.append(signing_keys.ensure_tool_key(session, runtime.sealer).kid)

    starts = [threading.Thread(target=start) for _ in range(2)]
    for thread in starts:
        thread.start()
    for thread in starts:
        thread.join(timeout=60)
    assert len(kids) == 2 and kids[0] == kids[1]
    assert _active_tool_kids(runtime) == [kids[0]]


def test_the_database_refuses_a_second_active_tool_key(runtime: Runtime) -> None:
    with transaction(runtime.sessions) as session:
        first = signing_keys.ensure_tool_key(session, runtime.sealer).kid
    with pytest.raises(IntegrityError), transaction(runtime.sessions) as session:
        signing_keys._new_key(session, runtime.sealer, RS256, signing_keys.LTI, None)
    assert _active_tool_kids(runtime) == [first]


def test_the_migration_keeps_the_newest_of_several_active_tool_keys(runtime: Runtime) -> None:
    url = runtime.instance.database_url
    runtime.engine.dispose()
    command.downgrade(alembic_config(url), "0003")
    moments = [datetime(2026, 11, day, tzinfo=UTC) for day in (1, 2, 3)]
    with transaction(runtime.sessions) as session:
        rows = [
            SigningKey(
                **signing_keys._new_key_values(runtime.sealer, RS256, signing_keys.LTI, None),
                created_at=moment,
            )
            for moment in moments
        ]
        session.add_all(rows)
        kids = [row.kid for row in rows]
    runtime.engine.dispose()
    upgrade(url)
    assert _active_tool_kids(runtime) == [kids[-1]]
    with transaction(runtime.sessions) as session:
        assert signing_keys.active_tool_key(session).kid == kids[-1]
        assert {k.kid for k in signing_keys.published_keys(session)} == set(kids)
