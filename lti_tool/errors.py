"""Error pages in the person's language: a clear 4xx page, never a traceback.

These pages are rendered for requests that could not be read (a body over
``MAX_CONTENT_LENGTH``, a form of too many parts or too large fields: 413), so nothing
here, nor the locale selector they call, reads the request body again.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood. Please go back and try again."),
        401: _("You need to be signed in through your learning platform to see this."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist or is no longer available."),
        405: _("This action is not possible here."),
        410: _("This item was withdrawn."),
        # Photos too large together, but also a form of thousands of fields: say what
        # fits both, photos first (what people send most).
        413: _(
            "What you sent is too large. If you sent photos, send fewer photos or smaller "
            "ones; otherwise, send less at once."
        ),
        429: _("Too many attempts. Please wait a moment and try again."),
    }


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" or request.path.startswith(("/ob/", "/ims/", "/api/"))


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        message = getattr(error, "chemins_message", None) or _messages().get(
            code, _("Something went wrong.")
        )
        if wants_json():
            return jsonify({"error": message, "status": code}), code
        return render_template("error.html", code=code, message=message), code
