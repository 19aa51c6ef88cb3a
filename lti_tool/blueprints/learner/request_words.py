"""What a learner reads about a request: the trainer's last word on it.

The states themselves are worded in the templates (``learner/_request_state.html``);
what they need from the history is the comment of the step that put the request in its
state (what to add, or why it was not accepted).
"""

from __future__ import annotations

from badges.models import BadgeRequest
from badges.models.badge_request import CHANGES_REQUESTED, DECLINED


def last_comment(request: BadgeRequest) -> str | None:
    """The trainer's comment that goes with the request's state, if it has one."""
    if request.state not in (CHANGES_REQUESTED, DECLINED):
        return None
    for event in reversed(request.events):
        if event.kind == request.state:
            return event.comment
    return None
