"""The ``learner`` audience: the course's pages, as the people of the course see them.

- :mod:`~lti_tool.blueprints.learner.badge_page`: the page a placed badge opens
  (``/course/badge/``): what it stands for and what the person holds of it;
- :mod:`~lti_tool.blueprints.learner.course_walls`: the recognition wall and the
  endorsement board (``/course/wall``, ``/course/board``).

Trainers open the same pages from their course (and see the award form on the badge
page); what only trainers do is the ``trainer`` audience. Registering the blueprint
tells the launch which placements land here (:mod:`lti_tool.launch_destinations`).
"""

from __future__ import annotations

from flask import Blueprint

from lti_tool.launch_destinations import contribute
from lti_tool.placements import ASK_BADGE, BOARD, WALL

bp = Blueprint("learner", __name__, url_prefix="/course")
contribute(bp, {ASK_BADGE: ".badge", WALL: ".wall", BOARD: ".board"})

# The modules add their routes to ``bp``: imported after it exists.
from lti_tool.blueprints.learner import (  # noqa: E402
    asking,
    badge_page,
    course_walls,
    evidence_files,
    home,
    my_badges,
    my_requests,
    notifications,
    proposals,
)

__all__ = [
    "asking",
    "badge_page",
    "bp",
    "course_walls",
    "evidence_files",
    "home",
    "my_badges",
    "my_requests",
    "notifications",
    "proposals",
]
