"""The runtime an app was built with, for the code that serves its requests.

:func:`lti_tool.app.create_app` stores the :class:`~badges.storage.runtime.Runtime` in
the app's extensions; blueprints and helpers read it back through :func:`runtime_of`.
It lives apart from the factory so that the blueprints, which the factory registers,
do not import the factory back.
"""

from __future__ import annotations

from flask import Flask

from badges.storage.runtime import Runtime

#: The key of the runtime in ``app.extensions``.
EXTENSION = "chemins"


def runtime_of(app: Flask) -> Runtime:
    """The runtime an app was built with (database sessions, instance, sealer)."""
    return app.extensions[EXTENSION]  # type: ignore[no-any-return]
