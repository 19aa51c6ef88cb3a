"""The badge designer: a shape, a colour, an icon and a few words make a badge picture.

A trainer in a social centre, or Sylvie proposing a badge for the papier-mâché she
teaches, should not need graphics skills or software to give a badge a face. Four
choices on a form are enough; Pillow draws the 512×512 PNG (the size backpacks expect),
transparent outside the shape so it sits on any page. The output depends only on the
design, so the same choices give the same bytes (baking later adds a chunk without
re-encoding, and tests can compare pictures byte for byte).

Colours are dark enough for white text to pass WCAG AA (4.5:1); icons come from
``icons`` (Font Awesome Free, attribution shown on the designer page); the label uses
the same DejaVu font as ``badge_images``.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageChops, ImageDraw, ImageFont

from badges.images import icons
from badges.images.badge_images import FONT_CANDIDATES

SIZE = 512
SCALE = 2  # drawn at twice the size, then reduced: smooth edges without antialiasing
MAX_TEXT = 24
LEVELS = (1, 2, 3)

SHAPES = ("circle", "shield", "hexagon", "rosette")
# Labels for the form, in both languages (as for icons: no catalogue needed).
SHAPE_LABELS = {
    "circle": ("Circle", "Cercle"),
    "shield": ("Shield", "Écusson"),
    "hexagon": ("Hexagon", "Hexagone"),
    "rosette": ("Rosette", "Rosette"),
}
# Every colour gives white text a contrast of at least 4.5:1 (tested).
COLOURS = {
    "blue": "#0b5a8a",
    "green": "#1d6b32",
    "teal": "#00695c",
    "purple": "#7a2e8c",
    "red": "#a4262c",
    "orange": "#a04000",
    "grey": "#4a5560",
}
COLOUR_LABELS = {
    "blue": ("Blue", "Bleu"),
    "green": ("Green", "Vert"),
    "teal": ("Teal", "Bleu-vert"),
    "purple": ("Purple", "Violet"),
    "red": ("Red", "Rouge"),
    "orange": ("Orange", "Orange"),
    "grey": ("Grey", "Gris"),
}
WHITE = (255, 255, 255, 255)
GOLD = (240, 168, 0, 255)
FADED = (255, 255, 255, 90)


@dataclass(frozen=True)
class Design:
    """What a person chose. ``text`` may be empty (the icon alone); ``level`` 1-3 or None."""

    shape: str
    colour: str
    icon: str
    text: str
    level: int | None = None


class DesignRefused(ValueError):
    """A design that cannot be drawn; ``field`` names the form field to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def design_from_form(values: Mapping[str, str]) -> Design:
    """The design a form sent: values stripped, then checked against the offered choices.

    The text has its runs of white space collapsed; control and formatting characters
    (including bidirectional overrides) are refused, since they would draw as boxes or
    reorder what people read.
    """
    shape = values.get("shape", "").strip()
    colour = values.get("colour", "").strip()
    icon = values.get("icon", "").strip()
    text = " ".join(values.get("text", "").split())
    level_value = values.get("level", "").strip()
    level: int | None = None
    if level_value:
        if level_value not in {str(n) for n in LEVELS}:
            raise DesignRefused("level", f"level must be 1, 2 or 3, not {level_value!r}")
        level = int(level_value)
    design = Design(shape=shape, colour=colour, icon=icon, text=text, level=level)
    check(design)
    return design


