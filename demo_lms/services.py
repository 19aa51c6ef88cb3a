"""The demo LMS's LTI Advantage endpoints, checking what Moodle checks.

- ``POST /services/token``: client-credentials grant. The form content type, grant and
  assertion type, the client assertion (signature by ``kid`` against the tool's JWKS URL,
  ``iss`` = ``sub`` = a registered client, ``aud`` = this URL, ``exp``, ``iat``, single-use
  ``jti``) and the scopes (granted = requested ∩ allowed; nothing left → 400
  ``invalid_scope``, as Moodle answers; ``scope_policy = "subset"`` refuses any scope
  outside the allowed set).
- ``GET /services/<context>/memberships``: NRPS with ``limit`` paging and a ``Link``
  header carrying ``rel="differences"`` and ``rel="next"`` side by side.
- ``/services/<context>/lineitems…``: AGS line items with Moodle's ``?type_id=`` URLs
  (Open edX's carry no query), listed with the spec's ``resource_link_id``,
  ``resource_id`` and ``tag`` filters and created by POST (Open edX's programmatic mode:
  the tool makes its own column), and scores (media type, fields, ``FullyGraded``; a
  timestamp not newer than the last score of that learner → 409, or for an Open edX
  tool the 400 lti-consumer-xblock answers: ``{"timestamp": ["Score already exists for
  the provided timestamp"]}``, or "…can only be updated to a later point in time").
- ``POST /deep-linking/return``: verifies the ``LtiDeepLinkingResponse``, keeps the
  placed items and, when the return URL names the course, creates the line item of each
  item placed with a ``lineItem`` (Moodle creates the grade column the same way).
- ``GET /services/jwks``: the platform's keys (its access tokens are JWTs).

Dynamic Registration (``/lti/openid-configuration``, ``/lti/openid-registration``, the
admin's start and "activate" actions) lives in :mod:`demo_lms.registration_service`, its
own blueprint; this module holds the services a launched tool calls.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import jwt
from flask import Blueprint, Response, current_app, jsonify, request, url_for

from demo_lms.service_checks import OPENEDX_ACCEPT_TYPES, deep_linking_problem, score_problem
from demo_lms.service_state import ReceivedScore, ServiceState
from demo_lms.tool_jwt import ToolJwtRejected, ToolKeysets, unverified_claim, verify_tool_jwt

bp = Blueprint("demo_services", __name__)

EXTENSION = "demo_lms.services"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
TOKEN_LIFETIME = 3600
DEFAULT_PAGE = 10
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def install(app: Any, state: ServiceState, keysets: ToolKeysets | None = None) -> None:
    """Give the blueprint its state; the demo app factory calls this once."""
    app.extensions[EXTENSION] = (state, keysets or ToolKeysets())


def current_state() -> ServiceState:
    """The state :func:`install` gave this app (shared with the registration routes)."""
    return current_app.extensions[EXTENSION][0]


def _keysets() -> ToolKeysets:
    return current_app.extensions[EXTENSION][1]


def _oauth_error(code: str, description: str, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": code, "error_description": description}), status


# --- token endpoint ----------------------------------------------------------------


@bp.post("/services/token")
def token() -> Any:
    state = current_state()
    if request.mimetype != "application/x-www-form-urlencoded":
        return _oauth_error(
            "invalid_request", "Content-Type must be application/x-www-form-urlencoded"
        )
    form = request.form
    with state.lock:
        state.token_requests.append(dict(form))
    if form.get("grant_type") != "client_credentials":
        return _oauth_error("unsupported_grant_type", "grant_type must be client_credentials")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        return _oauth_error("invalid_request", "client_assertion_type must be jwt-bearer")
    assertion = form.get("client_assertion", "")
    requested = set(form.get("scope", "").split())
    if not assertion or not requested:
        return _oauth_error("invalid_request", "client_assertion and scope are required")
    try:
        client_id = unverified_claim(assertion, "sub")
        client = state.clients.get(client_id) if isinstance(client_id, str) else None
        if client is None or not client.active:
            return _oauth_error("invalid_client", "unknown client", 401)
        claims = verify_tool_jwt(
            assertion,
            _keysets(),
            client.jwks_url,
            audience=url_for("demo_services.token", _external=True),
            issuer=client.client_id,
            required=("iss", "sub", "aud", "exp", "iat", "jti"),
        )
    except ToolJwtRejected as exc:
        return _oauth_error("invalid_client", exc.reason, 401)
    if claims["sub"] != client.client_id:
        return _oauth_error("invalid_client", "sub must equal the client_id", 401)
    if claims["exp"] - claims["iat"] > 3600:
        return _oauth_error("invalid_client", "assertion lives too long", 401)
    with state.lock:
        if claims["jti"] in state.used_jtis:
            return _oauth_error("invalid_client", "jti already used", 401)
        state.used_jtis.add(claims["jti"])
    granted = sorted(requested & client.allowed_scopes)
    if not granted:
        return _oauth_error("invalid_scope", "none of the requested scopes is allowed")
    if state.scope_policy == "subset" and not requested <= client.allowed_scopes:
        return _oauth_error("invalid_scope", "a requested scope is not allowed")
    access_token = state.platform.platform_encode_and_sign(
        {
            "iss": state.issuer,
            "sub": client.client_id,
            "aud": state.issuer,
            "scopes": " ".join(granted),
        },
        expiration=TOKEN_LIFETIME,
    )
    return jsonify(
        {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "scope": " ".join(granted),
        }
    )


def _bearer_scopes() -> tuple[str, set[str]] | None:
    """The client and scopes of the request's bearer token, or ``None`` if it is not valid."""
    state = current_state()
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    public_key = state.platform.get_platform_public_key()
    try:
        claims = jwt.decode(
            value.strip(),
            public_key,
            algorithms=["RS256"],
            audience=state.issuer,
            issuer=state.issuer,
            options={"require": ["exp", "iat", "sub"]},
        )
    except jwt.PyJWTError:
        return None
    return claims["sub"], set(str(claims.get("scopes", "")).split())


