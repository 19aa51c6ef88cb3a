"""The tool's LTI identity inside the web app: its signing key and its service tokens.

Deep Linking responses, service-token assertions and Dynamic Registration all need the
same things: the tool's active LTI key (``purpose="lti"`` in :mod:`badges.recognition.signing_keys`)
as a :class:`~lti_tool.lti1p3.tool_key.ToolKey`, one process-wide
:class:`~lti_tool.lti1p3.service_token.ServiceTokens` so that tokens are cached across
requests, and the description the tool gives of itself to platforms. Keys are read
through the signing-keys module so that a rotation is picked up without a restart.
Tokens and services go through the app's guarded client
(:func:`lti_tool.outbound_client.outbound_client`).
"""

from __future__ import annotations

import threading

from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask

from badges.recognition import signing_keys
from badges.storage.database import transaction
from badges.storage.runtime import Runtime
from lti_tool.lti1p3.dynamic_registration import ToolDescription
from lti_tool.lti1p3.service_token import ServiceTokens
from lti_tool.lti1p3.tool_key import ToolKey
from lti_tool.outbound_client import outbound_client
from lti_tool.runtime_access import runtime_of

EXTENSION = "chemins.service_tokens"
_lock = threading.Lock()


def tool_key(app: Flask) -> ToolKey:
    """The tool's active LTI key, created on first need."""
    return runtime_tool_key(runtime_of(app))


def runtime_tool_key(runtime: Runtime) -> ToolKey:
    """:func:`tool_key` without a web app, for ``chemins worker`` and other commands."""
    with transaction(runtime.sessions) as session:
        row = signing_keys.ensure_tool_key(session, runtime.sealer)
        kid = row.kid
        private = signing_keys.private_key(runtime.sealer, row)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise RuntimeError("the tool's LTI key must be RSA (LTI 1.3 signs with RS256)")
    return ToolKey(kid, private)


def service_tokens(app: Flask) -> ServiceTokens:
    """The app's token cache, rebuilt when the tool key was rotated."""
    key = tool_key(app)
    with _lock:
        tokens: ServiceTokens | None = app.extensions.get(EXTENSION)
        if tokens is None or tokens.key.kid != key.kid:
            tokens = ServiceTokens(key, http=outbound_client(app))
            app.extensions[EXTENSION] = tokens
        return tokens


#: The tool's name on a platform; a registration adds its community's after a dash.
TOOL_NAME = "Chemins"


def client_name(community_name: str | None) -> str:
    """The name a platform shows for one registration: "Chemins — <community>".

    A platform with several registrations of Chemins (one per social centre, each
    with its own community) lists them all under this name in its tool list; without
    the community's name, its admin could not tell them apart.
    """
    name = " ".join((community_name or "").split())
    return f"{TOOL_NAME} — {name}" if name else TOOL_NAME


def tool_description(
    origin: str, description: str, community_name: str | None = None
) -> ToolDescription:
    """What the tool tells a platform about itself during Dynamic Registration."""
    return ToolDescription(
        client_name=client_name(community_name),
        base_url=origin,
        login_url=f"{origin}/lti/login",
        launch_url=f"{origin}/lti/launch",
        jwks_url=f"{origin}/.well-known/jwks.json",
        deep_linking_url=f"{origin}/lti/launch",
        course_navigation_url=f"{origin}/lti/launch",
        logo_url=f"{origin}/static/chemins-logo.svg",
        description=description,
        redirect_uris=(f"{origin}/lti/launch",),
    )
