"""Launch destinations and other per-app state come with the blueprints, at registration."""

from __future__ import annotations

from flask import Blueprint, Flask

from lti_tool.blueprints.lti.launch import PURGE_EXTENSION, PurgeSchedule
from lti_tool.launch_destinations import EXTENSION, contribute, destination
from lti_tool.lti1p3.claims import DEEP_LINKING_REQUEST
from lti_tool.placements import ASK_BADGE, BOARD, WALL


def _blueprint() -> Blueprint:
    bp = Blueprint("pages", __name__)
    bp.add_url_rule("/wall", endpoint="wall", view_func=lambda: "wall")
    contribute(bp, {"wall": ".wall", "elsewhere": "other.page"})
    return bp


def test_a_blueprint_contributes_its_destinations_to_the_app_it_is_registered_on() -> None:
    bp = _blueprint()
    with_pages, without = Flask("with"), Flask("without")
    with_pages.register_blueprint(bp)

    assert destination(with_pages, "wall") == "pages.wall"  # relative names resolved
    assert destination(without, "wall") is None  # nothing filled in at import time
    assert EXTENSION not in without.extensions


def test_a_destination_without_a_view_or_a_name_leads_nowhere() -> None:
    app = Flask("app")
    app.register_blueprint(_blueprint())

    assert app.extensions[EXTENSION]["elsewhere"] == "other.page"
    assert destination(app, "elsewhere") is None  # no such view on this app
    assert destination(app, None) is None
    assert destination(app, ["wall"]) is None


def test_the_tool_sends_placements_and_deep_linking_to_their_audiences(app) -> None:  # type: ignore[no-untyped-def]
    assert destination(app, ASK_BADGE) == "learner.badge"
    assert destination(app, WALL) == "learner.wall"
    assert destination(app, BOARD) == "learner.board"
    assert destination(app, DEEP_LINKING_REQUEST) == "lti.deep_linking"


def test_each_app_purges_old_launches_on_its_own_schedule(app) -> None:  # type: ignore[no-untyped-def]
    schedule = app.extensions[PURGE_EXTENSION]

    assert isinstance(schedule, PurgeSchedule)
    assert schedule.due(1000.0)
    assert not schedule.due(1001.0)
    assert schedule.due(1000.0 + 60.0)
    assert PurgeSchedule().due(1001.0)  # another app's schedule is its own
