"""SVG baking: the badge element goes directly inside <svg>, the artwork stays as drawn."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from badges.openbadges.baking import svg
from badges.openbadges.errors import UnusableInput

ARTWORK = b"""<?xml version="1.0" encoding="UTF-8"?>
<!-- drawn by a trainer -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 100 100" data-note='a > b'>
  <circle cx="50" cy="50" r="40" fill="#f2a900"/>
  <g><text>J'explore</text></g>
</svg>
"""
JWS = "eyJhbGciOiJSUzI1NiJ9.eyJpZCI6InVybjp1dWlkOjEifQ.c2lnbmF0dXJl"
HOSTED = json.dumps({"id": "https://chemins.test/a?x=1&y=2", "narrative": "uses ]]> inside"})
OB2 = "{http://openbadges.org}"
OB3 = "{https://purl.imsglobal.org/ob/v3p0}"


def _children(data: bytes) -> list[ET.Element]:
    """The root's children as an independent XML parser sees them."""
    return list(ET.fromstring(data))  # noqa: S314 -- our own output, in a test


def test_signed_badge_is_a_self_closing_assertion_with_the_jws() -> None:
    baked = svg.bake(ARTWORK, JWS)
    first = _children(baked)[0]
    assert first.tag == f"{OB2}assertion"
    assert first.attrib == {"verify": JWS}
    assert f'<openbadges:assertion verify="{JWS}"/>'.encode() in baked
    assert b'xmlns:openbadges="http://openbadges.org"' in baked
    badge = svg.unbake(baked)
    assert badge is not None and (badge.version, badge.data, badge.url) == ("2.0", JWS, None)


def test_hosted_badge_has_the_url_and_the_json_in_cdata() -> None:
    baked = svg.bake(ARTWORK, HOSTED)
    element = _children(baked)[0]
    assert element.attrib["verify"] == "https://chemins.test/a?x=1&y=2"
    assert json.loads(element.text or "") == json.loads(HOSTED)
    assert b"<![CDATA[" in baked
    badge = svg.unbake(baked)
    assert badge is not None
    assert (badge.data, badge.url) == (HOSTED, "https://chemins.test/a?x=1&y=2")


def test_ob3_credential_element_and_namespace() -> None:
    as_jwt = svg.bake(ARTWORK, JWS, version="3.0")
    assert _children(as_jwt)[0].tag == f"{OB3}credential"
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in as_jwt
    credential = json.dumps({"id": "urn:uuid:1", "proof": {"type": "DataIntegrityProof"}})
    as_json = svg.bake(ARTWORK, credential, version="3.0")
    element = _children(as_json)[0]
    assert "verify" not in element.attrib and json.loads(element.text or "")["id"] == "urn:uuid:1"
    assert svg.unbake(as_json).version == "3.0"  # type: ignore[union-attr]


def test_the_artwork_is_kept_byte_for_byte_outside_the_insertion() -> None:
    baked = svg.bake(ARTWORK, JWS)
    root_end = ARTWORK.index(b"'a > b'>") + len(b"'a > b'>")
    insert_at = baked.index(b"<openbadges:assertion")
    element_end = baked.index(b"/>", insert_at) + 2
    assert baked[element_end:] == ARTWORK[root_end:]
    assert baked[: ARTWORK.index(b"<svg")] == ARTWORK[: ARTWORK.index(b"<svg")]
    assert baked[:insert_at] == ARTWORK[: root_end - 1] + (
        b' xmlns:openbadges="http://openbadges.org">'
    )


def test_rebaking_replaces_the_element_and_the_namespace() -> None:
    once = svg.bake(ARTWORK, HOSTED)
    twice = svg.bake(once, JWS, version="3.0")
    tags = [child.tag for child in _children(twice)]
    assert tags.count(f"{OB3}credential") == 1 and f"{OB2}assertion" not in tags
    assert twice.count(b"xmlns:openbadges=") == 1
    assert svg.bake(twice, HOSTED) == once


def test_self_closing_root() -> None:
    baked = svg.bake(b'<svg xmlns="http://www.w3.org/2000/svg"/>', JWS)
    assert _children(baked)[0].attrib["verify"] == JWS
    assert baked.endswith(b"</svg>")


def test_prefixed_root_keeps_its_prefix() -> None:
    artwork = b'<s:svg xmlns:s="http://www.w3.org/2000/svg"/>'
    baked = svg.bake(artwork, JWS)
    assert baked.endswith(b"</s:svg>")
    assert svg.unbake(baked).data == JWS  # type: ignore[union-attr]


def test_an_element_deeper_than_the_root_child_is_not_a_badge() -> None:
    nested = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<g><openbadges:assertion verify="a.b.c"/></g></svg>'
    )
    assert svg.unbake(nested) is None


def test_two_badges_are_refused() -> None:
    doubled = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="a.b.c"/><openbadges:assertion verify="d.e.f"/></svg>'
    )
    with pytest.raises(UnusableInput, match="more than one"):
        svg.unbake(doubled)


@pytest.mark.parametrize(
    "hostile",
    [
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>',
    ],
)
def test_doctype_and_entities_are_refused(hostile: bytes) -> None:
    with pytest.raises(UnusableInput, match="DOCTYPE"):
        svg.unbake(hostile)
    with pytest.raises(UnusableInput, match="DOCTYPE"):
        svg.bake(hostile, JWS)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', "well-formed"),
        (b"<html><svg/></html>", "root element"),
        (ARTWORK[:80], "well-formed"),
    ],
)
def test_malformed_svg_is_unusable(data: bytes, message: str) -> None:
    with pytest.raises(UnusableInput, match=message):
        svg.unbake(data)


def test_non_utf8_svg_is_not_baked() -> None:
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><svg><text>é</text></svg>'
    with pytest.raises(UnusableInput, match="UTF-8"):
        svg.bake(latin.encode("latin-1"), JWS)


def test_a_hosted_20_badge_needs_an_http_id() -> None:
    with pytest.raises(ValueError):
        svg.bake(ARTWORK, json.dumps({"id": "urn:uuid:1"}))


def test_interoperates_with_the_reference_bakery() -> None:
    bakery = pytest.importorskip("openbadges_bakery")
    assert bakery.unbake(io.BytesIO(svg.bake(ARTWORK, JWS))) == JWS
    theirs = bakery.bake(io.BytesIO(ARTWORK), JWS, io.BytesIO()).getvalue()
    assert svg.unbake(theirs).data == JWS  # type: ignore[union-attr]
