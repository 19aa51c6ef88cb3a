"""``/course/badges/<assertion_id>/name``: whether the recipient's name shows on the
public page of their badge.

Hidden by default (an award only says "recipient hidden"); the recipient alone may
change it, from their home, as often as they like (:func:`badges.recognition.evidence.
set_name_public`). Another person's award, or one of another community, is a 404.
"""

from __future__ import annotations

from flask import Response, abort, current_app, redirect, request

from badges.models import Assertion, Person
from badges.recognition.evidence import VisibilityRefused, set_name_public
from badges.storage.database import transaction
from lti_tool.blueprints.learner import bp
from lti_tool.launch_handle import current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of


@bp.post("/badges/<assertion_id>/name")
@requires_launch()
def name_visibility(assertion_id: str) -> Response:
    """Show (``public=yes``) or hide (``public=no``) the name on the badge's public page."""
    launch = current_launch()
    choice = request.form.get("public")
    if choice not in ("yes", "no"):
        abort(400)
    runtime = runtime_of(current_app)
    try:
        with transaction(runtime.sessions) as session:
            assertion = session.get(Assertion, assertion_id)
            person = session.get(Person, launch.person_id)
            if (
                assertion is None
                or person is None
                or assertion.badge_class.community_id != launch.community_id
            ):
                abort(404)
            set_name_public(session, runtime, assertion, person, choice == "yes")
    except VisibilityRefused:
        abort(404)
    return redirect(url_for_launch("learner.home", done="name"), code=303)
