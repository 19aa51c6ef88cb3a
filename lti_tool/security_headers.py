"""Response headers every page carries (content sniffing, referrer, framing, caching, HTTPS).

``frame-ancestors`` is widened to registered LMS origins by the LTI blueprint when a page
is launched inside a platform's iframe; by default nobody may frame the tool. Only
well-formed origins get into the policy (``origin_of`` of each must be itself), so no
value can carry a ``;`` that would add directives.

A *private* page, one shown within a launch or to an admin, or whose URL carries a
credential (:mod:`lti_tool.url_credentials`), is sent ``Cache-Control: no-store`` (no
copy of it in a shared cache or the browser's) and ``Referrer-Policy: same-origin`` (its
URL, handle included, never goes to another site as ``Referer``). When the instance's
public URL is HTTPS, ``Strict-Transport-Security`` keeps browsers on it.

A view may set any of these headers itself; then its value is kept.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, current_app, g, request

from badges.models.platform import origin_of
from lti_tool.url_credentials import is_credential

#: One year, the value HSTS preload lists ask for; no ``includeSubDomains``: the tool
#: may live on a subdomain of a site whose other hosts are not all on HTTPS.
HSTS = "max-age=31536000"


@lru_cache(maxsize=256)
def _headers_for(
    ancestors: tuple[str, ...], private: bool, https: bool
) -> tuple[tuple[str, str], ...]:
    """The headers of a page that ``ancestors`` may frame; built once per combination."""
    framing = " ".join(a for a in ancestors if origin_of(a) == a) or "'none'"
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin" if private else "strict-origin-when-cross-origin"),
        (
            "Content-Security-Policy",
            f"default-src 'self'; img-src 'self' data:; style-src 'self'; "
            f"script-src 'self'; frame-ancestors {framing}; base-uri 'self'; "
            f"form-action 'self' *",
        ),
    ]
    if private:
        headers.append(("Cache-Control", "no-store"))
    if https:
        headers.append(("Strict-Transport-Security", HSTS))
    return tuple(headers)


def _private() -> bool:
    """Whether this page belongs to a launch or an admin, or its URL holds a credential."""
    return (
        g.get("launch") is not None
        or g.get("admin_access") is not None
        or any(is_credential(name) for name in request.args)
    )


def init_security_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        https = str(current_app.config.get("CHEMINS_BASE_URL", "")).startswith("https://")
        ancestors = tuple(getattr(g, "frame_ancestors", ()))
        # One pass over the headers already set, rather than a case-insensitive search
        # per header: every response of every launch comes through here.
        present = {name.lower() for name, _ in response.headers}
        for name, value in _headers_for(ancestors, _private(), https):
            if name.lower() not in present:
                response.headers.add(name, value)
        return response
