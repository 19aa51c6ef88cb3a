"""PNG baking on raw chunks: the artwork's bytes never change, one badge chunk at most."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from badges.openbadges.baking import png
from badges.openbadges.errors import UnusableInput

from ..conftest import MOODLE

IMAGE = (MOODLE / "badgeimage.png").read_bytes()
ASSERTION = (MOODLE / "assertion_obv2.json").read_text(encoding="utf-8")
IHDR_END = 8 + 8 + 13 + 4


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, body) of every chunk, read independently of the code under test."""
    position, found = 8, []
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        found.append(
            (data[position + 4 : position + 8], data[position + 8 : position + 8 + length])
        )
        position += 12 + length
    return found


def test_moodle_image_bakes_and_unbakes_byte_exactly() -> None:
    baked = png.bake(IMAGE, ASSERTION)
    badge = png.unbake(baked)
    assert badge is not None
    assert (badge.version, badge.image_format, badge.data) == ("2.0", "png", ASSERTION)
    # The badge chunk sits right after IHDR and everything else is the original file.
    chunk = _chunk(b"iTXt", b"openbadges\0\0\0\0\0" + ASSERTION.encode("utf-8"))
    assert baked == IMAGE[:IHDR_END] + chunk + IMAGE[IHDR_END:]


def test_pixels_are_untouched() -> None:
    baked = png.bake(IMAGE, ASSERTION)
    with Image.open(io.BytesIO(IMAGE)) as before, Image.open(io.BytesIO(baked)) as after:
        assert after.size == (512, 512)
        assert after.tobytes() == before.tobytes()
        assert after.text["openbadges"] == ASSERTION  # Pillow reads our iTXt too


def test_the_chunk_is_uncompressed_itxt_with_the_version_keyword() -> None:
    kinds = _chunks(png.bake(IMAGE, "a.b.c", version="3.0"))
    assert kinds[0][0] == b"IHDR"
    assert kinds[1] == (b"iTXt", b"openbadgecredential\0\0\0\0\0a.b.c")


def test_rebaking_replaces_the_badge_even_across_versions() -> None:
    once = png.bake(IMAGE, ASSERTION)
    twice = png.bake(once, "x.y.z", version="3.0")
    badge_chunks = [c for c in _chunks(twice) if c[0] == b"iTXt"]
    assert len(badge_chunks) == 1
    assert png.unbake(twice).version == "3.0"  # type: ignore[union-attr]
    assert png.bake(twice, ASSERTION) == once


def test_utf8_text_round_trips() -> None:
    text = '{"narrative": "Éloïse a tenu le stand — bravo ✓"}'
    assert png.unbake(png.bake(IMAGE, text)).data == text  # type: ignore[union-attr]


def test_an_unbaked_image_has_no_badge() -> None:
    assert png.unbake(IMAGE) is None


def test_legacy_text_chunk_holds_a_hosted_url() -> None:
    url = "https://issuer.example/assertions/1"
    legacy = IMAGE[:IHDR_END] + _chunk(b"tEXt", b"openbadges\0" + url.encode()) + IMAGE[IHDR_END:]
    badge = png.unbake(legacy)
    assert badge is not None and badge.data == url and badge.url == url


def test_compressed_itxt_is_read() -> None:
    body = b"openbadges\0\1\0\0\0" + zlib.compress(ASSERTION.encode())
    baked = IMAGE[:IHDR_END] + _chunk(b"iTXt", body) + IMAGE[IHDR_END:]
    assert png.unbake(baked).data == ASSERTION  # type: ignore[union-attr]


def test_compressed_bomb_is_refused() -> None:
    body = b"openbadges\0\1\0\0\0" + zlib.compress(b" " * (png.MAX_BADGE_TEXT + 10))
    baked = IMAGE[:IHDR_END] + _chunk(b"iTXt", body) + IMAGE[IHDR_END:]
    with pytest.raises(UnusableInput, match="too large"):
        png.unbake(baked)


def test_a_damaged_badge_chunk_is_refused() -> None:
    baked = bytearray(png.bake(IMAGE, ASSERTION))
    baked[IHDR_END + 100] ^= 0x01  # one bit inside the assertion text
    with pytest.raises(UnusableInput, match="CRC"):
        png.unbake(bytes(baked))


def test_two_badges_are_refused() -> None:
    extra = _chunk(b"iTXt", b"openbadges\0\0\0\0\0second")
    baked = png.bake(IMAGE, ASSERTION)
    doubled = baked[:-12] + extra + baked[-12:]
    with pytest.raises(UnusableInput, match="more than one"):
        png.unbake(doubled)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (IMAGE[:-20], "truncated"),
        (IMAGE[:1000], "truncated"),
        (IMAGE[:8], "truncated"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"GIF89a", "not a PNG"),
        (IMAGE[:20] + bytes([IMAGE[20] ^ 0xFF]) + IMAGE[21:], "CRC"),  # in IHDR
        (png.SIGNATURE + _chunk(b"IDAT", b"x") + _chunk(b"IEND", b""), "IHDR"),
    ],
)
def test_damaged_or_foreign_files_are_unusable(data: bytes, message: str) -> None:
    with pytest.raises(UnusableInput, match=message):
        png.unbake(data)
    with pytest.raises(UnusableInput, match=message):
        png.bake(data, ASSERTION)


def test_interoperates_with_the_reference_bakery() -> None:
    bakery = pytest.importorskip("openbadges_bakery")
    ours = png.bake(IMAGE, ASSERTION)
    assert bakery.unbake(io.BytesIO(ours)) == ASSERTION
    theirs = bakery.bake(io.BytesIO(IMAGE), ASSERTION, io.BytesIO()).getvalue()
    assert png.unbake(theirs).data == ASSERTION  # type: ignore[union-attr]