def _authorize(*any_of: str) -> str | tuple[Response, int]:
    found = _bearer_scopes()
    if found is None:
        return jsonify({"error": "invalid_token"}), 401
    client_id, scopes = found
    if not scopes & set(any_of):
        return jsonify({"error": "insufficient_scope"}), 403
    return client_id


# --- NRPS --------------------------------------------------------------------------


@bp.get("/services/<context_id>/memberships")
def memberships(context_id: str) -> Any:
    allowed = _authorize(NRPS_SCOPE)
    if not isinstance(allowed, str):
        return allowed
    state = current_state()
    if context_id not in state.memberships:
        return jsonify({"error": "not_found"}), 404
    if NRPS_MEDIA_TYPE not in request.headers.get("Accept", ""):
        return jsonify({"error": "not_acceptable", "expected": NRPS_MEDIA_TYPE}), 406
    members = state.memberships[context_id]
    role = request.args.get("role")
    if role:
        members = [m for m in members if any(r.endswith(role) for r in m.get("roles", []))]
    try:
        limit = max(1, int(request.args.get("limit", DEFAULT_PAGE)))
        start = max(0, int(request.args.get("from", 0)))
    except ValueError:
        return jsonify({"error": "invalid_request"}), 400
    page = members[start : start + limit]
    response = jsonify(
        {
            "id": request.url,
            "context": state.contexts[context_id],
            "members": page,
        }
    )
    response.mimetype = NRPS_MEDIA_TYPE
    links = [f'<{_page_url(context_id, role, limit, 0, since=True)}>; rel="differences"']
    if start + limit < len(members):
        links.append(f'<{_page_url(context_id, role, limit, start + limit)}>; rel="next"')
    response.headers["Link"] = ", ".join(links)
    return response


