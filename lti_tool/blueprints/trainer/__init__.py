"""The ``trainer`` audience: what only trainers (and course admins) do from their course.

- :mod:`~lti_tool.blueprints.trainer.home`: the trainer's home (``/trainer/``): requests
  waiting, member proposals, badges, award, participants;
- :mod:`~lti_tool.blueprints.trainer.review`: the review queue and each request's page
  (accept after a confirmation, ask to improve, decline);
- :mod:`~lti_tool.blueprints.trainer.award`: award a badge to a selection of the course
  (choose → confirm → a batch signed a few at a time, with its progress);
- :mod:`~lti_tool.blueprints.trainer.revoke`: withdraw an award, with a reason, after a
  confirmation;
- :mod:`~lti_tool.blueprints.trainer.accompany`: fill a request with and for a learner;
- :mod:`~lti_tool.blueprints.trainer.badge_classes` and
  :mod:`~lti_tool.blueprints.trainer.proposals`: badge classes, three-level families,
  the designer, and the badges members propose;
- :mod:`~lti_tool.blueprints.trainer.roster`: the course's participants as the platform
  lists them (``/trainer/roster``).

The Deep Linking picker, though only trainers see it, is an LTI message's answer and
lives with the ``lti`` audience (:mod:`lti_tool.blueprints.lti.deep_linking`).

The URLs are the ones platforms and pages already know, hence no common prefix.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("trainer", __name__)

# The modules add their routes to ``bp``: imported after it exists.
from lti_tool.blueprints.trainer import (  # noqa: E402
    accompany,
    award,
    badge_classes,
    home,
    proposals,
    review,
    revoke,
    roster,
)

__all__ = [
    "accompany",
    "award",
    "badge_classes",
    "bp",
    "home",
    "proposals",
    "review",
    "revoke",
    "roster",
]
