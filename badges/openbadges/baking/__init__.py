"""Baking: carrying a badge inside its own image (PNG or SVG), and reading it back.

A baked image is the badge a learner can download, e-mail or upload to a backpack:
the picture and the verifiable data travel together. :func:`bake` and :func:`unbake`
pick the format from the image bytes; :mod:`.png` and :mod:`.svg` do the work.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from badges.openbadges.baking import png, svg
from badges.openbadges.baking.baked import BakedBadge, Version
from badges.openbadges.errors import UnusableInput

__all__ = ["BakedBadge", "Version", "bake", "unbake"]


def _badge_text(badge: str | Mapping[str, Any]) -> str:
    if isinstance(badge, Mapping):
        return json.dumps(dict(badge), separators=(",", ":"), ensure_ascii=False)
    return badge


def bake(image: bytes, badge: str | Mapping[str, Any], *, version: Version = "2.0") -> bytes:
    """Bake ``badge`` (a compact JWS / VC-JWT, JSON text, or a dict) into a PNG or SVG.

    Raises :class:`UnusableInput` when the image is neither a sound PNG nor an SVG.
    """
    text = _badge_text(badge)
    if png.is_png(image):
        return png.bake(image, text, version=version)
    if svg.is_svg(image):
        return svg.bake(image, text, version=version)
    if image.startswith(png.JPEG_SIGNATURE):
        raise UnusableInput("a JPEG image cannot carry an Open Badge; use PNG or SVG")
    raise UnusableInput("only PNG and SVG images can carry an Open Badge")


def unbake(image: bytes) -> BakedBadge | None:
    """The badge baked into a PNG or SVG, or None when the image carries none."""
    if png.is_png(image):
        return png.unbake(image)
    if svg.is_svg(image):
        return svg.unbake(image)
    if image.startswith(png.JPEG_SIGNATURE):
        raise UnusableInput("this is a JPEG image; Open Badges are baked only into PNG or SVG")
    raise UnusableInput("only PNG and SVG images can carry an Open Badge")