def _page_url(
    context_id: str, role: str | None, limit: int, start: int, since: bool = False
) -> str:
    params: dict[str, Any] = {"limit": limit, "from": start}
    if role:
        params["role"] = role
    base = url_for("demo_services.memberships", context_id=context_id, _external=True)
    url = f"{base}?{urlencode(params)}"
    # A raw comma and semicolon inside the URL, as some platforms emit: a client that
    # splits the Link header on "," or ";" without respecting <…> breaks here.
    return url + "&since=2026-01-01,00:00;utc" if since else url


# --- AGS ---------------------------------------------------------------------------


def _lineitem_json(item: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": lineitem_url(item),
        "label": item.label,
        "scoreMaximum": item.score_maximum,
    }
    for key, attr in (
        ("resourceId", "resource_id"),
        ("resourceLinkId", "resource_link_id"),
        ("tag", "tag"),
    ):
        if getattr(item, attr):
            body[key] = getattr(item, attr)
    return body


def lineitem_url(item: Any) -> str:
    """Moodle's shape: ``…/lineitems/{id}/lineitem?type_id={type}``."""
    return url_for(
        "demo_services.lineitem",
        context_id=item.context_id,
        item_id=item.id,
        type_id=item.type_id,
        _external=True,
    )


@bp.route("/services/<context_id>/lineitems", methods=["GET", "POST"])
def lineitems(context_id: str) -> Any:
    state = current_state()
    if request.method == "GET":
        allowed = _authorize(AGS + "lineitem", AGS + "lineitem.readonly")
        if not isinstance(allowed, str):
            return allowed
        if state.lineitems_delay:
            time.sleep(state.lineitems_delay)
        filters = {
            "resource_link_id": request.args.get("resource_link_id"),
            "resource_id": request.args.get("resource_id"),
            "tag": request.args.get("tag"),
        }
        with state.lock:
            items = [
                i
                for i in state.lineitems.values()
                if i.context_id == context_id
                and all(value is None or getattr(i, key) == value for key, value in filters.items())
            ]
        response = jsonify([_lineitem_json(i) for i in items])
        response.mimetype = LINEITEMS_MEDIA_TYPE
        return response
    allowed = _authorize(AGS + "lineitem")
    if not isinstance(allowed, str):
        return allowed
    body = request.get_json(silent=True, force=True)
    if not isinstance(body, dict) or not isinstance(body.get("label"), str):
        return jsonify({"error": "invalid_request", "error_description": "label required"}), 400
    maximum = body.get("scoreMaximum")
    if not isinstance(maximum, int | float) or maximum <= 0:
        return jsonify({"error": "invalid_request", "error_description": "scoreMaximum > 0"}), 400
    item = state.add_lineitem(
        context_id,
        body["label"],
        float(maximum),
        resource_id=body.get("resourceId"),
        resource_link_id=body.get("resourceLinkId"),
        tag=body.get("tag"),
        type_id=request.args.get("type_id"),
    )
    response = jsonify(_lineitem_json(item))
    response.mimetype = LINEITEM_MEDIA_TYPE
    return response, 201


@bp.get("/services/<context_id>/lineitems/<item_id>/lineitem")
def lineitem(context_id: str, item_id: str) -> Any:
    allowed = _authorize(AGS + "lineitem", AGS + "lineitem.readonly")
    if not isinstance(allowed, str):
        return allowed
    item = current_state().lineitems.get(item_id)
    if item is None or item.context_id != context_id:
        return jsonify({"error": "not_found"}), 404
    response = jsonify(_lineitem_json(item))
    response.mimetype = LINEITEM_MEDIA_TYPE
    return response


