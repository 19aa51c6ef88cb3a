"""The icons the badge designer offers: a short list chosen for social centres and youth work.

The glyphs come from Font Awesome Free's solid font, shipped by the ``fontawesomefree``
wheel (icons CC BY 4.0, font SIL OFL 1.1; docs/decisions/0025). Some two thousand icons
would drown a volunteer choosing one on a phone, so the designer offers these few, named
in both languages here: the form shows the label of the person's locale without a
translation catalogue, and the key stays stable in stored designs.

Each codepoint was read from the package's ``metadata/icons.json``; a test checks them
against it, so an upgrade that moves a glyph fails loudly instead of drawing another one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

FONT_PACKAGE = "fontawesomefree"
FONT_RESOURCE = "static/fontawesomefree/webfonts/fa-solid-900.ttf"
METADATA_RESOURCE = "static/fontawesomefree/metadata/icons.json"
ATTRIBUTION = "Font Awesome Free (CC BY 4.0)"


@dataclass(frozen=True)
class Icon:
    """One icon: its Font Awesome name (our key), its glyph, and what people read."""

    key: str
    codepoint: int
    label_en: str
    label_fr: str

    @property
    def glyph(self) -> str:
        return chr(self.codepoint)

    def label(self, locale: str) -> str:
        """The label in ``locale`` ("fr", "fr_FR", "en"...); English otherwise."""
        return self.label_fr if locale.lower().startswith("fr") else self.label_en


ICONS: tuple[Icon, ...] = (
    Icon("microphone", 0xF130, "Microphone", "Micro"),
    Icon("radio", 0xF8D7, "Radio", "Radio"),
    Icon("bullhorn", 0xF0A1, "Megaphone", "Mégaphone"),
    Icon("comments", 0xF086, "Conversation", "Discussion"),
    Icon("people-group", 0xE533, "Group", "Groupe"),
    Icon("handshake", 0xF2B5, "Handshake", "Poignée de main"),
    Icon("hand-holding-heart", 0xF4BE, "Helping hand", "Main tendue"),
    Icon("heart", 0xF004, "Heart", "Cœur"),
    Icon("laptop", 0xF109, "Computer", "Ordinateur"),
    Icon("video", 0xF03D, "Video camera", "Caméra"),
    Icon("camera", 0xF030, "Camera", "Appareil photo"),
    Icon("music", 0xF001, "Music", "Musique"),
    Icon("palette", 0xF53F, "Palette", "Palette"),
    Icon("paintbrush", 0xF1FC, "Paintbrush", "Pinceau"),
    Icon("scissors", 0xF0C4, "Scissors", "Ciseaux"),
    Icon("utensils", 0xF2E7, "Cooking", "Cuisine"),
    Icon("screwdriver-wrench", 0xF7D9, "Tools", "Outils"),
    Icon("puzzle-piece", 0xF12E, "Puzzle piece", "Pièce de puzzle"),
    Icon("lightbulb", 0xF0EB, "Idea", "Idée"),
    Icon("book-open", 0xF518, "Open book", "Livre ouvert"),
    Icon("seedling", 0xF4D8, "Seedling", "Jeune pousse"),
    Icon("leaf", 0xF06C, "Leaf", "Feuille"),
    Icon("bicycle", 0xF206, "Bicycle", "Vélo"),
    Icon("earth-europe", 0xF7A2, "Europe", "Europe"),
    Icon("scale-balanced", 0xF24E, "Justice", "Justice"),
    Icon("star", 0xF005, "Star", "Étoile"),
)

BY_KEY: dict[str, Icon] = {icon.key: icon for icon in ICONS}


@cache
def font_bytes() -> bytes:
    """The solid Font Awesome TTF, read once from the installed package."""
    return (files(FONT_PACKAGE) / FONT_RESOURCE).read_bytes()
