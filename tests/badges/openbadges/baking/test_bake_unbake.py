"""``bake``/``unbake`` pick the format from the bytes, never from a file name."""

from __future__ import annotations

import json

import pytest

from badges.openbadges.baking import bake, unbake
from badges.openbadges.errors import UnusableInput

from ..conftest import MOODLE

PNG = (MOODLE / "badgeimage.png").read_bytes()
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'


def test_png_and_svg_are_told_apart_by_content() -> None:
    assert unbake(bake(PNG, "a.b.c")).image_format == "png"  # type: ignore[union-attr]
    assert unbake(bake(SVG, "a.b.c")).image_format == "svg"  # type: ignore[union-attr]


def test_a_dict_is_baked_as_compact_json() -> None:
    document = {"id": "https://chemins.test/a/1", "narrative": "é"}
    badge = unbake(bake(PNG, document))
    assert badge is not None and json.loads(badge.data) == document
    assert badge.data == '{"id":"https://chemins.test/a/1","narrative":"é"}'


@pytest.mark.parametrize(
    ("image", "message"),
    [(b"\xff\xd8\xff\xe0JFIF", "JPEG"), (b"GIF89a....", "only PNG and SVG"), (b"", "only PNG")],
)
def test_other_images_are_unusable(image: bytes, message: str) -> None:
    with pytest.raises(UnusableInput, match=message):
        bake(image, "a.b.c")
    with pytest.raises(UnusableInput, match=message):
        unbake(image)
