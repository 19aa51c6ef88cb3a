"""The application factory.

One ``create_app`` builds the whole tool from an :class:`~badges.storage.runtime.Runtime`, so the
CLI, gunicorn and the tests build the same thing with different instances.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from badges.storage.runtime import Runtime
from lti_tool.blueprints import register_blueprints
from lti_tool.errors import register_error_pages
from lti_tool.i18n import init_i18n
from lti_tool.runtime_access import EXTENSION, runtime_of
from lti_tool.security_headers import init_security_headers

#: ``runtime_of`` lives in :mod:`lti_tool.runtime_access`; re-exported for the modules
#: that still import it from here.
__all__ = ["create_app", "runtime_of"]


def create_app(test_config: dict[str, Any] | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the tool. ``runtime`` defaults to the one described by ``CHEMINS_*``."""
    app = Flask(__name__, instance_relative_config=False)
    runtime = runtime or Runtime.open()
    runtime.publish_tool_key()  # the JWKS lists it before the first signature
    app.config.update(
        SECRET_KEY=runtime.instance.secret_key,
        CHEMINS_BASE_URL=runtime.instance.origin,
        # A request with up to five phone photos (each at most 15 MB, refused one by one
        # beyond: badges.images.photos) fits; anything larger is a 413 page.
        MAX_CONTENT_LENGTH=40 * 1024 * 1024,
        # The text fields of a form (files excluded): a few sentences, a link, a caption.
        MAX_FORM_MEMORY_SIZE=500_000,
        WTF_CSRF_TIME_LIMIT=None,
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.update(test_config)
    app.extensions[EXTENSION] = runtime
    init_i18n(app)
    init_security_headers(app)
    register_error_pages(app)
    register_blueprints(app)
    return app
