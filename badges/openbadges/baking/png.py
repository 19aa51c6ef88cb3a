"""Baking into PNG: one uncompressed ``iTXt`` chunk right after ``IHDR``.

The image is never decoded: the file is walked chunk by chunk on its raw bytes, the
badge chunk is spliced in after ``IHDR`` with its CRC-32 computed by ``zlib``, and every
other chunk is copied byte for byte. Decoding and re-encoding (what an imaging library
would do) is slower, can change colour profiles or compression, and would make the
baked file differ from the issuer's artwork for no reason.

A PNG carries at most one badge. Baking replaces any badge chunk already present, for
either version, rather than adding a second one that readers would disagree about.
Reading accepts the legacy ``tEXt:openbadges`` chunk (a hosted URL, pre-2013 bakers) and
a compressed ``iTXt`` (decompressed with a size cap), because both exist in the wild.
"""

from __future__ import annotations

import codecs
import struct
import zlib
from collections.abc import Iterator

from badges.openbadges.baking.baked import PNG_KEYWORDS, BakedBadge, Version
from badges.openbadges.errors import UnusableInput

SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
MAX_BADGE_TEXT = 2 * 1024 * 1024  # a decompressed badge larger than this is not a badge

_KEYWORD_VERSIONS: dict[bytes, Version] = {
    kw.encode("latin-1"): version for version, kw in PNG_KEYWORDS.items()
}
_TEXT_CHUNKS = (b"iTXt", b"tEXt", b"zTXt")
# CRCs are checked on the chunks baking reads or relies on. Image data is copied
# verbatim and never interpreted here: its integrity is the image decoder's business,
# and checking it would double the cost of every bake and unbake.
_CRC_CHECKED = frozenset((b"IHDR", b"IEND", *_TEXT_CHUNKS))


def is_png(data: bytes) -> bool:
    return data.startswith(SIGNATURE)


def _chunks(data: bytes) -> Iterator[tuple[bytes, int, int, int]]:
    """Yield (type, chunk start, data start, chunk end) for each chunk.

    Checks the signature, that ``IHDR`` comes first, that every chunk fits in the file,
    that ``IEND`` is reached, and the CRCs of the chunks in ``_CRC_CHECKED``. Stops
    after ``IEND``; whatever follows it is left to the caller. Raises
    :class:`UnusableInput` for anything that is not a complete PNG.
    """
    if data.startswith(JPEG_SIGNATURE):
        raise UnusableInput("this is a JPEG image; Open Badges are baked only into PNG or SVG")
    if not is_png(data):
        raise UnusableInput("not a PNG image (the PNG signature is missing)")
    position = len(SIGNATURE)
    view = memoryview(data)  # CRCs over slices of a view do not copy the chunk
    first = True
    while True:
        if position + 8 > len(data):
            raise UnusableInput("the PNG image is truncated (it ends before its IEND chunk)")
        length, kind = struct.unpack_from(">I4s", data, position)
        data_start = position + 8
        end = data_start + length + 4
        if length > 0x7FFFFFFF or end > len(data):
            raise UnusableInput(f"the PNG image is truncated inside its {kind!r} chunk")
        if kind in _CRC_CHECKED:
            (crc,) = struct.unpack_from(">I", data, end - 4)
            if zlib.crc32(view[position + 4 : end - 4]) != crc:
                raise UnusableInput(f"the PNG image is damaged (bad CRC in its {kind!r} chunk)")
        if first and kind != b"IHDR":
            raise UnusableInput("not a valid PNG image (IHDR is not the first chunk)")
        first = False
        yield kind, position, data_start, end
        if kind == b"IEND":
            return
        position = end


def _badge_keyword(data: bytes, kind: bytes, data_start: int, end: int) -> Version | None:
    """The badge version named by a text chunk's keyword, or None for other chunks."""
    if kind not in _TEXT_CHUNKS:
        return None
    keyword_end = data.find(b"\0", data_start, min(end - 4, data_start + 80))
    if keyword_end < 0:
        return None
    return _KEYWORD_VERSIONS.get(data[data_start:keyword_end])


def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(body, zlib.crc32(kind))
    return b"".join((struct.pack(">I", len(body)), kind, body, struct.pack(">I", crc)))


def bake(png: bytes, text: str, *, version: Version = "2.0") -> bytes:
    """Return ``png`` with ``text`` (a JWS, VC-JWT or badge JSON) baked in for ``version``.

    The new ``iTXt`` chunk goes right after ``IHDR``; existing badge chunks are dropped;
    every other byte of the file is kept.
    """
    keyword = PNG_KEYWORDS[version].encode("latin-1")
    # keyword \0, compression flag 0, method 0, empty language \0, empty translation \0
    badge_chunk = _chunk(b"iTXt", keyword + b"\0\0\0\0\0" + text.encode("utf-8"))
    parts = [SIGNATURE]
    last = len(SIGNATURE)
    for kind, start, data_start, end in _chunks(png):
        if kind == b"IHDR":
            parts.append(png[start:end])
            parts.append(badge_chunk)
            last = end
        elif _badge_keyword(png, kind, data_start, end):
            parts.append(png[last:start])
            last = end
    parts.append(png[last:])
    return b"".join(parts)


def _inflate(compressed: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(compressed, MAX_BADGE_TEXT + 1)
    except zlib.error as exc:
        raise UnusableInput("the badge chunk of the PNG cannot be decompressed") from exc
    if len(text) > MAX_BADGE_TEXT or inflater.unconsumed_tail:
        raise UnusableInput("the badge chunk of the PNG is too large once decompressed")
    return text


def _read_text(png: bytes, kind: bytes, data_start: int, end: int) -> str:
    """The text of a badge ``iTXt``/``tEXt``/``zTXt`` chunk, read in place."""
    body_end = end - 4
    view = memoryview(png)
    position = png.index(b"\0", data_start, body_end) + 1  # after the keyword
    if kind == b"tEXt":
        return codecs.decode(view[position:body_end], "latin-1")
    if kind == b"zTXt":
        return _inflate(png[position + 1 : body_end]).decode("latin-1")
    if body_end - position < 2:
        raise UnusableInput("the badge iTXt chunk of the PNG is malformed")
    compressed = png[position]
    language_end = png.find(b"\0", position + 2, body_end)
    translated_end = png.find(b"\0", language_end + 1, body_end) if language_end >= 0 else -1
    if translated_end < 0:
        raise UnusableInput("the badge iTXt chunk of the PNG is malformed")
    text = view[translated_end + 1 : body_end]
    raw = _inflate(bytes(text)) if compressed else text
    try:
        return codecs.decode(raw, "utf-8")
    except UnicodeDecodeError as exc:
        raise UnusableInput("the badge chunk of the PNG is not UTF-8 text") from exc


def unbake(png: bytes) -> BakedBadge | None:
    """The badge baked into ``png``, or None if it carries none.

    Raises :class:`UnusableInput` for a damaged or non-PNG file and for a PNG carrying
    more than one badge, since a verifier could not tell which one the earner meant.
    """
    found: list[BakedBadge] = []
    for kind, _start, data_start, end in _chunks(png):
        version = _badge_keyword(png, kind, data_start, end)
        if version is None:
            continue
        text = _read_text(png, kind, data_start, end).strip()
        legacy_url = text if kind == b"tEXt" and text.startswith(("http://", "https://")) else None
        found.append(BakedBadge(version, text, "png", url=legacy_url))
    if len(found) > 1:
        raise UnusableInput("the PNG image carries more than one badge")
    return found[0] if found else None
