"""Comparing what a request sent with a secret: equal or not, never an exception."""

from __future__ import annotations

import pytest

from lti_tool.constant_time import constant_time_equal

SECRET = "3f2a9c" * 10


@pytest.mark.parametrize(
    "sent", ["é" * 60, "☃", "\udc80", SECRET[:-1] + "é", SECRET + "x", "", None, 7, b"3f"]
)
def test_anything_but_the_secret_is_not_equal(sent: object) -> None:
    assert constant_time_equal(sent, SECRET) is False


def test_the_secret_is_equal_even_outside_ascii() -> None:
    assert constant_time_equal(SECRET, SECRET)
    assert constant_time_equal("clé", "clé")
