"""The application factory.

One ``create_app`` builds the whole tool from an :class:`~badges.runtime.Runtime`, so the
CLI, gunicorn and the tests build the same thing with different instances.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

from badges.runtime import Runtime
from lti_tool.blueprints import register_blueprints
from lti_tool.errors import register_error_pages
from lti_tool.i18n import init_i18n
from lti_tool.security_headers import init_security_headers
from lti_tool.template_translation import FoldedTranslations, TranslatedEnvironment

EXTENSION = "chemins"


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, unchanged, with the signer built once per key set.

    Flask opens the session on every request and builds a new signer each time (salt,
    key derivation, serializer), even when no session cookie is sent; that was a visible
    share of each login, launch and landing page. The signer holds no request state, so
    one per (secret key, fallbacks) serves every thread; a changed key builds a new one.
    """

    def __init__(self) -> None:
        self._signer: tuple[object, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = self._signer
        if cached is None or cached[0] != keys:
            cached = self._signer = (keys, super().get_signing_serializer(app))
        return cached[1]


def create_app(test_config: dict[str, Any] | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the tool. ``runtime`` defaults to the one described by ``CHEMINS_*``."""
    app = Flask(__name__, instance_relative_config=False)
    # Before anything touches app.jinja_env: pages compiled once per language.
    app.jinja_environment = TranslatedEnvironment
    app.jinja_options = {**app.jinja_options, "extensions": [FoldedTranslations]}
    runtime = runtime or Runtime.open()
    runtime.publish_tool_key()  # the JWKS lists it before the first signature
    app.config.update(
        SECRET_KEY=runtime.instance.secret_key,
        CHEMINS_BASE_URL=runtime.instance.origin,
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        JSON_SORT_KEYS=False,
    )
    if test_config:
        app.config.update(test_config)
    app.extensions[EXTENSION] = runtime
    app.session_interface = _SessionInterface()
    init_i18n(app)
    init_security_headers(app)
    register_error_pages(app)
    register_blueprints(app)
    return app


def runtime_of(app: Flask) -> Runtime:
    """The runtime an app was built with (database sessions, instance, sealer)."""
    return app.extensions[EXTENSION]
