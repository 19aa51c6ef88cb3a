"""Baking into SVG: one ``openbadges:`` element directly inside the root ``<svg>``.

OB 2.0 declares ``xmlns:openbadges="http://openbadges.org"`` and adds
``<openbadges:assertion verify="…">``: for a signed badge ``verify`` holds the JWS and
the element is empty; for a hosted badge ``verify`` holds the Assertion URL and the
Assertion JSON sits inside in ``CDATA``. OB 3.0 uses the namespace
``https://purl.imsglobal.org/ob/v3p0`` and ``<openbadges:credential>``: a VC-JWT goes in
``verify``, a credential with an embedded proof goes in ``CDATA``.

The document is parsed only to *locate* things (expat reports byte offsets); the new
element is spliced into the original text, so the artwork, its prefixes and its
formatting stay as the designer wrote them. A DOCTYPE is refused outright: SVG badges
have no use for one, and it is the door to entity expansion and external entities.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from badges.openbadges.baking.baked import SVG_ELEMENTS, SVG_NAMESPACES, BakedBadge, Version
from badges.openbadges.errors import UnusableInput
from badges.openbadges.jws import is_compact_jws

_BADGE_ELEMENTS: dict[str, Version] = {
    f"{SVG_NAMESPACES[v]} {SVG_ELEMENTS[v]}": v for v in ("2.0", "3.0")
}
_XMLNS_OPENBADGES = re.compile(rb"""\s+xmlns:openbadges\s*=\s*("[^"]*"|'[^']*')""")
_UTF8_NAMES = (None, "utf-8", "utf8", "us-ascii", "ascii")


@dataclass
class _Element:
    version: Version
    start: int
    attributes: dict[str, str]
    text: list[str] = field(default_factory=list)
    end_tag: int | None = None  # offset of "</…>", None while open


@dataclass
class _Layout:
    """Where the root start tag and any badge elements sit in the document bytes."""

    root_start: int = -1
    encoding: str | None = None
    badges: list[_Element] = field(default_factory=list)


def is_svg(data: bytes) -> bool:
    """A cheap sniff: an XML or ``<svg`` start within the first kilobyte, no binary."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE", b"<!doctype")) and (
        b"<svg" in data[:4096]
    )


def _refuse(*_args: object) -> None:
    raise UnusableInput("SVG with a DOCTYPE or entity declarations is refused")


def _layout(svg: bytes) -> _Layout:
    """Parse ``svg`` safely and report the byte offsets baking and unbaking need."""
    layout = _Layout()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    depth = 0
    current: _Element | None = None

    def xml_decl(_version: str | None, encoding: str | None, _standalone: int) -> None:
        layout.encoding = encoding.lower() if encoding else None

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth, current
        if depth == 0:
            if name.rpartition(" ")[2] != "svg":
                raise UnusableInput("not an SVG image (the root element is not <svg>)")
            layout.root_start = parser.CurrentByteIndex
        elif depth == 1 and name in _BADGE_ELEMENTS:
            current = _Element(_BADGE_ELEMENTS[name], parser.CurrentByteIndex, attributes)
            layout.badges.append(current)
        depth += 1

    def end(_name: str) -> None:
        nonlocal depth, current
        depth -= 1
        if depth == 1 and current is not None:
            current.end_tag = parser.CurrentByteIndex
            current = None

    def text(data: str) -> None:
        if current is not None:
            current.text.append(data)

    parser.XmlDeclHandler = xml_decl
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(svg, True)
    except expat.ExpatError as exc:
        raise UnusableInput(f"the SVG image is not well-formed XML ({exc})") from exc
    if layout.root_start < 0:
        raise UnusableInput("not an SVG image (no <svg> element)")
    return layout


def _tag_end(svg: bytes, start: int) -> int:
    """Offset just after the ``>`` closing the tag that starts at ``start``."""
    quote: int | None = None
    for index in range(start, len(svg)):
        byte = svg[index]
        if quote is not None:
            if byte == quote:
                quote = None
        elif byte in b"\"'":
            quote = byte
        elif byte == ord(">"):
            return index + 1
    raise UnusableInput("the SVG image is truncated inside a tag")


def _element_span(svg: bytes, element: _Element) -> tuple[int, int]:
    start_tag_end = _tag_end(svg, element.start)
    if svg[start_tag_end - 2 : start_tag_end] == b"/>" or element.end_tag is None:
        return element.start, start_tag_end
    return element.start, _tag_end(svg, element.end_tag)


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA; split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _badge_element(text: str, version: Version) -> str:
    name = f"openbadges:{SVG_ELEMENTS[version]}"
    text = text.strip()
    if is_compact_jws(text):
        return f"<{name} verify={quoteattr(text)}/>"
    if version == "3.0":
        return f"<{name}>{_cdata(text)}</{name}>"
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ValueError("an OB 2.0 SVG badge needs a JWS or the Assertion JSON") from exc
    url = document.get("id") if isinstance(document, dict) else None
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError("a hosted OB 2.0 Assertion baked into SVG needs an http(s) id")
    return f"<{name} verify={quoteattr(url)}>{_cdata(text)}</{name}>"


def bake(svg: bytes, text: str, *, version: Version = "2.0") -> bytes:
    """Return ``svg`` with ``text`` (JWS, VC-JWT or badge JSON) baked in for ``version``.

    Any badge element already inside the root (either version) is removed first: one
    image, one badge, and the ``openbadges`` prefix can only name one namespace.
    """
    layout = _layout(svg)
    if layout.encoding not in _UTF8_NAMES:
        raise UnusableInput(f"SVG in {layout.encoding} cannot be baked; save it as UTF-8")
    element = _badge_element(text, version).encode("utf-8")
    root_end = _tag_end(svg, layout.root_start)
    root_tag = svg[layout.root_start : root_end]
    namespace = f' xmlns:openbadges="{SVG_NAMESPACES[version]}"'.encode()
    root_tag = _XMLNS_OPENBADGES.sub(b"", root_tag)
    self_closing = root_tag.endswith(b"/>")
    body_end = len(root_tag) - (2 if self_closing else 1)
    opened = root_tag[:body_end].rstrip() + namespace + b">"
    if self_closing:
        qualified = re.match(rb"<\s*([^\s/>]+)", root_tag)
        closing = b"</" + (qualified.group(1) if qualified else b"svg") + b">"
        return svg[: layout.root_start] + opened + element + closing + svg[root_end:]
    parts = [svg[: layout.root_start], opened, element]
    position = root_end
    for badge in layout.badges:
        start, end = _element_span(svg, badge)
        parts.append(svg[position:start])
        position = end
    parts.append(svg[position:])
    return b"".join(parts)


def unbake(svg: bytes) -> BakedBadge | None:
    """The badge baked into ``svg``, or None if it carries none.

    Raises :class:`UnusableInput` for malformed XML, a DOCTYPE, or more than one badge.
    """
    layout = _layout(svg)
    if len(layout.badges) > 1:
        raise UnusableInput("the SVG image carries more than one badge")
    if not layout.badges:
        return None
    element = layout.badges[0]
    verify = element.attributes.get("verify", "").strip()
    content = "".join(element.text).strip()
    if not (content or verify):
        raise UnusableInput("the SVG badge element is empty")
    url = verify if verify.startswith(("http://", "https://")) else None
    return BakedBadge(element.version, content or verify, "svg", url=url)
