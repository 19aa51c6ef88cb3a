"""The ``public`` audience: the home page, hosted Open Badges documents, the JWKS, the
badge page and the evidence photos their owners made public.

Anyone may read these without signing in: someone who opens the base URL, an employer
checking a badge, a backpack importing it, a validator. The documents come from
:mod:`badges.publishing.hosted`, the same function the verifier's loader uses, so what
the world fetches is what Chemins checks.
This module only adds HTTP: content negotiation, strong ETags (``If-None-Match`` → 304),
CORS for browser-based verifiers, and the human page in French or English.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from badges.models import Assertion, Evidence
from badges.publishing import hosted, public_evidence
from badges.publishing.public_urls import PATHS, PublicUrls
from badges.publishing.verifying import verify_own
from badges.recognition.endorsing import endorsements_shown_with
from badges.storage.database import transaction
from lti_tool.runtime_access import runtime_of

bp = Blueprint("public", __name__)

JSON_ALTERNATIVES = ["application/ld+json", "application/json"]
VC_JSON_ALTERNATIVES = ["application/vc+ld+json", "application/ld+json", "application/json"]
VC_JWT_ALTERNATIVES = ["application/vc+jwt", "application/jwt", "text/plain"]


@bp.get("/")
def home() -> str:
    """The tool's front page, for people who open the base URL directly."""
    return render_template("public/home.html")


def _urls() -> PublicUrls:
    return PublicUrls(runtime_of(current_app).instance.origin)


def _media_type(document: hosted.Hosted) -> str:
    """The Content-Type for ``document`` given the request's Accept header.

    JSON-LD is served as ``application/ld+json`` unless the client asks only for
    ``application/json`` (OB 2.0 §"Transport"); the VC-JWT as ``application/vc+jwt``
    unless the client asks for ``text/plain`` (what the OB 3.0 API uses for JWS).
    """
    accept = request.accept_mimetypes
    choices = {
        hosted.JSON_LD: JSON_ALTERNATIVES,
        hosted.VC_JSON: VC_JSON_ALTERNATIVES,
        hosted.VC_JWT: VC_JWT_ALTERNATIVES,
    }.get(document.kind)
    if not choices:
        return document.media_type
    return accept.best_match(choices, default=choices[0]) or choices[0]


def _respond(document: hosted.Hosted) -> Response:
    response = Response(document.body, status=document.status, mimetype=_media_type(document))
    response.set_etag(document.etag)
    response.headers["Vary"] = "Accept"
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = (
        "public, max-age=3600" if document.kind == hosted.PNG else "no-cache"
    )
    if document.status == 200:
        response.make_conditional(request)
    return response


def _serve(name: str, identifier: str = "") -> Response:
    if name in hosted.JWT_FORMS and _prefers_jwt():
        name = hosted.JWT_FORMS[name]
    elif name in EMBEDDED_PROOF_FORMS and _names_vc_json():
        name = EMBEDDED_PROOF_FORMS[name]
    runtime = runtime_of(current_app)
    with transaction(runtime.sessions) as session:
        document = hosted.lookup(session, _urls(), name, identifier, sealer=runtime.sealer)
    if document is None:
        abort(404)
    return _respond(document)


def _prefers_jwt() -> bool:
    """True when the client asks the credential URL for the VC-JWT rather than JSON."""
    best = request.accept_mimetypes.best_match(
        [*VC_JSON_ALTERNATIVES, "application/vc+jwt", "application/jwt"]
    )
    return best in ("application/vc+jwt", "application/jwt")


#: Credential routes → their form with an embedded Data Integrity proof (``.ldp.json``).
EMBEDDED_PROOF_FORMS = {
    "ob3_credential": "ob3_credential_ldp",
    "ob3_endorsement": "ob3_endorsement_ldp",
}


def _names_vc_json() -> bool:
    """True when the client names ``application/vc+ld+json`` itself (not by ``*/*``).

    A client that asks for that media type by name is a verifiable-credential reader:
    it gets the credential secured by its embedded proof. Everyone else keeps the plain
    JSON (the VC-JWT's payload) they always got.
    """
    return request.accept_mimetypes.best == "application/vc+ld+json"


