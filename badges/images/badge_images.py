"""Round badge pictures drawn with Pillow, for badge classes that come without an image.

A badge needs a PNG (OB 2.0 allows PNG or SVG only, and baking needs PNG or SVG bytes).
Trainers in a social centre rarely have a designer at hand, so a badge class can get a
readable default: a coloured disc, the initials of its name, and one to three ring
segments showing its level in a family ("Je soutiens", "J'explore", "J'agis").
The bytes are kept as produced, because baking later inserts a chunk without re-encoding.
"""

from __future__ import annotations

import base64
import hashlib
import io
import unicodedata
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

SIZE = 512
# Dark enough for white initials to pass WCAG AA contrast.
PALETTE = ("#0b5a8a", "#1d6b32", "#7a2e8c", "#a04000", "#1f4e79", "#8a1538", "#2f5d50")
RING = "#f0a800"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "DejaVuSans-Bold.ttf",
)


def initials(name: str, limit: int = 2) -> str:
    """Up to ``limit`` capital initials of the significant words ("Place aux jeunes" → "PJ")."""
    small = {"a", "au", "aux", "de", "des", "du", "en", "et", "la", "le", "les", "l", "d"}
    words = [w for w in _plain(name).replace("'", " ").split() if w.isalnum() or w[0].isalnum()]
    picked = [w for w in words if w.lower() not in small] or words
    return "".join(w[0].upper() for w in picked[:limit]) or "?"


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        try:
            return ImageFont.truetype(candidate, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def colour_for(name: str) -> str:
    """A stable colour per name, so a family's badges look alike across runs."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def draw_badge(name: str, level: int | None = None, colour: str | None = None) -> bytes:
    """A 512×512 PNG: a disc with ``name``'s initials and a ring of ``level`` segments (1-3).

    Without a level the ring is whole. The background is transparent outside the disc.
    """
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    fill = colour or colour_for(name)
    margin = 16
    ring_width = 28
    box = (margin, margin, SIZE - margin, SIZE - margin)
    draw.ellipse(box, fill="#ffffff")
    if level is None:
        draw.arc(box, 0, 360, fill=RING, width=ring_width)
    else:
        segments = 3
        span = 360 / segments
        for index in range(segments):
            start = -90 + index * span + 4
            colour_of_segment = RING if index < level else "#d6dde3"
            draw.arc(box, start, start + span - 8, fill=colour_of_segment, width=ring_width)
    inner = margin + ring_width + 10
    draw.ellipse((inner, inner, SIZE - inner, SIZE - inner), fill=fill)
    text = initials(name)
    font = _font(180 if len(text) < 3 else 140)
    draw.text((SIZE / 2, SIZE / 2), text, fill="#ffffff", font=font, anchor="mm")
    if level is not None:
        small = _font(44)
        draw.text(
            (SIZE / 2, SIZE - inner - 60), "●" * level, fill="#ffffff", font=small, anchor="mm"
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def svg_wrapping(png: bytes, title: str) -> bytes:
    """An SVG showing ``png`` (embedded as a data URI), for people who want an SVG badge.

    Badge pictures are kept as PNG; baking into SVG needs an SVG document, and wrapping
    the picture is lossless. ``title`` gives the image its accessible name.
    """
    data = base64.b64encode(png).decode("ascii")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}" role="img">'
        f"<title>{escape(title)}</title>"
        f'<image width="{SIZE}" height="{SIZE}" href="data:image/png;base64,{data}"/>'
        "</svg>\n"
    ).encode()
