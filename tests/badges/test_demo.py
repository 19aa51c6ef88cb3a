"""The demo community is seeded once: a second run creates nothing and gives the same URLs."""

from __future__ import annotations

from sqlalchemy import func, select

from badges.demo import seed_demo
from badges.models import Assertion, BadgeClass, Endorsement, SigningKey
from badges.storage.database import transaction


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
    # Two families of three levels and four designed badges; Sylvie holds the three
    # levels of the ABC de la République.
    assert counts == {"Assertion": 6, "BadgeClass": 10, "Endorsement": 2, "SigningKey": 2}
    second = seed_demo(runtime)
    assert second.created == []
    assert second.urls == first.urls
    assert _counts(runtime) == counts


def test_the_demo_awards_go_to_emails_and_its_endorsements_to_their_subjects(runtime) -> None:
    seed_demo(runtime)
    with transaction(runtime.sessions) as session:
        assertions = session.scalars(select(Assertion)).all()
        assert {a.recipient_person_id for a in assertions} == {None}
        endorsements = session.scalars(select(Endorsement)).all()
        assert sorted(e.subject_kind for e in endorsements) == ["assertion", "badge_class"]
        on_award = next(e for e in endorsements if e.assertion_id)
        assert on_award.assertion.recipient_name == "Nathan"
        on_badge = next(e for e in endorsements if e.badge_class_id)
        assert on_badge.badge_class.level == 2
