"""Default badge pictures: a 512×512 PNG with initials, and a lossless SVG wrapping."""

from __future__ import annotations

import io

from PIL import Image

from badges.images.badge_images import draw_badge, initials, svg_wrapping


def test_initials_skip_small_words_and_accents() -> None:
    assert initials("Place aux jeunes") == "PJ"
    assert initials("Écoute active") == "EA"
    assert initials("de la") == "DL"


def test_a_badge_is_a_round_512_png_that_differs_by_level() -> None:
    one, three = draw_badge("Place aux jeunes", 1), draw_badge("Place aux jeunes", 3)
    image = Image.open(io.BytesIO(one))
    assert image.format == "PNG" and image.size == (512, 512)
    assert image.getpixel((0, 0))[3] == 0  # transparent outside the disc
    assert one != three


def test_svg_wrapping_embeds_the_png_and_escapes_the_title() -> None:
    svg = svg_wrapping(draw_badge("A"), "Écoute <active>").decode()
    assert svg.count("<svg") == 1 and "data:image/png;base64," in svg
    assert "<title>Écoute &lt;active&gt;</title>" in svg