def _document_view(name: str):  # type: ignore[no-untyped-def]
    def view(id: str = "") -> Response:
        return _serve(name, id)

    view.__name__ = name
    return view


for _name, _path in PATHS.items():
    if _name != "human_badge":
        bp.add_url_rule(_path, endpoint=_name, view_func=_document_view(_name), methods=["GET"])


PAGE_ALTERNATIVES = ["text/html", "application/xhtml+xml"]


def _machine_form(assertion_id: str) -> str | None:
    """Where the badge page sends a client that asks for the badge itself, not a page.

    People share ``/b/<id>``; a verifier or backpack given that URL asks for JSON-LD (or
    the VC-JWT) and is sent (303) to the OB 2.0 Assertion (or the OB 3.0 credential,
    which negotiates JSON or VC-JWT itself). Browsers prefer HTML and get the page. The
    target is a path, so the client stays on the host it asked.
    """
    best = request.accept_mimetypes.best_match(
        [
            *PAGE_ALTERNATIVES,
            *JSON_ALTERNATIVES,
            *VC_JSON_ALTERNATIVES[:1],
            *VC_JWT_ALTERNATIVES[:2],
        ]
    )
    if best is None or best in PAGE_ALTERNATIVES:
        return None
    if best in JSON_ALTERNATIVES:
        return url_for("public.ob2_assertion", id=assertion_id)
    return url_for("public.ob3_credential", id=assertion_id)


@bp.get(PATHS["human_badge"])
def human_badge(id: str) -> Response:
    """The badge page for people: what it is, who issued it, and whether it verifies."""
    target = _machine_form(id)
    if target is not None:
        response = redirect(target, code=303)
        response.headers["Vary"] = "Accept"
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response
    urls = _urls()
    with transaction(runtime_of(current_app).sessions) as session:
        assertion = session.get(Assertion, id)
        if assertion is None or not assertion.ob3_jwt or assertion.badge_class is None:
            abort(404)
        badge = assertion.badge_class
        endorsements = endorsements_shown_with(session, assertion)
        verdict = verify_own(session, urls, assertion)
        page = render_template(
            "public/badge.html",
            assertion=assertion,
            badge=badge,
            issuer=badge.issuer,
            endorsements=endorsements,
            verdict=verdict,
            image_url=urls.path_of(urls.badge_image(badge.id)),
            ob2_url=urls.ob2_assertion(assertion.id),
            ob3_url=urls.ob3_credential(assertion.id),
            ob3_jwt_url=urls.ob3_credential_jwt(assertion.id),
            evidence=public_evidence(assertion),
            evidence_url=lambda item: urls.path_of(urls.evidence_file(item.id)),
        )
    response = Response(page, mimetype="text/html")
    response.headers["Vary"] = "Accept"  # the same URL answers machines with a 303
    return response


#: What photos are re-encoded as (badges.images.photos); nothing else is served.
PHOTO_TYPES = ("image/jpeg", "image/png")


@bp.get("/evidence/<int:evidence_id>")
def evidence_file(evidence_id: int) -> Response:
    """A photo its owner made public, with the badge it belongs to; else 404.

    Only evidence of an award that still stands (issued, not revoked) and that its
    owner made public: private photos stay behind the course's pages
    (``learner.evidence_file``), whatever id is asked for.
    """
    with transaction(runtime_of(current_app).sessions) as session:
        evidence = session.get(Evidence, evidence_id)
        assertion = evidence.assertion if evidence is not None else None
        if (
            evidence is None
            or not evidence.public
            or evidence.media_type not in PHOTO_TYPES
            or assertion is None
            or assertion.revoked
            or not assertion.ob3_jwt
        ):
            abort(404)
        data, media_type = evidence.content or b"", evidence.media_type
    response = Response(data, mimetype=media_type)
    # Short: a photo made private again should not linger in caches for long.
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