@bp.post("/services/<context_id>/lineitems/<item_id>/lineitem/scores")
def scores(context_id: str, item_id: str) -> Any:
    allowed = _authorize(AGS + "score")
    if not isinstance(allowed, str):
        return allowed
    state = current_state()
    item = state.lineitems.get(item_id)
    if item is None or item.context_id != context_id or request.args.get("type_id") != item.type_id:
        return jsonify({"error": "not_found"}), 404
    if request.mimetype != SCORE_MEDIA_TYPE:
        return jsonify({"error": "unsupported_media_type", "expected": SCORE_MEDIA_TYPE}), 415
    body = request.get_json(silent=True, force=True)
    problem = score_problem(body)
    if problem:
        return jsonify({"error": "invalid_request", "error_description": problem}), 400
    stamp = datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
    with state.lock:
        previous = [
            s for s in state.scores if s.lineitem_id == item_id and s.user_id == body["userId"]
        ]
        latest = max((s.timestamp for s in previous), default=None)
        if latest is not None and stamp <= latest:
            client = state.clients.get(allowed)
            if client is not None and client.style == "openedx":
                return jsonify({"timestamp": [_openedx_stale(stamp, latest)]}), 400
            return jsonify({"error": "conflict", "error_description": "stale timestamp"}), 409
        state.scores.append(ReceivedScore(item_id, body["userId"], body, stamp))
    return Response(status=204)


def _openedx_stale(stamp: datetime, latest: datetime) -> str:
    """lti-consumer-xblock's words for a score that is not newer than the one it holds."""
    if stamp == latest:
        return "Score already exists for the provided timestamp"
    return "Score timestamp can only be updated to a later point in time"


# --- Deep Linking return -----------------------------------------------------------


@bp.post("/deep-linking/return")
def deep_linking_return() -> Any:
    state = current_state()
    token_value = request.form.get("JWT", "")
    if not token_value:
        return jsonify({"error": "JWT form field missing"}), 400
    try:
        client_id = unverified_claim(token_value, "iss")
        client = state.clients.get(client_id) if isinstance(client_id, str) else None
        if client is None:
            raise ToolJwtRejected("unknown tool")
        claims = verify_tool_jwt(
            token_value,
            _keysets(),
            client.jwks_url,
            audience=state.issuer,
            issuer=client.client_id,
            required=("iss", "aud", "exp", "iat", "nonce"),
        )
    except ToolJwtRejected as exc:
        return jsonify({"error": exc.reason}), 400
    accept_types = OPENEDX_ACCEPT_TYPES if client.style == "openedx" else None
    problem = deep_linking_problem(state, client.deployment_ids, claims, accept_types)
    if problem:
        return jsonify({"error": problem}), 400
    items = claims.get(DL + "content_items", [])
    with state.lock:
        state.used_nonces.add(claims["nonce"])
        already = len(state.placed_links())
        state.placed_items.extend(items)
        _create_grade_columns(state.placed_links()[already:])
    return jsonify({"placed": len(items), "data": claims.get(DL + "data")})


def _create_grade_columns(links: list[tuple[str, dict[str, Any]]]) -> None:
    """A placed link's ``lineItem`` becomes a line item of the course, as in Moodle.

    Moodle's return URL names the course and the tool type (``?course=…&id=…``); the
    demo's takes ``?course=<context id>`` and, for Moodle-style URLs, ``&type_id=``.
    Without ``course`` (a return URL that names no course) nothing is created. Each
    line item is bound to the link the platform created for it (``resourceLinkId``),
    so that launches of that link carry its URL in their AGS claim.
    """
    course = request.args.get("course")
    if not course:
        return
    state = current_state()
    for link_id, item in links:
        line = item.get("lineItem")
        if not isinstance(line, dict):
            continue
        state.add_lineitem(
            course,
            str(line.get("label") or item.get("title") or ""),
            float(line["scoreMaximum"]),
            resource_id=line.get("resourceId"),
            resource_link_id=link_id,
            tag=line.get("tag"),
            type_id=request.args.get("type_id"),
        )


@bp.get("/services/jwks")
def platform_jwks() -> Any:
    """The platform's public keys (access tokens and, in the demo, id_tokens)."""
    return jsonify({"keys": current_state().platform.get_jwks()})
