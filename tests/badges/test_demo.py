"""The demo community is seeded once: a second run creates nothing and gives the same URLs."""

from __future__ import annotations

from sqlalchemy import func, select

from badges.demo import seed_demo
from badges.models import Assertion, BadgeClass, Endorsement, SigningKey
from badges.storage import transaction


def _counts(runtime) -> dict[str, int]:
    with transaction(runtime.sessions) as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (Assertion, BadgeClass, Endorsement, SigningKey)
        }


def test_the_demo_is_idempotent(runtime) -> None:
    first = seed_demo(runtime)
    assert "community" in first.created and "family" in first.created
    counts = _counts(runtime)
    assert counts == {"Assertion": 3, "BadgeClass": 3, "Endorsement": 2, "SigningKey": 2}
    second = seed_demo(runtime)
    assert second.created == []
    assert second.urls == first.urls
    assert _counts(runtime) == counts
