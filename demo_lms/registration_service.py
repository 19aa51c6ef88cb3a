"""Dynamic Registration, platform side, shaped like Moodle's ``openid-configuration.php``
and ``openid-registration.php`` (reference §10.1).

An admin of the demo LMS gets a registration link carrying a one-time token. The
configuration answers only to that token as Bearer (Moodle checks it on both requests),
lists ``messages_supported`` as plain strings the way Moodle does, and the registration
endpoint checks the token (missing → 401 ``missing_registration_token``, reused → 401
``token_already_used``), the fields Moodle requires, then creates a client with a fresh
``client_id`` and a deployment, granting only the scopes asked for that it supports.
Like Moodle, the new tool is pending until the admin activates it
(``POST /lti/tools/<client_id>/activate``); ``GET /lti/dynamic-registration?url=…`` plays
Moodle's "Add LTI Advantage" button, and ``&update=<client_id>`` its "Update" answer
when a tool of the same domain exists (same client id and deployment, new values).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, jsonify, redirect, request, url_for

from demo_lms.service_state import SUPPORTED_SCOPES, ServiceState, ToolClient
from demo_lms.services import current_state

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"

Answer = tuple[dict[str, Any], int]

bp = Blueprint("demo_registration", __name__)


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, value = (authorization or "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def _token_problem(state: ServiceState, token: str | None, *, consume: bool) -> Answer | None:
    if token is None:
        return {"error": "missing_registration_token"}, 401
    with state.lock:
        used = state.registration_tokens.get(token)
        if used is None:
            return {"error": "invalid_registration_token"}, 401
        if used:
            return {"error": "token_already_used"}, 401
        if consume:
            state.registration_tokens[token] = True
    return None


def configuration(state: ServiceState, token: str | None, endpoints: Mapping[str, str]) -> Answer:
    """The OpenID configuration, for a holder of a valid, unused registration token."""
    problem = _token_problem(state, token, consume=False)
    if problem:
        return problem
    return {
        "issuer": state.issuer,
        "token_endpoint": endpoints["token"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": endpoints["jwks"],
        "authorization_endpoint": endpoints["authorization"],
        "registration_endpoint": endpoints["registration"],
        "scopes_supported": sorted(SUPPORTED_SCOPES | {"openid"}),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
        PLATFORM_CONFIGURATION: {
            "product_family_code": "moodle",
            "version": "4.3",
            "messages_supported": ["LtiResourceLinkRequest", "LtiDeepLinkingRequest"],
            "placements": ["AddContentMenu"],
            "variables": ["CourseSection.timeFrame.end", "ResourceLink.id"],
        },
    }, 200


def _registration_problem(body: Any) -> str | None:
    if not isinstance(body, Mapping):
        return "the registration must be a JSON object"
    if "application_type" in body and body["application_type"] != "web":
        return "application_type must be web"
    if "id_token" not in (body.get("response_types") or []):
        return "response_types must include id_token"
    for key in ("initiate_login_uri", "client_name", "jwks_uri"):
        if not isinstance(body.get(key), str) or not body[key]:
            return f"{key} is required"
    uris = body.get("redirect_uris")
    if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
        return "redirect_uris is required"
    if body.get("token_endpoint_auth_method") != "private_key_jwt":
        return "token_endpoint_auth_method must be private_key_jwt"
    tool = body.get(TOOL_CONFIGURATION)
    if not isinstance(tool, Mapping):
        return f"{TOOL_CONFIGURATION} is required"
    for key in ("domain", "target_link_uri"):
        if not isinstance(tool.get(key), str) or not tool[key]:
            return f"{key} is required in the tool configuration"
    return None


def register(state: ServiceState, token: str | None, body: Any) -> Answer:
    """Create a (pending, like Moodle) client from a tool's registration request."""
    problem = _token_problem(state, token, consume=False)
    if problem:
        return problem
    invalid = _registration_problem(body)
    if invalid:
        return {"error": "invalid_client_metadata", "error_description": invalid}, 400
    consumed = _token_problem(state, token, consume=True)
    if consumed:
        return consumed
    requested = set(str(body.get("scope", "")).split())
    with state.lock:
        updated = state.clients.get(state.registration_updates.get(token or "", ""))
    if updated is not None:
        # Moodle's "Update": the same record (client id, deployment, activation), new values.
        updated.jwks_url = body["jwks_uri"]
        updated.name = body["client_name"]
        updated.allowed_scopes = frozenset(requested & SUPPORTED_SCOPES)
        updated.registration = dict(body)
        client = updated
    else:
        client = state.add_client(
            ToolClient(
                client_id=state.new_client_id(),
                jwks_url=body["jwks_uri"],
                deployment_ids={state.next_deployment_id()},
                allowed_scopes=frozenset(requested & SUPPORTED_SCOPES),
                name=body["client_name"],
                active=False,
                registration=dict(body),
            )
        )
    tool = dict(body[TOOL_CONFIGURATION])
    tool["deployment_id"] = min(client.deployment_ids)
    return {
        **body,
        "client_id": client.client_id,
        "scope": " ".join(sorted(client.allowed_scopes)),
        TOOL_CONFIGURATION: tool,
    }, 200


