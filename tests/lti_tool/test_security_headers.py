"""Every response carries the security headers; a view's own value wins."""

from __future__ import annotations

from flask import Response, g


def test_pages_forbid_framing_and_sniffing_by_default(client) -> None:
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_framing_origins_and_a_views_own_header(app) -> None:
    @app.get("/framed-test")
    def framed() -> Response:
        g.frame_ancestors = ("https://moodle.example.org", "https://lms.example.org")
        response = Response("ok")
        response.headers["referrer-policy"] = "no-referrer"  # set by the view, any case
        return response

    response = app.test_client().get("/framed-test")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors https://moodle.example.org https://lms.example.org;" in policy
    assert response.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert len(response.headers.getlist("Content-Security-Policy")) == 1
