"""Following ``Link: <…>; rel="next"`` across the pages of an LTI service (RFC 8288).

NRPS and AGS page their containers with the Link header. Platforms write it in several
ways: several link-values comma-separated in one header (``<a>; rel="differences",
<b>; rel="next"``), several relation types in one quoted ``rel`` (``rel="next last"``),
an unquoted ``rel=next`` (lti1p3platform's Django wrapper), and URLs that themselves hold
commas or semicolons in their query. So the header is split by a small scanner that
respects ``<…>`` and quotes, instead of a naive ``split(",")``. URLs are opaque: they are
only resolved against the page that carried them, never rebuilt.
"""

from __future__ import annotations

from urllib.parse import urljoin


def parse_link_header(value: str) -> list[tuple[str, dict[str, str]]]:
    """The link-values of a Link header as ``(target, parameters)``, in order."""
    links: list[tuple[str, dict[str, str]]] = []
    i, n = 0, len(value)
    while i < n:
        start = value.find("<", i)
        if start < 0:
            break
        end = value.find(">", start + 1)
        if end < 0:
            break
        target = value[start + 1 : end].strip()
        params: dict[str, str] = {}
        i = end + 1
        while i < n:
            while i < n and value[i] in " \t":
                i += 1
            if i >= n or value[i] == ",":
                i += 1
                break
            if value[i] != ";":
                i += 1
                continue
            i += 1
            name_start = i
            while i < n and value[i] not in "=;,":
                i += 1
            name = value[name_start:i].strip().lower()
            param_value = ""
            if i < n and value[i] == "=":
                i += 1
                while i < n and value[i] in " \t":
                    i += 1
                if i < n and value[i] == '"':
                    i += 1
                    chars: list[str] = []
                    while i < n and value[i] != '"':
                        if value[i] == "\\" and i + 1 < n:
                            i += 1
                        chars.append(value[i])
                        i += 1
                    i += 1
                    param_value = "".join(chars)
                else:
                    value_start = i
                    while i < n and value[i] not in ";,":
                        i += 1
                    param_value = value[value_start:i].strip()
            if name and name not in params:
                params[name] = param_value
        links.append((target, params))
    return links


def link_with_rel(header: str | None, rel: str, base_url: str) -> str | None:
    """The absolute URL of the first link whose ``rel`` includes ``rel``, if any."""
    if not header:
        return None
    for target, params in parse_link_header(header):
        if rel in params.get("rel", "").lower().split():
            return urljoin(base_url, target)
    return None


def next_page(header: str | None, base_url: str) -> str | None:
    """The next page's URL, or ``None`` on the last page."""
    return link_with_rel(header, "next", base_url)