def registration_link(
    state: ServiceState,
    tool_registration_url: str,
    configuration_url: str,
    update: str | None = None,
) -> str:
    """Where the admin's browser goes to register a tool: its URL plus Moodle's two params.

    Moodle appends ``openid_configuration`` and a fresh one-time ``registration_token``
    to whatever registration URL the admin pasted (keeping that URL's own query).
    ``update`` is Moodle's "Update" of an existing tool (its client id).
    """
    separator = "&" if "?" in tool_registration_url else "?"
    query = urlencode(
        {
            "openid_configuration": configuration_url,
            "registration_token": state.issue_registration_token(update),
        }
    )
    return f"{tool_registration_url}{separator}{query}"


def activate(state: ServiceState, client_id: str) -> bool:
    """The admin's "activate" on a pending tool; False for an unknown client."""
    with state.lock:
        client = state.clients.get(client_id)
        if client is None:
            return False
        client.active = True
        return True


# --- routes --------------------------------------------------------------------------


def _endpoints() -> dict[str, str]:
    return {
        "token": url_for("demo_services.token", _external=True),
        "jwks": url_for("demo_services.platform_jwks", _external=True),
        "authorization": current_state().authorization_url,
        "registration": url_for("demo_registration.openid_registration", _external=True),
    }


@bp.get("/lti/openid-configuration")
def openid_configuration() -> Any:
    token = bearer_token(request.headers.get("Authorization"))
    body, status = configuration(current_state(), token, _endpoints())
    return jsonify(body), status


@bp.post("/lti/openid-registration")
def openid_registration() -> Any:
    token = bearer_token(request.headers.get("Authorization"))
    body, status = register(current_state(), token, request.get_json(silent=True, force=True))
    return jsonify(body), status


@bp.get("/lti/dynamic-registration")
def start_dynamic_registration() -> Any:
    """The admin's "Add tool by registration URL": off to the tool with a fresh token."""
    tool_url = request.args.get("url", "")
    if not tool_url.startswith(("http://", "https://")):
        return jsonify({"error": "url must be the tool's registration URL"}), 400
    configuration_url = url_for("demo_registration.openid_configuration", _external=True)
    update = request.args.get("update") or None
    return redirect(registration_link(current_state(), tool_url, configuration_url, update))


@bp.post("/lti/tools/<client_id>/activate")
def activate_tool(client_id: str) -> Any:
    """Moodle creates dynamically registered tools pending; an admin activates them."""
    if not activate(current_state(), client_id):
        return jsonify({"error": "not_found"}), 404
    return jsonify({"client_id": client_id, "active": True})
