"""The trainer's picker for an ``LtiDeepLinkingRequest``: choose, sign, send back.

The platform launches the tool with a Deep Linking request when a trainer adds an
activity. The ``trainer`` blueprint sends such launches here when registered
(:mod:`lti_tool.launch_destinations`); the page
lists what can be placed (each published badge of the community, the recognition wall,
the endorsement board) in the ways this platform accepts, and posts the signed
``LtiDeepLinkingResponse`` back to the platform's return URL.

Badges are shown as a trainer will want to choose them: each with its image, level and
description, a family's levels together in level order (:func:`placements.picker_groups`).
Placing nothing is a valid answer only when asked for: "Cancel" sends an empty
``content_items``, and the return page says nothing was added. "Add to the course" with
nothing ticked is far more often a slip than a wish, so it sends nothing back and shows
the picker again (400) with a message saying what to do.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import abort, current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from badges.models import BadgeClass, Deployment, LaunchSession
from badges.models.badge_class import LEVEL_NAMES
from badges.publishing.public_urls import PublicUrls
from badges.recognition.badge_classes import PUBLISHED
from badges.roles import TRAINER
from badges.storage.database import transaction
from lti_tool.blueprints.lti import bp
from lti_tool.launch_handle import current_launch, requires_launch
from lti_tool.lti1p3.claims import DEEP_LINKING_REQUEST
from lti_tool.lti1p3.deep_link import (
    RESOURCE_LINK,
    DeepLinkingError,
    DeepLinkingSettings,
    build_response,
    response_form,
)
from lti_tool.placements import (
    ASK_BADGE,
    BOARD,
    WALL,
    BadgeChoice,
    Placement,
    content_item,
    picker_groups,
    types_for,
)
from lti_tool.runtime_access import runtime_of
from lti_tool.tool_identity import tool_key

#: The LTI audience's logger (``lti_tool.blueprints.lti``).
log = logging.getLogger(__package__)


def _titles() -> dict[str, str]:
    return {WALL: _("Recognition wall"), BOARD: _("Endorsement board")}


def _type_labels() -> dict[str, str]:
    return {
        "ltiResourceLink": _("Activity in the course (opens Chemins)"),
        "link": _("Link to the badge's public description"),
        "html": _("Badge card shown in the page"),
        "image": _("Badge image"),
    }


def _request_facts(session_id: str) -> tuple[DeepLinkingSettings, dict[str, str]]:
    """The request's settings and who answers whom (client_id, issuer, deployment)."""
    with transaction(runtime_of(current_app).sessions) as session:
        row = session.get(LaunchSession, session_id)
        if row is None or row.message_type != DEEP_LINKING_REQUEST:
            abort(404)
        deployment = session.get(Deployment, row.deployment_id)
        assert deployment is not None
        registration = deployment.registration
        ids = {
            "client_id": registration.client_id,
            "issuer": registration.platform.issuer,
            "deployment_id": deployment.deployment_id,
        }
        claims = dict(row.claims)
    try:
        return DeepLinkingSettings.from_claims(claims), ids
    except DeepLinkingError as error:
        log.warning("deep linking request unusable: %s", error)
        abort(400)


def _badges(community_id: str) -> list[BadgeChoice]:
    """The community's published badge classes, with their family and level."""
    with transaction(runtime_of(current_app).sessions) as session:
        rows = session.scalars(
            select(BadgeClass)
            .where(BadgeClass.community_id == community_id, BadgeClass.status == PUBLISHED)
            .options(selectinload(BadgeClass.family))
            .order_by(BadgeClass.name)
        )
        return [
            BadgeChoice(
                b.id,
                b.name,
                b.description,
                family=b.family.name if b.family else None,
                level=b.level,
                family_id=b.family_id,
                language=b.language,
            )
            for b in rows
        ]


def _nothing_chosen_message() -> str:
    return _("Choose at least one item, or press Cancel to go back without adding anything.")


def _placements(settings: DeepLinkingSettings, badges: dict[str, BadgeChoice]) -> list[Placement]:
    """The trainer's ticked choices, refused (400) when they do not fit the request."""
    chosen = [value for value in request.form.getlist("place") if value]
    placements: list[Placement] = []
    for value in chosen:
        target, _sep, badge_id = value.partition(":")
        if target == ASK_BADGE:
            badge = badges.get(badge_id)
            if badge is None:
                abort(400)
            item_type = request.form.get(f"type:{badge_id}") or RESOURCE_LINK
            graded = request.form.get(f"graded:{badge_id}") == "1"
            placement = Placement(ASK_BADGE, item_type, badge, graded)
        elif target in (WALL, BOARD):
            placement = Placement(target)
        else:
            abort(400)
        if placement.item_type not in types_for(placement.target, settings):
            abort(400)
        placements.append(placement)
    return placements


def _picker_page(
    settings: DeepLinkingSettings, badges: list[BadgeChoice], error: str | None = None
) -> str:
    urls = PublicUrls(runtime_of(current_app).instance.origin)
    return render_template(
        "lti/deep_linking.html",
        settings=settings,
        groups=picker_groups(badges),
        image_path=lambda badge_id: urls.path_of(urls.badge_image(badge_id)),
        level_names=LEVEL_NAMES,
        badge_types=types_for(ASK_BADGE, settings),
        can_launch=RESOURCE_LINK in settings.accept_types,
        type_labels=_type_labels(),
        titles=_titles(),
        targets={"wall": WALL, "board": BOARD, "badge": ASK_BADGE},
        error=error,
    )


@bp.route("/deep-linking/", methods=["GET", "POST"])
@requires_launch(role=TRAINER)
def deep_linking() -> Any:
    """The choice (GET), then the signed answer auto-posted to the platform (POST)."""
    launch = current_launch()
    settings, ids = _request_facts(launch.session_id)
    badges = _badges(launch.community_id)
    if request.method == "GET":
        return _picker_page(settings, badges)
    cancelled = request.form.get("action") == "cancel"
    placements = [] if cancelled else _placements(settings, {b.id: b for b in badges})
    if not cancelled and not placements:
        log.info("deep linking: 'add' pressed with nothing chosen; picker shown again")
        return _picker_page(settings, badges, _nothing_chosen_message()), 400
    origin = runtime_of(current_app).instance.origin
    try:
        items = [content_item(p, settings, origin, _titles()) for p in placements]
        token = build_response(
            settings,
            items,
            key=tool_key(current_app),
            client_id=ids["client_id"],
            platform_issuer=ids["issuer"],
            deployment_id=ids["deployment_id"],
        )
    except DeepLinkingError as error:
        log.info("deep linking choice refused: %s", error)
        message = _("Your platform accepts only one item here. Choose one.")
        return _picker_page(settings, badges, message), 400
    log.info("deep linking answer: %d item(s) for deployment %s", len(items), ids["deployment_id"])
    return render_template(
        "lti/deep_linking_return.html", form=response_form(settings, token), count=len(items)
    )
