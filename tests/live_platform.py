"""Real HTTP for LTI Advantage tests: the demo LMS services and a tool JWKS on 127.0.0.1.

The tool's clients (tokens, NRPS, AGS, Dynamic Registration, Deep Linking) are tested
against the demo platform running as a real server in a thread, and the platform checks
the tool's signatures by fetching the tool's JWKS over HTTP, as Moodle does. Imported by
the ``conftest.py`` of the test folders that need it; servers come from
:mod:`tests.live_server`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify

from badges.openbadges.keys import required_jwk_members, thumbprint_kid
from demo_lms import registration_service, services
from demo_lms.service_state import ServiceState, ToolClient
from lti_tool.lti1p3.service_token import PlatformAccess
from lti_tool.lti1p3.tool_key import ToolKey
from tests.live_server import LiveServer

CLIENT_ID = "chemins-client"
DEPLOYMENT_ID = "3"
CONTEXT_ID = "course-42"


def new_tool_key() -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ToolKey(thumbprint_kid(private), private)


def jwks_app(*keys: ToolKey) -> Flask:
    """A stand-in for the tool's ``/.well-known/jwks.json``."""
    app = Flask("tool_jwks")
    published = list(keys)

    @app.get("/.well-known/jwks.json")
    def jwks():  # type: ignore[no-untyped-def]
        return jsonify(
            {
                "keys": [
                    {
                        **required_jwk_members(k.private_key),
                        "kid": k.kid,
                        "alg": "RS256",
                        "use": "sig",
                    }
                    for k in published
                ]
            }
        )

    app.config["published"] = published
    return app


@dataclass
class DemoPlatform:
    """The demo LMS services live, with the tool registered as ``CLIENT_ID``."""

    url: str
    state: ServiceState
    tool_key: ToolKey
    tool_jwks_url: str

    @property
    def access(self) -> PlatformAccess:
        return PlatformAccess(
            issuer=self.state.issuer,
            client_id=CLIENT_ID,
            token_url=f"{self.url}/services/token",
            deployment_id=DEPLOYMENT_ID,
        )


@pytest.fixture
def tool_key() -> ToolKey:
    return new_tool_key()


@pytest.fixture
def tool_jwks(tool_key: ToolKey) -> Iterator[str]:
    live = LiveServer(jwks_app(tool_key)).start()
    yield f"{live.url}/.well-known/jwks.json"
    live.stop()


@pytest.fixture
def demo_platform(tool_key: ToolKey, tool_jwks: str) -> Iterator[DemoPlatform]:
    app = Flask("demo_lms_services")
    app.register_blueprint(services.bp)
    app.register_blueprint(registration_service.bp)
    live = LiveServer(app).start()
    state = ServiceState(live.url)
    services.install(app, state)
    state.add_client(ToolClient(CLIENT_ID, tool_jwks, {DEPLOYMENT_ID}))
    yield DemoPlatform(live.url, state, tool_key, tool_jwks)
    live.stop()
