"""A badge picture uploaded by a trainer or a member, made safe to bake and to serve.

A badge image is served to anyone, baked into every award and shown by backpacks, so what
a person uploads is never kept as given. It is identified by content (PNG, JPEG or WebP),
held to the same byte and pixel limits as evidence photos (``photos``, one place for
limits), and redrawn: fitted inside a 512×512 transparent square and re-encoded as PNG
from its pixels alone, so no metadata and no unexpected chunk reaches a backpack.

SVG is refused outright. An SVG is a document that can carry scripts, external
references and CSS; cleaning one safely is a project of its own, and the badge designer
already produces a picture for people without graphics skills. The refusal has its own
code so the message can point there ("use the designer, or send a PNG or JPEG").
"""

from __future__ import annotations

import io

from PIL import Image

from badges.images.photos import (
    converted,
    decoded,
    has_alpha,
    open_checked,
    pixels_only,
    upright,
)

SIZE = 512
ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP")


class ImageRefused(ValueError):
    """A badge picture that is not used. ``code`` says why; the web layer words it.

    Codes: those of ``photos.PhotoRefused`` (``not_an_image``, ``too_large``,
    ``too_many_pixels``, ``unsupported``) and ``svg``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def badge_image_from_upload(data: bytes) -> bytes:
    """A 512×512 RGBA PNG made from the uploaded ``data``, or ``ImageRefused``.

    The picture keeps its proportions, centred, with transparent padding; a small one is
    enlarged to fill the square (badges are shown at 512 px and downscaled by viewers).
    """
    if looks_like_svg(data):
        raise ImageRefused("svg", "SVG badge pictures are not taken: use the designer")
    with open_checked(data, ImageRefused) as image:
        if image.format not in ACCEPTED_FORMATS:  # a GIF: photos take it, badges do not
            raise ImageRefused("unsupported", f"{image.format} is not a badge picture format")
        if image.format == "JPEG":
            image.draft("RGB", (SIZE, SIZE))
        picture = upright(decoded(image, ImageRefused))
        picture = converted(picture, "RGBA" if has_alpha(picture) else "RGB", ImageRefused)
        scale = SIZE / max(picture.size)
        fitted = picture.resize(
            (max(1, round(picture.width * scale)), max(1, round(picture.height * scale))),
            Image.Resampling.LANCZOS,
        )
    square = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    square.paste(fitted, ((SIZE - fitted.width) // 2, (SIZE - fitted.height) // 2))
    out = io.BytesIO()
    pixels_only(square).save(out, format="PNG", optimize=True)
    return out.getvalue()


def looks_like_svg(data: bytes) -> bool:
    """Whether ``data`` is (or pretends to be) an SVG or other XML document.

    Looked at in the first kilobytes only, after a byte-order mark and white space: any
    XML, doctype or ``<svg`` start counts, so an SVG without an XML declaration, or one
    whose root hides behind comments, is caught too. Pillow would refuse it anyway ("not
    an image"); naming it lets the message say what to do instead.
    """
    head = data[:4096]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    head = head.replace(b"\x00", b"").lstrip().lower()
    return head.startswith((b"<?xml", b"<!doctype svg", b"<svg", b"<!--")) and b"<svg" in head