def check(design: Design) -> None:
    """Raise ``DesignRefused`` unless every choice is one the designer offers."""
    if design.shape not in SHAPES:
        raise DesignRefused("shape", f"unknown shape {design.shape!r}")
    if design.colour not in COLOURS:
        raise DesignRefused("colour", f"unknown colour {design.colour!r}")
    if design.icon not in icons.BY_KEY:
        raise DesignRefused("icon", f"unknown icon {design.icon!r}")
    if len(design.text) > MAX_TEXT:
        raise DesignRefused("text", f"text longer than {MAX_TEXT} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in design.text):
        raise DesignRefused("text", "text with control characters")
    if design.level is not None and design.level not in LEVELS:
        raise DesignRefused("level", f"level must be 1, 2 or 3, not {design.level!r}")


def render(design: Design) -> bytes:
    """The badge picture: a 512×512 RGBA PNG, transparent outside the shape."""
    check(design)
    size = SIZE * SCALE
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image, "RGBA")  # blend, so faded stars do not punch holes
    fill = _rgba(COLOURS[design.colour])
    _draw_shape(draw, design.shape, fill)
    icon_centre_y = 0.44 if design.text else 0.5
    if design.level is not None:
        _draw_level(draw, design.level, design.shape)
        icon_centre_y += 0.03
    _draw_icon(draw, icons.BY_KEY[design.icon], icon_centre_y * size, with_text=bool(design.text))
    if design.text:
        _draw_text(draw, design.text, design.shape)
    picture = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()


# --- shapes, in a 1024 canvas -------------------------------------------------------------


def _draw_shape(draw: ImageDraw.ImageDraw, shape: str, fill: tuple[int, ...]) -> None:
    """The coloured shape, and a thin white line inside its edge, as on a sewn badge."""
    c = SIZE * SCALE / 2
    line = 10
    if shape == "circle":
        draw.ellipse(_square(c, 480), fill=fill)
        draw.ellipse(_square(c, 440), outline=WHITE, width=line)
    elif shape == "rosette":
        points = _rosette(c, outer=496, inner=452, teeth=24)
        draw.polygon(points, fill=fill)
        draw.ellipse(_square(c, 410), outline=WHITE, width=line)
    else:
        outline = _shield if shape == "shield" else _hexagon
        draw.polygon(outline(c, 1.0), fill=fill)
        draw.line([*outline(c, 0.9), outline(c, 0.9)[0]], fill=WHITE, width=line, joint="curve")


def _square(c: float, radius: float) -> tuple[float, float, float, float]:
    return (c - radius, c - radius, c + radius, c + radius)


def _hexagon(c: float, scale: float) -> list[tuple[float, float]]:
    radius = 500 * scale
    return [
        (c + radius * math.cos(math.radians(a)), c + radius * math.sin(math.radians(a)))
        for a in range(-90, 270, 60)
    ]


def _shield(c: float, scale: float) -> list[tuple[float, float]]:
    """A heater shield: flat top, straight sides, curving to a point at the bottom."""
    half_width, top, shoulder, tip = 430, -440, 60, 490
    points = [(-half_width, top), (half_width, top), (half_width, shoulder)]
    steps = 24
    for step in range(1, steps):  # right side curve, then mirrored left one
        t = step / steps
        points.append(
            (half_width * math.cos(t * math.pi / 2), shoulder + (tip - shoulder) * t**1.1)
        )
    points.append((0, tip))
    points += [(-x, y) for x, y in reversed(points[3:-1])]
    points.append((-half_width, shoulder))
    return [(c + x * scale, c + y * scale) for x, y in points]


def _rosette(c: float, outer: float, inner: float, teeth: int) -> list[tuple[float, float]]:
    """A scalloped disc: ``teeth`` rounded bumps between ``inner`` and ``outer`` radii."""
    points = []
    samples = teeth * 12
    for index in range(samples):
        angle = 2 * math.pi * index / samples
        bump = (1 + math.cos(angle * teeth)) / 2
        radius = inner + (outer - inner) * bump**0.6
        points.append((c + radius * math.cos(angle), c + radius * math.sin(angle)))
    return points


# --- content --------------------------------------------------------------------------------


def _draw_icon(
    draw: ImageDraw.ImageDraw, icon: icons.Icon, centre_y: float, with_text: bool
) -> None:
    """The glyph in white, fitted into a box and centred on its own outline (not metrics)."""
    box_width, box_height = (380, 290) if with_text else (480, 440)
    reference = 400
    left, top, right, bottom = _icon_font(reference).getbbox(icon.glyph)
    scale = min(box_width / (right - left), box_height / (bottom - top))
    font = _icon_font(round(reference * scale))
    left, top, right, bottom = font.getbbox(icon.glyph)
    x = SIZE * SCALE / 2 - (left + right) / 2
    y = centre_y - (top + bottom) / 2
    draw.text((x, y), icon.glyph, font=font, fill=WHITE)


