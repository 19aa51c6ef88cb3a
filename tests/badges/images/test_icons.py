"""The designer's icons: each one is the Font Awesome glyph its name says, and exists."""

from __future__ import annotations

import io
import json
from importlib.resources import files

from PIL import Image, ImageDraw, ImageFont

from badges.images import icons


def test_every_codepoint_is_the_one_font_awesome_gives_that_name_in_the_solid_style() -> None:
    metadata = json.loads(
        (files(icons.FONT_PACKAGE) / icons.METADATA_RESOURCE).read_text(encoding="utf-8")
    )

    for icon in icons.ICONS:
        assert icon.key in metadata, icon.key
        assert int(metadata[icon.key]["unicode"], 16) == icon.codepoint, icon.key
        assert "solid" in metadata[icon.key]["free"], icon.key


def test_every_glyph_is_in_the_font_and_not_the_missing_glyph_box() -> None:
    font = ImageFont.truetype(io.BytesIO(icons.font_bytes()), 64)

    def picture(character: str) -> bytes:
        image = Image.new("L", (96, 96), 0)
        ImageDraw.Draw(image).text((8, 8), character, font=font, fill=255)
        return image.tobytes()

    missing = picture("\U0010fffd")
    drawn = [picture(icon.glyph) for icon in icons.ICONS]

    for icon, mask in zip(icons.ICONS, drawn, strict=True):
        assert mask != missing and any(mask), icon.key
    assert len(set(drawn)) == len(drawn)  # no two entries draw the same picture


def test_keys_are_unique_and_labels_exist_in_both_languages() -> None:
    assert len(icons.BY_KEY) == len(icons.ICONS) >= 24
    for icon in icons.ICONS:
        assert icon.label_en.strip() and icon.label_fr.strip()
    heart = icons.BY_KEY["heart"]
    assert (heart.label("fr_FR"), heart.label("fr"), heart.label("en")) == ("Cœur", "Cœur", "Heart")
    assert heart.label("de") == "Heart"
