"""``/trainer/assertions/<id>/revoke``: withdraw a badge, with a reason, after a confirmation.

A signed badge cannot be taken back from the backpacks it went to; revoking publishes
that it no longer holds (:mod:`badges.recognition.revoking`: the hosted badge answers
410, both revocation lists name it, the public page says "Revoked"). It cannot be
undone, so the page asks first and says so in plain words, and a reason is required:
verifiers and the holder read it. Any award of the trainer's community may be revoked
from any of its courses; another community's award is a 404.
"""

from __future__ import annotations

from flask import current_app, redirect, render_template, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from badges.publishing.public_urls import PublicUrls
from badges.recognition.revoking import REASON_LIMIT, RevocationRefused
from badges.recognition.revoking import revoke as revoke_award
from badges.roles import TRAINER
from badges.storage.database import transaction
from lti_tool.blueprints.trainer import bp
from lti_tool.blueprints.trainer.course_scope import community_assertion, launch_person
from lti_tool.launch_handle import current_launch, requires_launch, url_for_launch
from lti_tool.runtime_access import runtime_of


def _page(assertion_id: str, *, reason: str = "", error: str | None = None) -> str:
    launch = current_launch()
    urls = PublicUrls(runtime_of(current_app).instance.origin)
    with transaction(runtime_of(current_app).sessions) as session:
        assertion = community_assertion(session, launch, assertion_id)
        return render_template(
            "trainer/revoke.html",
            launch=launch,
            assertion=assertion,
            badge=assertion.badge_class,
            holder=assertion.recipient_name or _("a person whose name was not shared"),
            public_url=urls.path_of(urls.human_badge(assertion.id)),
            reason=reason,
            reason_limit=REASON_LIMIT,
            error=error,
        )


@bp.route("/trainer/assertions/<assertion_id>/revoke", methods=["GET", "POST"])
@requires_launch(role=TRAINER)
def revoke(assertion_id: str) -> Response | tuple[str, int] | str:
    """The confirmation page (GET); the revocation (POST, then back here with 303)."""
    if request.method == "GET":
        return _page(assertion_id)
    launch = current_launch()
    reason = request.form.get("reason", "")
    try:
        with transaction(runtime_of(current_app).sessions) as session:
            revoke_award(
                session,
                community_assertion(session, launch, assertion_id),
                reason,
                revoked_by=launch_person(session, launch),
            )
    except RevocationRefused:
        error = (
            _("The reason is too long: keep it under 1000 characters.")
            if reason.strip()
            else _("Write the reason: the holder and anyone who checks the badge will read it.")
        )
        return _page(assertion_id, reason=reason, error=error), 400
    return redirect(url_for_launch("trainer.revoke", assertion_id=assertion_id), code=303)
