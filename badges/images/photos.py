"""Phone photos sent as evidence: decoded with limits, turned upright, stripped, shrunk.

A learner documents a skill with photos straight from the phone camera. Those files are
hostile input until proven otherwise, and they carry more than pixels: a phone writes the
place the picture was taken (EXIF GPS), the device, sometimes the owner's name. So every
photo is identified by its content (never by its name or declared type), its size is
checked in bytes and then in pixels *before* anything is decoded (a 40 KB PNG can declare
a 30000×30000 picture: a decompression bomb), it is turned the way the phone held it
(EXIF orientation), resized to a sensible screen size and re-encoded from the pixels
alone, so no metadata survives.

The limits live here, once: ``uploaded_images`` (badge pictures) reuses ``open_checked``.
"""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# A 12-megapixel phone JPEG is 3-8 MB; a 48-megapixel "high resolution" one about 12-15.
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# 48-megapixel phone sensors exist; beyond ~50 megapixels it is not a phone photo.
MAX_SOURCE_PIXELS = 50_000_000
# Longest side after resizing: sharp on any screen, about 300-500 KB as JPEG.
MAX_SIDE = 1600
JPEG_QUALITY = 82

# Decoders we run on uploads. Pillow knows some forty formats; each extra parser is attack
# surface, and a browser must be able to show what we store.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")

# Photo formats people do send but that we do not decode, recognised by their first bytes
# so the message can say what to do instead of "not an image".
_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif")
_OTHER_IMAGE_SIGNATURES = (
    b"II*\x00",  # TIFF, little-endian (also many camera RAW files)
    b"MM\x00*",  # TIFF, big-endian
    b"BM",  # Windows bitmap
)


# The exception class a caller wants refusals raised as: called with (code, message).
Refusal = Callable[[str, str], Exception]


class PhotoRefused(ValueError):
    """An upload that is not stored. ``code`` says why; the web layer words it for people.

    Codes: ``not_an_image`` (not a picture we can read, or damaged), ``too_large`` (bytes),
    ``too_many_pixels`` (declared dimensions beyond ``MAX_SOURCE_PIXELS``), ``unsupported``
    (a picture in a format we do not take, such as an iPhone's HEIC).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Photo:
    """A photo ready to store and serve: re-encoded bytes without any metadata."""

    data: bytes
    media_type: str  # "image/jpeg", or "image/png" when the source had transparency
    width: int
    height: int


def process_photo(data: bytes) -> Photo:
    """Check, decode, turn upright, shrink to ``MAX_SIDE`` and re-encode ``data``.

    Raises ``PhotoRefused`` for anything that is not a readable JPEG, PNG, WebP or GIF
    (first frame) within the limits. The result carries no EXIF, GPS, XMP, ICC profile
    or comment: only pixels.
    """
    with open_checked(data, PhotoRefused) as image:
        if image.format == "JPEG":
            # Let libjpeg scale by 1/2, 1/4 or 1/8 while decoding (DCT scaling): a
            # 12-megapixel photo is then never held in memory at full size. The request
            # keeps the aspect ratio so the longest side stays >= MAX_SIDE.
            image.draft("RGB", _draft_size(image.size))
        picture = decoded(image, PhotoRefused)
        alpha = has_alpha(picture)
        mode = "RGBA" if alpha else "RGB"
        if picture.mode != mode:  # palette (GIF), greyscale, CMYK: resample in colour
            picture = converted(picture, mode, PhotoRefused)
        # Shrink, then turn: the same result (the box is square), a smaller transpose.
        picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        if alpha and picture.getchannel("A").getextrema()[0] == 255:
            # Fully opaque, as most screenshots: a JPEG is several times smaller.
            alpha, picture = False, picture.convert("RGB")
        clean = pixels_only(upright(picture))
    out = io.BytesIO()
    if alpha:
        clean.save(out, format="PNG")
    else:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return Photo(out.getvalue(), "image/png" if alpha else "image/jpeg", clean.width, clean.height)


@contextmanager
def open_checked(data: bytes, refusal: Refusal) -> Iterator[Image.Image]:
    """``data`` opened as an accepted format within the limits, not yet decoded.

    Only the header has been read when the caller gets the image, so the caller can
    still ask the decoder to scale (``draft``). The image is closed on leaving. Raises
    ``refusal(code, message)``: the caller's exception class, so photos and badge
    pictures each refuse in their own terms with the same limits.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise refusal("too_large", f"{len(data)} bytes, more than {MAX_UPLOAD_BYTES}")
    if not data:
        raise refusal("not_an_image", "empty file")
    try:
        with warnings.catch_warnings():
            # Pillow warns past 89 megapixels and refuses past twice that; our own limit
            # below is lower, this is the second net.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise refusal("too_many_pixels", str(error)) from error
    except UnidentifiedImageError as error:
        if _known_but_unsupported(data):
            raise refusal(
                "unsupported",
                "a picture format we do not take (HEIC, AVIF, TIFF, BMP): send a JPEG; "
                "on iPhone, Settings > Camera > Formats > Most compatible",
            ) from error
        raise refusal("not_an_image", "not a JPEG, PNG, WebP or GIF picture") from error
    except (OSError, ValueError, SyntaxError, EOFError) as error:  # damaged headers
        raise refusal("not_an_image", f"unreadable picture: {error}") from error
    with image:
        width, height = image.size
        if width < 1 or height < 1 or width * height > MAX_SOURCE_PIXELS:
            raise refusal(
                "too_many_pixels", f"{width}x{height} is more than {MAX_SOURCE_PIXELS} pixels"
            )
        yield image


def decoded(image: Image.Image, refusal: Refusal) -> Image.Image:
    """``image`` with its pixels loaded (first frame only), or a refusal if it is damaged.

    Use the result inside ``open_checked``'s block: leaving it closes the image.
    """
    try:
        image.seek(0)
        image.load()
        return image
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        # Pillow raises OSError for truncated files ("image file is truncated").
        raise refusal("not_an_image", f"damaged picture: {error}") from error


def pixels_only(image: Image.Image) -> Image.Image:
    """A new image with ``image``'s pixels and nothing else (no EXIF, ICC, XMP, comment).

    Encoders copy some of ``info`` (PNG keeps the ICC profile, JPEG the comment); a fresh
    image has none, whatever the Pillow version.
    """
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    return clean


def _draft_size(size: tuple[int, int]) -> tuple[int, int]:
    """The smallest size, in ``size``'s proportions, whose longest side is ``MAX_SIDE``."""
    width, height = size
    scale = MAX_SIDE / max(width, height)
    if scale >= 1:
        return size
    return max(1, int(width * scale)), max(1, int(height * scale))


def upright(image: Image.Image) -> Image.Image:
    """``image`` turned the way the camera was held (EXIF orientation).

    A damaged EXIF block leaves the picture as decoded: the metadata is dropped anyway,
    and a sideways photo is better than a refused one.
    """
    try:
        return ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, struct.error):
        return image


def converted(image: Image.Image, mode: str, refusal: Refusal) -> Image.Image:
    """``image`` in ``mode``, or a refusal for the rare modes Pillow cannot convert."""
    try:
        return image.convert(mode)
    except (OSError, ValueError) as error:
        raise refusal("unsupported", f"cannot convert {image.mode} to {mode}") from error


def has_alpha(image: Image.Image) -> bool:
    """Whether ``image`` has transparency to keep (then it is stored as PNG, not JPEG)."""
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode in ("P", "L", "RGB") and "transparency" in image.info
    )


def _known_but_unsupported(data: bytes) -> bool:
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return True
    return data.startswith(_OTHER_IMAGE_SIGNATURES)
