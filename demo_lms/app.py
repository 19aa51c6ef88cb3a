"""The demo LMS application factory.

One Flask app plays the platform: launches (:mod:`demo_lms.launch`) and the LTI
Advantage services (:mod:`demo_lms.services`) share one :class:`ServiceState` (the
platform key, tools, courses, grades). More blueprints (demo course pages) are added in
:data:`BLUEPRINTS` or passed to :func:`create_demo_app`.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Blueprint, Flask

from demo_lms import launch, registration_service, services
from demo_lms.platform import DemoPlatform
from demo_lms.service_state import ServiceState

BLUEPRINTS: tuple[Blueprint, ...] = (launch.bp, services.bp, registration_service.bp)


def create_demo_app(
    issuer: str,
    *,
    state: ServiceState | None = None,
    blueprints: Iterable[Blueprint] = (),
) -> Flask:
    """Build the demo platform whose issuer (and public origin) is ``issuer``."""
    app = Flask(__name__)
    state = state or ServiceState(issuer)
    app.extensions[launch.EXTENSION] = DemoPlatform(state)
    services.install(app, state)
    for blueprint in (*BLUEPRINTS, *blueprints):
        app.register_blueprint(blueprint)
    return app


def platform_of(app: Flask) -> DemoPlatform:
    """The launch side of a demo app (tools, pending launches, tamper hook)."""
    return app.extensions[launch.EXTENSION]
