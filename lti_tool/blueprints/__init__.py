"""Blueprints by audience (DESIGN.md): lti, learner, trainer, partner, admin, public, api.

Each module exposes ``bp``; :func:`register_blueprints` is the one place they are wired.
"""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from lti_tool.blueprints import (
        ask_badge,
        course_walls,
        deep_linking,
        home,
        lti,
        lti_registration,
        platform_admin,
        public,
        roster,
    )

    for module in (
        home,
        public,
        lti,
        lti_registration,
        deep_linking,
        roster,
        ask_badge,
        course_walls,
        platform_admin,
    ):
        app.register_blueprint(module.bp)
