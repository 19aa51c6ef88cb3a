"""OB 3.0 value formats: what counts as a URI, a date-time, a compact JWS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from badges.openbadges.ob3_values import is_compact_jws, is_uri, parse_date_time, type_names


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("2026-01-15T09:30:00Z", True),
        ("2026-01-15T09:30:00.123+02:00", True),
        ("2026-01-15t09:30:00z", True),
        ("2026-01-15T09:30:00", False),
        ("2026-01-15T09:30:00+0200", False),
        ("2026-13-15T09:30:00Z", False),
        ("", False),
    ],
)
def test_date_time_needs_seconds_and_a_zone(text: str, ok: bool) -> None:
    assert (parse_date_time(text) is not None) is ok


def test_a_date_time_keeps_its_instant() -> None:
    assert parse_date_time("2026-01-15T10:30:00+01:00") == datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://chemins.test/a/1", True),
        ("urn:uuid:0b3d2f7e-1c1d-4d0e-9f5e-0a4a9f0e1b2c", True),
        ("did:key:z6Mkabc", True),
        ("data:image/png;base64,iVBORw0KGgo=", True),
        ("/relative/path", False),
        ("two words:here", False),
        ("", False),
        (42, False),
    ],
)
def test_uri(value: object, ok: bool) -> None:
    assert is_uri(value) is ok


def test_type_names_accept_a_string_or_an_array() -> None:
    assert type_names("Image") == ["Image"]
    assert type_names(["Profile", 3]) == ["Profile"]
    assert type_names(None) == []


def test_compact_jws() -> None:
    assert is_compact_jws("eyJh.eyJ9.c2ln")
    assert is_compact_jws("eyJh..c2ln")
    assert not is_compact_jws("eyJh.eyJ9")
    assert not is_compact_jws("a b.c.d")
