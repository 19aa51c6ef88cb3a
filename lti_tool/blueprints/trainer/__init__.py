"""The ``trainer`` audience: what only trainers (and course admins) do from their course.

- :mod:`~lti_tool.blueprints.trainer.roster`: the course's participants as the platform
  lists them (``/trainer/roster``);
- :mod:`~lti_tool.blueprints.trainer.award`: award the placed badge to a learner
  (``/course/badge/award``, the form of the badge page).

The Deep Linking picker, though only trainers see it, is an LTI message's answer and
lives with the ``lti`` audience (:mod:`lti_tool.blueprints.lti.deep_linking`).

The URLs are the ones platforms and pages already know, hence no common prefix.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("trainer", __name__)

# The modules add their routes to ``bp``: imported after it exists.
from lti_tool.blueprints.trainer import award, roster  # noqa: E402

__all__ = ["award", "bp", "roster"]
