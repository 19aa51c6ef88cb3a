"""The badge designer: every choice draws, wrong choices are refused, output is stable."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from PIL import Image

from badges.images.badge_designer import (
    COLOUR_LABELS,
    COLOURS,
    MAX_TEXT,
    SHAPE_LABELS,
    SHAPES,
    Design,
    DesignRefused,
    design_from_form,
    render,
)

RADIO = Design("circle", "blue", "microphone", "Animer une web radio", 2)


def picture(design: Design) -> Image.Image:
    image = Image.open(io.BytesIO(render(design)))
    assert image.format == "PNG" and image.size == (512, 512) and image.mode == "RGBA"
    return image


def colours(image: Image.Image) -> Counter[tuple[int, ...]]:
    """How many pixels of each colour ``image`` has."""
    return Counter({colour: count for count, colour in image.getcolors(512 * 512)})


def rgba(hex_colour: str) -> tuple[int, int, int, int]:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16), 255)


def contrast_with_white(hex_colour: str) -> float:
    """WCAG 2 contrast ratio of white on ``hex_colour``."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b, _ = rgba(hex_colour)
    luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("shape", SHAPES)
def test_each_shape_is_drawn_in_the_chosen_colour_with_transparent_corners(shape: str) -> None:
    image = picture(Design(shape, "green", "seedling", "Papier-mâché", 1))

    for corner in ((0, 0), (511, 0), (0, 511), (511, 511)):
        assert image.getpixel(corner)[3] == 0
    opaque = Counter({c: n for c, n in colours(image).items() if c[3] == 255})
    assert opaque.most_common(1)[0][0] == rgba(COLOURS["green"])
    assert (255, 255, 255, 255) in opaque  # white line, icon and text


def test_the_circle_is_round_and_the_icon_sits_in_its_middle() -> None:
    image = picture(Design("circle", "purple", "heart", ""))

    assert image.getpixel((256, 3))[3] == 0 and image.getpixel((3, 256))[3] == 0
    assert image.getpixel((256, 30)) == rgba(COLOURS["purple"])
    assert image.getpixel((256, 256)) == (255, 255, 255, 255)  # the heart's centre


def test_a_glyph_is_drawn_and_each_icon_draws_differently() -> None:
    heart = picture(Design("hexagon", "red", "heart", ""))
    bicycle = picture(Design("hexagon", "red", "bicycle", ""))

    icon_area = heart.crop((156, 156, 356, 356))
    in_icon_area = colours(icon_area)
    assert len(in_icon_area) > 2  # white glyph, badge colour, antialiased edges
    assert in_icon_area[(255, 255, 255, 255)] > 0.3 * 200 * 200
    assert heart.tobytes() != bicycle.tobytes()


def test_the_text_is_drawn_under_the_icon() -> None:
    computing = picture(Design("shield", "teal", "laptop", "Informatique"))
    cooking = picture(Design("shield", "teal", "laptop", "Cuisine"))

    label_band, icon_band = (176, 330, 336, 380), (96, 120, 416, 300)
    assert colours(computing.crop(label_band))[(255, 255, 255, 255)] > 500
    assert computing.crop(label_band).tobytes() != cooking.crop(label_band).tobytes()
    assert computing.crop(icon_band).tobytes() == cooking.crop(icon_band).tobytes()


def test_the_level_shows_as_stars_and_changes_the_picture() -> None:
    pictures = {
        level: render(Design("rosette", "orange", "bullhorn", "J'agis", level))
        for level in (None, 1, 2, 3)
    }

    assert len(set(pictures.values())) == 4
    gold = (240, 168, 0, 255)
    counts = {level: colours(Image.open(io.BytesIO(png)))[gold] for level, png in pictures.items()}
    assert counts[None] == 0 < counts[1] < counts[2] < counts[3]


def test_the_same_design_gives_the_same_bytes() -> None:
    assert render(RADIO) == render(Design(**RADIO.__dict__))


def test_the_longest_text_still_renders_on_every_shape() -> None:
    for shape in SHAPES:
        assert picture(Design(shape, "grey", "star", "W" * MAX_TEXT, 3))


@pytest.mark.parametrize("colour", COLOURS)
def test_every_colour_gives_white_text_wcag_aa_contrast(colour: str) -> None:
    assert contrast_with_white(COLOURS[colour]) >= 4.5


def test_every_choice_has_labels_in_both_languages() -> None:
    assert set(SHAPE_LABELS) == set(SHAPES) and len(SHAPES) >= 3
    assert set(COLOUR_LABELS) == set(COLOURS) and len(COLOURS) >= 7
    for english, french in (*SHAPE_LABELS.values(), *COLOUR_LABELS.values()):
        assert english.strip() and french.strip()


def test_the_form_is_stripped_and_read() -> None:
    design = design_from_form(
        {
            "shape": " shield ",
            "colour": "blue\n",
            "icon": "radio",
            "text": "  Web \t radio ",
            "level": "3",
        }
    )

    assert design == Design("shield", "blue", "radio", "Web radio", 3)
    assert (
        design_from_form({"shape": "circle", "colour": "red", "icon": "star", "level": ""}).level
        is None
    )


def test_html_in_the_text_is_only_letters_on_a_picture() -> None:
    design = design_from_form(
        {"shape": "circle", "colour": "red", "icon": "star", "text": "<b onclick=x>Hi</b>"}
    )

    assert design.text == "<b onclick=x>Hi</b>"
    assert picture(design)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("shape", "triangle"),
        ("shape", ""),
        ("shape", "CIRCLE"),
        ("colour", "#ff0000"),
        ("colour", "yellow"),
        ("colour", "url(javascript:alert(1))"),
        ("icon", "skull"),
        ("icon", "../../../etc/passwd"),
        ("icon", "f130"),
        ("text", "Animer une web radio libre"),  # 26 characters
        ("text", "Radio\x00"),
        ("text", "Radio\u202eoidar"),  # right-to-left override
        ("level", "4"),
        ("level", "0"),
        ("level", "-1"),
        ("level", "1.5"),
        ("level", "deux"),
        ("level", "\uff12"),  # a full-width 2, which int() would accept
    ],
)
def test_wrong_values_are_refused_naming_the_field(field: str, value: str) -> None:
    form = {"shape": "circle", "colour": "blue", "icon": "microphone", "text": "Radio"}
    form[field] = value

    with pytest.raises(DesignRefused) as caught:
        design_from_form(form)

    assert caught.value.field == field


def test_render_refuses_a_design_built_without_the_form() -> None:
    with pytest.raises(DesignRefused):
        render(Design("circle", "blue", "microphone", "x" * (MAX_TEXT + 1)))
    with pytest.raises(DesignRefused):
        render(Design("circle", "blue", "microphone", "Radio", level=7))
