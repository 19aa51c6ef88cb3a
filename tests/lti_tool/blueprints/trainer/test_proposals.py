"""A trainer answers a member's proposal over HTTP: publish (after confirming), ask for
changes, decline; a comment is needed for the last two; other communities see nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from badges.models import Notification
from badges.storage.database import transaction
from tests.lti_tool.blueprints.trainer.test_badge_classes import (
    launch,
    make_badge,
    other_deployment,
    propose,
    status_of,
    text_of,
)


def test_the_trainer_reads_the_proposal_and_publishes_after_confirming(sqlite_lti_world):
    world = sqlite_lti_world
    badge_id = propose(world)
    trainer = launch(world)

    listing = trainer.get("/trainer/badges")
    assert f"/trainer/proposals/{badge_id}" in listing.text
    page = trainer.get(f"/trainer/proposals/{badge_id}")
    assert page.status_code == 200
    assert "A badge proposed by Sylvie Martin" in text_of(page)
    assert "the member is named as the author" in page.text
    asked = trainer.post(f"/trainer/proposals/{badge_id}/decide", {"decision": "publish"})
    assert asked.status_code == 200 and "Publish this badge?" in asked.text
    assert status_of(world, badge_id) == ("proposed", None)

    done = trainer.post(
        f"/trainer/proposals/{badge_id}/decide", {"decision": "publish", "confirm": "yes"}
    )

    assert done.status_code == 303
    assert status_of(world, badge_id) == ("published", None)
    again = trainer.post(
        f"/trainer/proposals/{badge_id}/decide", {"decision": "decline", "comment": "Non."}
    )
    assert again.status_code == 409  # decided already: nothing changes
    assert status_of(world, badge_id) == ("published", None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "changes", "comment": "  "}, "Please write a few words for the member"),
        ({"decision": "decline"}, "Please write a few words for the member"),
        ({"decision": "erase"}, "Please choose one of the three answers."),
        ({"decision": "changes", "comment": "x" * 2001}, "is too long"),
    ],
)
def test_wrong_answers_are_said_and_change_nothing(sqlite_lti_world, data, message):
    world = sqlite_lti_world
    badge_id = propose(world)
    trainer = launch(world)
    page = trainer.post(f"/trainer/proposals/{badge_id}/decide", data)
    assert page.status_code == 400
    assert message in text_of(page)
    assert status_of(world, badge_id) == ("proposed", None)


def test_asking_for_changes_tells_the_member(sqlite_lti_world):
    world = sqlite_lti_world
    badge_id = propose(world)
    trainer = launch(world)
    done = trainer.post(
        f"/trainer/proposals/{badge_id}/decide",
        {"decision": "changes", "comment": "<b>Combien</b> de jeunes ?"},
    )
    assert done.status_code == 303
    assert status_of(world, badge_id) == ("changes_requested", "<b>Combien</b> de jeunes ?")
    with transaction(world.runtime.sessions) as session:
        kinds = session.scalars(select(Notification.kind)).all()
    assert sorted(kinds) == ["proposal_changes_requested", "proposal_submitted"]
    page = trainer.get(f"/trainer/proposals/{badge_id}")
    assert "&lt;b&gt;Combien&lt;/b&gt;" in page.text and "<b>Combien" not in page.text
    listing = trainer.get("/trainer/badges")  # still listed, with where it stands
    assert f"/trainer/proposals/{badge_id}" in listing.text
    assert "Changes asked to the member" in listing.text


def test_no_one_else_reaches_a_proposal(sqlite_lti_world):
    world = sqlite_lti_world
    badge_id = propose(world)
    trainers_own = make_badge(world, "Badge de formateur")
    learner = launch(world, role="learner", user_id="nathan")
    assert learner.get(f"/trainer/proposals/{badge_id}").status_code == 403
    assert (
        learner.post(
            f"/trainer/proposals/{badge_id}/decide", {"decision": "publish", "confirm": "yes"}
        ).status_code
        == 403
    )
    elsewhere = launch(world, user_id="trainer-9", client_id=other_deployment(world))
    assert elsewhere.get(f"/trainer/proposals/{badge_id}").status_code == 404
    assert (
        elsewhere.post(
            f"/trainer/proposals/{badge_id}/decide", {"decision": "publish", "confirm": "yes"}
        ).status_code
        == 404
    )
    trainer = launch(world)
    assert trainer.get(f"/trainer/proposals/{trainers_own}").status_code == 404  # no proposal
    assert trainer.get("/trainer/proposals/unknown").status_code == 404
    assert status_of(world, badge_id) == ("proposed", None)
