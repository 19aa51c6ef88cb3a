"""What a baked image carries, and how each Open Badges version names it.

PNG and SVG baking differ in bytes but agree on meaning: one badge per image, in a
chunk or element whose name says the version (``openbadges`` for 2.0,
``openbadgecredential`` for 3.0). This module holds that shared vocabulary so the two
format modules and the verifier read the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Version = Literal["2.0", "3.0"]

PNG_KEYWORDS: dict[Version, str] = {"2.0": "openbadges", "3.0": "openbadgecredential"}
SVG_NAMESPACES: dict[Version, str] = {
    "2.0": "http://openbadges.org",
    "3.0": "https://purl.imsglobal.org/ob/v3p0",
}
SVG_ELEMENTS: dict[Version, str] = {"2.0": "assertion", "3.0": "credential"}


@dataclass(frozen=True)
class BakedBadge:
    """The badge found in an image.

    ``data`` is what to verify: a compact JWS/VC-JWT, badge JSON text, or a URL (the
    pre-2013 ``tEXt`` chunk held only the hosted Assertion's URL). ``url`` is the hosted
    URL when the image states one apart from the data (the SVG ``verify`` attribute of a
    hosted 2.0 badge, or the legacy ``tEXt`` URL).
    """

    version: Version
    data: str
    image_format: Literal["png", "svg"]
    url: str | None = None
