"""Blueprints by audience (DESIGN.md), one module or package each, named after who uses it.

- ``lti``: what platforms talk to: login, launch, Dynamic Registration, the Deep Linking
  picker (a trainer's page, but the answer to an LTI message), the values to paste, the
  landing page of a launch (``/lti/...``);
- ``learner``: the course's pages as its people see them: the placed badge, the
  recognition wall, the endorsement board (``/course/...``);
- ``trainer``: what only trainers do: the roster, awarding;
- ``admin``: platform administration (``/admin/platforms/...``);
- ``public``: the home page and everything anyone may read without signing in: hosted
  Open Badges documents, the key sets (``/.well-known/jwks.json`` among them, which
  platforms also read the tool's LTI key from), the human badge page.

There is no ``partner`` module: partners have no page today (an empty module would
only pretend otherwise), and no ``api`` one, since no JSON API is served yet.

Each audience exposes ``bp``; :func:`register_blueprints` is the one place they are
wired. Blueprints bring their app-wide contributions with them (launch destinations,
the launch's template helpers, per-app schedules) through ``record_once``, so nothing
is filled in at import time and two apps in one process share nothing.
"""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from lti_tool.blueprints import admin, learner, lti, public, trainer

    for audience in (public, lti, learner, trainer, admin):
        app.register_blueprint(audience.bp)
