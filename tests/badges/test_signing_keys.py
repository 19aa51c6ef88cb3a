"""Signing keys: sealed at rest, one active per community, rotation keeps old keys published."""

from __future__ import annotations

from badges import signing_keys
from badges.models import Community
from badges.openbadges import jws
from badges.openbadges.keys import ES256, RS256, load_public_key, thumbprint_kid
from badges.storage import transaction


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
