"""Response headers every page carries (content sniffing, referrer, framing).

``frame-ancestors`` is widened to registered LMS origins by the LTI blueprint when a page
is launched inside a platform's iframe; by default nobody may frame the tool.
"""

from __future__ import annotations

from flask import Flask, Response, g


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        ancestors = " ".join(getattr(g, "frame_ancestors", ())) or "'none'"
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; img-src 'self' data:; style-src 'self'; "
            f"script-src 'self'; frame-ancestors {ancestors}; base-uri 'self'; "
            f"form-action 'self' *",
        )
        return response
