"""OB 2.0 DateTimes: a timezone is mandatory, both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from badges.openbadges.dates import DateTimeError, format_datetime, parse_datetime


def test_aware_datetimes_are_written_in_utc_with_z() -> None:
    paris = timezone(timedelta(hours=1))
    assert format_datetime(datetime(2026, 11, 28, 21, 36, 58, 123, tzinfo=paris)) == (
        "2026-11-28T20:36:58Z"
    )


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(DateTimeError):
        format_datetime(datetime(2026, 11, 28, 20, 0))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-28T20:36:58+00:00", datetime(2026, 11, 28, 20, 36, 58, tzinfo=UTC)),
        ("2026-11-28T20:42:22.427063Z", datetime(2026, 11, 28, 20, 42, 22, 427063, tzinfo=UTC)),
        ("2026-11-28T21:36:58+01:00", datetime(2026, 11, 28, 20, 36, 58, tzinfo=UTC)),
    ],
)
def test_recorded_server_formats_are_read(text: str, expected: datetime) -> None:
    assert parse_datetime(text) == expected


@pytest.mark.parametrize(
    "text", ["2026-11-28T20:36:58", "2026-11-28", "1795898218", 1795898218, "yesterday", None]
)
def test_values_without_timezone_or_unix_times_are_refused(text: object) -> None:
    with pytest.raises(DateTimeError):
        parse_datetime(text)
