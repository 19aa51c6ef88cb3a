"""The tool's own LTI pages: the values to paste, and where a launch without a page lands.

``/lti/config`` lists what a platform administrator pastes into Moodle or Open edX for
a manual registration. ``/lti/launched`` and ``/lti/links/<id>`` are the landing page
of a launch that names no other destination: the person's home (the learner's, or the
trainer's for trainers and admins), whose language form posts back here so the choice
holds for the whole launch.
"""

from __future__ import annotations

from flask import abort, current_app, g, render_template, request
from flask_babel import refresh

from badges.courses.launches import choose_language
from badges.models import ResourceLink
from badges.roles import may_review
from badges.storage.database import transaction
from lti_tool.blueprints.learner.home import learner_home_page
from lti_tool.blueprints.lti import bp
from lti_tool.blueprints.lti.launch import tool_urls
from lti_tool.blueprints.trainer.home import trainer_home_page
from lti_tool.i18n import LANGUAGES
from lti_tool.launch_handle import current_launch, requires_launch
from lti_tool.runtime_access import runtime_of


@bp.get("/config")
def config() -> str:
    """The values a platform administrator pastes into Moodle or Open edX."""
    return render_template("lti/config.html", urls=tool_urls())


def _language_choice() -> bool:
    """On POST, keep the language picked on the landing page for the whole launch.

    The header's language links only change one page; in an iframe without cookies this
    form is how a choice survives the next click. True when a choice was saved.
    """
    if request.method != "POST":
        return False
    chosen = request.form.get("lang")
    if chosen not in LANGUAGES:
        abort(400)
    with runtime_of(current_app).engine.begin() as connection:
        choose_language(connection, current_launch().session_id, chosen)
    g.launch_locale = chosen
    refresh()  # this very page answers in the new language
    return True


def home_page(saved: bool) -> str:
    """The launched person's home: a trainer's or admin's, else a learner's."""
    if may_review(current_launch().role):
        return trainer_home_page(saved=saved)
    return learner_home_page(saved=saved)


@bp.route("/launched", methods=["GET", "POST"])
@requires_launch()
def launched() -> str:
    """The landing page of a launch that has no resource link (e.g. without a course)."""
    return home_page(_language_choice())


@bp.route("/links/<link_pk>", methods=["GET", "POST"])
@requires_launch()
def link(link_pk: str) -> str:
    """The page a resource link opens, for the person who launched it.

    The link is looked up within the launch's deployment: a handle from another
    deployment finds nothing here, whatever id it is given.
    """
    launch = current_launch()
    # The link this launch came through, where every launch lands, was read with the
    # handle (and belongs to the launch's deployment); any other is looked up.
    if link_pk != launch.resource_link_pk:
        with transaction(runtime_of(current_app).sessions) as session:
            found = session.get(ResourceLink, link_pk)
            if found is None or found.deployment_id != launch.deployment_pk:
                abort(404)
    return home_page(_language_choice())
