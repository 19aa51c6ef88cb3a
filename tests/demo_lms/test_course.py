"""The demo course page's grades: AGS claims on its launches, its gradebook column."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from demo_lms.app import platform_of
from demo_lms.course import AGS_CLAIM, AGS_SCOPES, COURSE_ID, create_course_app
from demo_lms.platform import LaunchSpec
from demo_lms.service_state import ReceivedScore

LMS = "http://localhost:5001"
TOOL = "http://127.0.0.1:5000"
BADGE_ITEM = {
    "type": "ltiResourceLink",
    "title": "Je soutiens",
    "url": f"{TOOL}/lti/launch",
    "custom": {"target": "ask-badge", "badge": "b1"},
    "lineItem": {"scoreMaximum": 100, "label": "Je soutiens", "resourceId": "badge:b1"},
}


def _launched(app, path: str) -> LaunchSpec:
    platform = platform_of(app)
    platform.pending.clear()
    assert app.test_client().get(path, base_url=LMS).status_code == 200
    (pending,) = platform.pending.values()
    return pending.spec


def test_a_launch_of_a_graded_activity_carries_its_line_item():
    app = create_course_app(LMS, TOOL)
    state = platform_of(app).state
    state.placed_items.extend([{"type": "ltiResourceLink", "title": "Mur"}, BADGE_ITEM])
    line = state.add_lineitem(COURSE_ID, "Je soutiens", 100.0, resource_link_id="placed-1")

    plain = _launched(app, "/cours/lancer/nathan").extra_claims[AGS_CLAIM]
    wall = _launched(app, "/cours/lancer/nathan?activite=0")
    graded = _launched(app, "/cours/lancer/nathan?activite=1")

    assert plain["scope"] == list(AGS_SCOPES)
    assert plain["lineitems"] == f"{LMS}/services/{COURSE_ID}/lineitems?type_id=3"
    assert "lineitem" not in plain and "lineitem" not in wall.extra_claims[AGS_CLAIM]
    assert graded.resource_link == {"id": "placed-1", "title": "Je soutiens"}
    lineitem = graded.extra_claims[AGS_CLAIM]["lineitem"]
    assert lineitem.startswith(f"{LMS}/services/{COURSE_ID}/lineitems/{line.id}/lineitem")


def test_deep_linking_returns_to_the_course_so_that_grades_get_a_column():
    app = create_course_app(LMS, TOOL)
    spec = _launched(app, "/cours/lancer/formatrice?action=deep-linking")

    assert spec.accept_lineitem
    query = parse_qs(urlsplit(spec.deep_link_return_url or "").query)
    assert query == {"course": [COURSE_ID], "type_id": ["3"]}


def test_the_gradebook_shows_the_last_score_of_each_learner():
    app = create_course_app(LMS, TOOL)
    state = platform_of(app).state
    state.placed_items.append(BADGE_ITEM)
    line = state.add_lineitem(COURSE_ID, "Je soutiens", 100.0, resource_link_id="placed-0")
    for given, progress, second in ((0, "InProgress", 1), (100, "Completed", 2)):
        body = {"scoreGiven": given, "scoreMaximum": 100, "activityProgress": progress}
        stamp = datetime(2026, 5, 1, 10, 0, second, tzinfo=UTC)
        state.scores.append(ReceivedScore(line.id, "demo-nathan", body, stamp))

    page = app.test_client().get("/").get_data(as_text=True)

    assert '<h2 id="grades-title">Carnet de notes</h2>' in page
    assert "<caption>Je soutiens</caption>" in page
    assert '<th scope="row">Nathan</th><td>100&nbsp;/&nbsp;100 (terminé)</td>' in page
    assert '<th scope="row">Sylvie</th><td>—</td>' in page


def test_without_a_graded_activity_there_is_no_gradebook():
    app = create_course_app(LMS, TOOL)
    platform_of(app).state.placed_items.append({"type": "ltiResourceLink", "title": "Mur"})

    assert "Carnet de notes" not in app.test_client().get("/").get_data(as_text=True)
