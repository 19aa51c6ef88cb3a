"""The URL of the page being shown, for the links and forms that come back to it.

A launched page posts its forms to itself and offers itself in the other language;
both need "this page, with its query" (the launch handle rides in it). Rebuilding that
through ``url_for`` means looking the route up again and encoding the long handle
once per link; the request already holds the answer. Built once per request.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import g, request

#: Query parameters a link back to this page drops (a language choice is made once).
DROPPED = frozenset({"lang"})


def this_page_url() -> str:
    """Path and query of this request, without ``lang``: where its forms post back."""
    url = g.get("_this_page_url")
    if url is None:
        path = f"{request.script_root}{quote(request.path)}"
        query = urlencode([(k, v) for k, v in request.args.items(multi=True) if k not in DROPPED])
        url = g._this_page_url = f"{path}?{query}" if query else path
    return url


def with_parameter(url: str, name: str, value: str) -> str:
    """``url`` with one more query parameter."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{quote(name)}={quote(value)}"