def _draw_text(draw: ImageDraw.ImageDraw, text: str, shape: str) -> None:
    """``text`` in white under the icon, as large as fits inside the shape's white line.

    One line if it fits at a readable size, else two. "Fits" is measured, not guessed:
    the text is drawn on a mask and must stay inside the shape's safe area, so the same
    rule serves a circle, a shield's narrowing point and a hexagon's slanted sides.
    """
    centre_x = SIZE * SCALE / 2
    centre_y = 700 if shape == "shield" else 750
    safe = _safe_area(shape)
    layouts = [([text], size) for size in range(104, 59, -4)]
    layouts += [(_two_lines(text), size) for size in range(84, 35, -4)]
    for lines, size in layouts:
        placed = _placed(lines, _text_font(size), centre_x, centre_y)
        if _inside(placed, safe):
            break
    for (x, y), line, font in placed:
        draw.text((x, y), line, font=font, fill=WHITE, anchor="mm")


Placed = list[tuple[tuple[float, float], str, ImageFont.FreeTypeFont | ImageFont.ImageFont]]


def _placed(
    lines: list[str], font: ImageFont.FreeTypeFont | ImageFont.ImageFont, x: float, y: float
) -> Placed:
    """Where each line goes: centred on ``x``, the block centred on ``y``."""
    gap = font.size * 1.1 if isinstance(font, ImageFont.FreeTypeFont) else 12
    first = y - gap * (len(lines) - 1) / 2
    return [((x, first + index * gap), line, font) for index, line in enumerate(lines)]


def _inside(placed: Placed, safe: Image.Image) -> bool:
    """Whether every pixel of the placed text falls inside ``safe``."""
    mask = Image.new("L", safe.size, 0)
    draw = ImageDraw.Draw(mask)
    for (x, y), line, font in placed:
        draw.text((x, y), line, font=font, fill=255, anchor="mm")
    outside = ImageChops.subtract(mask, safe)
    return outside.getbbox() is None


@cache
def _safe_area(shape: str) -> Image.Image:
    """Where text may go: the inside of the shape's white line, less a margin."""
    size = SIZE * SCALE
    c = size / 2
    area = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(area)
    if shape == "circle":
        draw.ellipse(_square(c, 400), fill=255)
    elif shape == "rosette":
        draw.ellipse(_square(c, 372), fill=255)
    else:
        outline = _shield if shape == "shield" else _hexagon
        draw.polygon(outline(c, 0.82), fill=255)
    return area


def _two_lines(text: str) -> list[str]:
    """``text`` split at the space nearest its middle (or in the middle, for one word)."""
    spaces = [i for i, c in enumerate(text) if c == " "]
    if not spaces:
        middle = len(text) // 2
        return [text[:middle] + "-", text[middle:]]
    cut = min(spaces, key=lambda i: abs(i - len(text) / 2))
    return [text[:cut], text[cut + 1 :]]


def _draw_level(draw: ImageDraw.ImageDraw, level: int, shape: str) -> None:
    """Three stars near the top edge: ``level`` of them gold, the others faded."""
    star = icons.BY_KEY["star"].glyph
    font = _icon_font(64)
    left, top, right, bottom = font.getbbox(star)
    y = (230 if shape == "shield" else 205) - (top + bottom) / 2
    spacing = 92
    for index in range(len(LEVELS)):
        x = SIZE * SCALE / 2 + (index - 1) * spacing - (left + right) / 2
        draw.text((x, y), star, font=font, fill=GOLD if index < level else FADED)


@cache
def _icon_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(icons.font_bytes()), size)


@cache
def _text_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in FONT_CANDIDATES:
        try:
            return ImageFont.truetype(candidate, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _rgba(hex_colour: str) -> tuple[int, int, int, int]:
    value = hex_colour.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), 255)
