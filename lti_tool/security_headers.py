"""Response headers every page carries (content sniffing, referrer, framing).

``frame-ancestors`` is widened to registered LMS origins by the LTI blueprint when a page
is launched inside a platform's iframe; by default nobody may frame the tool. A view may
set any of these headers itself; then its value is kept.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, g


@lru_cache(maxsize=256)
def _headers_for(ancestors: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The headers of a page that ``ancestors`` may frame; built once per origin list."""
    framing = " ".join(ancestors) or "'none'"
    return (
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        (
            "Content-Security-Policy",
            f"default-src 'self'; img-src 'self' data:; style-src 'self'; "
            f"script-src 'self'; frame-ancestors {framing}; base-uri 'self'; "
            f"form-action 'self' *",
        ),
    )


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        # One pass over the headers already set, rather than a case-insensitive search
        # per header: every response of every launch comes through here.
        present = {name.lower() for name, _ in response.headers}
        for name, value in _headers_for(tuple(getattr(g, "frame_ancestors", ()))):
            if name.lower() not in present:
                response.headers.add(name, value)
        return response
