"""What a person is told when their login or launch is refused.

The validator's codes (reference/lti13.md §12) are for administrators and the logs; a
learner in an iframe needs one plain sentence saying what to do next. Every refusal
maps to one of a few such sentences, in the person's language; the code is shown
under it so that the administrator they tell can find the cause.
"""

from __future__ import annotations

from flask_babel import gettext as _

from lti_tool.lti1p3.exceptions import LoginRefused, LtiRefusal

#: The code of a launch whose platform answered an OIDC error instead of a token.
PLATFORM_ERROR = "B18"
#: Codes of a state already used, expired, or from another browser.
STATE_REFUSED = ("B16", "B17")


def refusal_message(refusal: LtiRefusal, *, platform_error: bool = False) -> str:
    """The sentence shown for ``refusal``; ``platform_error`` when the platform sent one."""
    if isinstance(refusal, LoginRefused):
        return _(
            "Chemins is not set up for this learning platform, or the link is incomplete. "
            "Ask your platform administrator to check the registration."
        )
    if refusal.code == PLATFORM_ERROR and platform_error:
        return _(
            "Your learning platform did not sign you in. Go back to your course and open "
            "the activity again."
        )
    if refusal.code in STATE_REFUSED:
        return _(
            "This launch was already used, has expired, or was started in another browser. "
            "Go back to your course and open the activity again."
        )
    if refusal.http_status == 401:
        return _(
            "Chemins could not confirm that this launch comes from your learning platform. "
            "Go back to your course and try again; if it keeps happening, tell your "
            "platform administrator."
        )
    return _(
        "Your learning platform sent an incomplete launch. Tell your platform "
        "administrator, with the reason code below."
    )


def refusal_status(refusal: LtiRefusal) -> int:
    """The refusal's own 4xx status; anything else (never expected) answers 400."""
    return refusal.http_status if 400 <= refusal.http_status < 500 else 400
