"""The ``lti`` audience: what platforms and their administrators talk to, under ``/lti``.

- :mod:`~lti_tool.blueprints.lti.launch`: OIDC login initiation and the launch itself;
- :mod:`~lti_tool.blueprints.lti.registration`: Dynamic Registration (``/lti/register``);
- :mod:`~lti_tool.blueprints.lti.deep_linking`: the picker a Deep Linking request opens,
  where a trainer places badges and walls in the course (``/lti/deep-linking/``);
- :mod:`~lti_tool.blueprints.lti.pages`: the values to paste (``/lti/config``) and the
  landing page of a launch that names no other page.

One blueprint, ``lti``, whose routes those modules add; importing this package brings
them all. Registering it also gives every template the launch's URL helpers
(``url_for_launch``...), since every launched page of every audience uses them.
"""

from __future__ import annotations

from flask import Blueprint

from lti_tool.launch_destinations import contribute
from lti_tool.launch_handle import init_launch_handle
from lti_tool.lti1p3.claims import DEEP_LINKING_REQUEST

bp = Blueprint("lti", __name__, url_prefix="/lti")
bp.record_once(lambda state: init_launch_handle(state.app))
contribute(bp, {DEEP_LINKING_REQUEST: ".deep_linking"})

# The modules add their routes to ``bp``: imported after it exists.
from lti_tool.blueprints.lti import deep_linking, launch, pages, registration  # noqa: E402

__all__ = ["bp", "deep_linking", "launch", "pages", "registration"]
