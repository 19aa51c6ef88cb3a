"""Evidence photos: real files made with Pillow, hostile ones built byte by byte."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import ExifTags, Image

from badges.images.photos import (
    MAX_SIDE,
    MAX_SOURCE_PIXELS,
    MAX_UPLOAD_BYTES,
    PhotoRefused,
    process_photo,
)

GPS = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}  # Paris, to the metre


def phone_jpeg(size: tuple[int, int] = (400, 200), orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: red left half, blue right half, EXIF with GPS, XMP,
    an ICC profile and a comment."""
    image = Image.new("RGB", size, (220, 0, 0))
    image.paste((0, 0, 220), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Artist] = "Nathan Martin"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    out = io.BytesIO()
    image.save(
        out,
        format="JPEG",
        exif=exif,
        xmp=b"<x:xmpmeta>Nathan</x:xmpmeta>",
        icc_profile=b"not really a profile" * 4,
        comment=b"taken at home",
    )
    return out.getvalue()


def encoded(image: Image.Image, format: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=format, **params)
    return out.getvalue()


def refusal(data: bytes) -> str:
    with pytest.raises(PhotoRefused) as caught:
        process_photo(data)
    return caught.value.code


def png_declaring(width: int, height: int) -> bytes:
    """A well-formed PNG header declaring ``width``×``height``, with one tiny IDAT.

    Were it decoded, the IDAT would be far too short ("truncated": ``not_an_image``), so
    ``too_many_pixels`` proves the refusal came from the header, before any decoding.
    """

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def jpeg_declaring(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) is rewritten to claim another size."""
    data = bytearray(encoded(Image.new("RGB", (16, 16), "green"), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def test_gps_and_every_other_metadata_are_gone() -> None:
    source = phone_jpeg()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(ExifTags.IFD.GPSInfo) == GPS

    photo = process_photo(source)

    assert photo.media_type == "image/jpeg"
    back = Image.open(io.BytesIO(photo.data))
    assert back.format == "JPEG"
    assert len(back.getexif()) == 0
    for key in ("exif", "xmp", "icc_profile", "comment"):
        assert key not in back.info
    for secret in (b"Exif", b"PhoneMaker", b"Nathan", b"xmpmeta", b"ICC_PROFILE", b"home"):
        assert secret not in photo.data


def test_orientation_is_applied_before_the_tag_is_dropped() -> None:
    # Orientation 6: the phone was turned a quarter clockwise; the left (red) half is up.
    photo = process_photo(phone_jpeg((400, 200), orientation=6))

    back = Image.open(io.BytesIO(photo.data)).convert("RGB")
    assert (photo.width, photo.height) == back.size == (200, 400)
    top, bottom = back.getpixel((100, 50)), back.getpixel((100, 350))
    assert top[0] > 180 and top[2] < 60  # red
    assert bottom[2] > 180 and bottom[0] < 60  # blue


def test_a_12_megapixel_photo_is_shrunk_to_the_longest_side() -> None:
    image = Image.radial_gradient("L").resize((4000, 3000)).convert("RGB")
    photo = process_photo(encoded(image, "JPEG", quality=90))

    assert (photo.width, photo.height) == (MAX_SIDE, 1200)
    assert Image.open(io.BytesIO(photo.data)).size == (MAX_SIDE, 1200)


def test_a_portrait_photo_keeps_its_proportions_and_a_small_one_its_size() -> None:
    tall = process_photo(encoded(Image.new("RGB", (1000, 4000), "white"), "JPEG"))
    small = process_photo(encoded(Image.new("RGB", (300, 200), "white"), "PNG"))

    assert (tall.width, tall.height) == (400, MAX_SIDE)
    assert (small.width, small.height, small.media_type) == (300, 200, "image/jpeg")


def test_transparency_is_kept_as_png_and_webp_and_gif_are_read() -> None:
    clear = Image.new("RGBA", (120, 80), (0, 128, 0, 0))
    clear.paste((0, 128, 0, 255), (0, 0, 60, 80))
    from_png = process_photo(encoded(clear, "PNG", icc_profile=b"profile" * 10))
    from_webp = process_photo(encoded(Image.new("RGB", (50, 40), "blue"), "WEBP"))

    back = Image.open(io.BytesIO(from_png.data))
    assert from_png.media_type == "image/png" and back.mode == "RGBA"
    assert back.getpixel((100, 40))[3] == 0 and back.getpixel((10, 40))[3] == 255
    assert "icc_profile" not in back.info
    assert (from_webp.media_type, from_webp.width, from_webp.height) == ("image/jpeg", 50, 40)


def test_only_the_first_frame_of_an_animated_gif_is_kept() -> None:
    frames = [Image.new("RGB", (40, 40), colour) for colour in ("red", "blue", "blue")]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)

    photo = process_photo(data)

    pixel = Image.open(io.BytesIO(photo.data)).convert("RGB").getpixel((20, 20))
    assert pixel[0] > 200 and pixel[2] < 60


@pytest.mark.parametrize(
    "data",
    [
        pytest.param("Photo de l'atelier, réalisée samedi".encode(), id="text"),
        pytest.param(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", id="pdf"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", id="jpeg-start-only"),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><script>alert(1)</script><rect width="10" height="10"/></svg>',
            id="svg-with-script",
        ),
        pytest.param(b"<html><img src=x onerror=alert(1)></html>", id="html"),
    ],
)
def test_what_is_not_a_picture_is_refused(data: bytes) -> None:
    assert refusal(data) == "not_an_image"


def test_a_truncated_jpeg_is_refused_not_half_decoded() -> None:
    noisy = Image.effect_noise((300, 300), 80).convert("RGB")
    whole = encoded(noisy, "JPEG")

    assert refusal(whole[: len(whole) // 2]) == "not_an_image"


def test_a_png_declaring_30000_by_30000_pixels_is_refused_from_its_header() -> None:
    bomb = png_declaring(30000, 30000)
    assert len(bomb) < 100

    assert refusal(bomb) == "too_many_pixels"


def test_pictures_just_past_our_limit_are_refused_before_pillow_would_warn() -> None:
    # 8000 × 7000 = 56 megapixels: over our limit, under Pillow's own warning (89).
    assert MAX_SOURCE_PIXELS < 8000 * 7000
    assert refusal(png_declaring(8000, 7000)) == "too_many_pixels"
    assert refusal(jpeg_declaring(8000, 7000)) == "too_many_pixels"


def test_a_complete_png_of_zeros_that_would_decode_is_refused() -> None:
    # A valid, decodable PNG: 8000 × 7000 black pixels (56 MB once decoded) in ~60 KB.
    width, height = 8000, 7000
    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + one byte per grey pixel
    body = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = png_declaring(width, height)
    idat_at = header.index(b"IDAT") - 4
    idat = (
        struct.pack(">I", len(body))
        + b"IDAT"
        + body
        + struct.pack(">I", zlib.crc32(b"IDAT" + body) & 0xFFFFFFFF)
    )
    bomb = header[:idat_at] + idat + header[-12:]
    assert len(bomb) < 200_000
    assert Image.open(io.BytesIO(bomb)).size == (width, height)  # Pillow alone would open it

    assert refusal(bomb) == "too_many_pixels"


def test_an_oversized_upload_is_refused_by_its_length() -> None:
    data = phone_jpeg() + b"\x00" * (MAX_UPLOAD_BYTES + 1)

    assert refusal(data) == "too_large"
    at_the_limit = phone_jpeg() + b"\x00" * (MAX_UPLOAD_BYTES - len(phone_jpeg()))
    assert process_photo(at_the_limit).width == 400  # trailing bytes after the image


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, id="heic"),
        pytest.param(b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1" + b"\x00" * 64, id="avif"),
        pytest.param(b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 64, id="tiff"),
    ],
)
def test_photo_formats_we_do_not_take_say_so(data: bytes) -> None:
    with pytest.raises(PhotoRefused) as caught:
        process_photo(data)

    assert caught.value.code == "unsupported"
    assert "Most compatible" in str(caught.value)


def test_a_real_bmp_is_unsupported_not_decoded() -> None:
    assert refusal(encoded(Image.new("RGB", (10, 10), "red"), "BMP")) == "unsupported"


@pytest.mark.parametrize(
    ("image", "format"),
    [
        pytest.param(Image.new("CMYK", (3200, 100), (0, 255, 255, 0)), "JPEG", id="cmyk-jpeg"),
        pytest.param(Image.new("P", (3200, 100), 3), "PNG", id="palette-png"),
        pytest.param(Image.new("L", (3200, 100), 90), "PNG", id="greyscale-png"),
        pytest.param(Image.new("I;16", (3200, 100), 30000), "PNG", id="16-bit-png"),
    ],
)
def test_other_colour_modes_come_out_as_rgb_jpeg_within_the_limit(
    image: Image.Image, format: str
) -> None:
    photo = process_photo(encoded(image, format))

    back = Image.open(io.BytesIO(photo.data))
    assert (photo.media_type, back.mode) == ("image/jpeg", "RGB")
    assert back.size == (photo.width, photo.height) == (MAX_SIDE, 50)


def test_a_png_is_turned_by_its_exif_chunk_too() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 8  # a quarter turn anticlockwise to display
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(GPS)
    source = Image.new("RGBA", (300, 100), (0, 0, 200, 128))  # see-through blue
    source.paste((200, 0, 0, 255), (0, 0, 150, 100))  # red left half
    photo = process_photo(encoded(source, "PNG", exif=exif))

    back = Image.open(io.BytesIO(photo.data))
    assert photo.media_type == "image/png" and back.size == (100, 300)
    assert back.getpixel((50, 250))[0] > 180  # the left half went to the bottom
    assert len(back.getexif()) == 0 and b"eXIf" not in photo.data


def test_an_opaque_screenshot_with_an_alpha_channel_becomes_a_jpeg() -> None:
    screenshot = Image.new("RGBA", (1080, 2400), (250, 250, 250, 255))

    photo = process_photo(encoded(screenshot, "PNG"))

    assert (photo.media_type, photo.width, photo.height) == ("image/jpeg", 720, MAX_SIDE)
