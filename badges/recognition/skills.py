"""The transversal (soft) skills a badge class can be aligned to, in French and English.

A badge says what someone can do; an alignment says which recognised skill that is, so
that an employer or a backpack reading the badge elsewhere understands it. Chemins
aligns to ESCO, the European Union's multilingual skills classification, because its
transversal skills ("work in teams", "show initiative"...) are the ones the people who
use Chemins show, and because each one has a stable public URI
(``http://data.europa.eu/esco/skill/<uuid>``) that resolves to its definition in every
EU language. Every alignment points at its own concept, never at a generic ESCO page.

The list ships as package data (``data/soft_skills.json``) rather than being fetched:
ESCO publishes no small transversal-skills package, and a badge must be creatable offline.
Its provenance, recorded in the file:

- every uuid is a real ESCO concept (the twenty of ``reference/recognition-landscape.md``
  §6, and others checked against ESCO's published CSV files, v1.0 and v1.2);
- English labels are ESCO v1.2 preferred labels;
- French labels marked ``fr_source: "esco-1.0"`` are ESCO's official French preferred
  labels (from ESCO v1.0, whose English label is unchanged in v1.2); those marked
  ``"chemins"`` are our own faithful rendering, for concepts ESCO added or renamed later;
- the ``category`` is Chemins' grouping after ESCO's six transversal groups (core,
  thinking, self-management, social and communication, physical and manual, life), not
  ESCO's own placement of each skill.

ESCO content © European Union, reused under CC BY 4.0.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from badges.recognition.badge_classes import AlignmentTarget

#: What every skill's URI starts with; the rest is the concept's uuid.
ESCO_SKILL_BASE = "http://data.europa.eu/esco/skill/"
#: The language a label falls back to when the asked one is missing.
FALLBACK_LANGUAGE = "en"
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Category:
    """One of the six transversal groups (``key`` such as ``"social-communication"``)."""

    key: str
    esco_group: str
    #: Read-only; left out of equality and hashing (the key says which group it is).
    labels: Mapping[str, str] = field(compare=False)


@dataclass(frozen=True)
class Skill:
    """An ESCO transversal skill: its uuid, its concept URI, its labels by language."""

    id: str
    uri: str
    #: ``{"en": ..., "fr": ...}``, read-only; left out of equality and hashing (the id rules).
    labels: Mapping[str, str] = field(compare=False)
    category: Category = field(compare=False)
    #: Where the French label comes from: ``"esco-1.0"`` (ESCO's own) or ``"chemins"``.
    fr_source: str = field(default="chemins", compare=False)


@dataclass(frozen=True)
class SkillList:
    """The whole shipped list: the framework it follows, its groups and its skills."""

    framework: str
    categories: tuple[Category, ...]
    skills: tuple[Skill, ...]


def _labels(entry: dict[str, Any]) -> MappingProxyType[str, str]:
    return MappingProxyType({lang: entry[lang] for lang in ("en", "fr")})


def _parse(document: dict[str, Any]) -> SkillList:
    categories = {
        c["key"]: Category(c["key"], c["esco_group"], _labels(c)) for c in document["categories"]
    }
    skills = []
    for entry in document["skills"]:
        if not _UUID.match(entry["id"]) or entry["uri"] != ESCO_SKILL_BASE + entry["id"]:
            raise ValueError(f"not an ESCO skill URI: {entry['uri']!r}")
        skills.append(
            Skill(
                id=entry["id"],
                uri=entry["uri"],
                labels=_labels(entry),
                category=categories[entry["category"]],
                fr_source=entry["fr_source"],
            )
        )
    return SkillList(document["framework"], tuple(categories.values()), tuple(skills))


@cache
def skill_list() -> SkillList:
    """The shipped list, read once per process from the package data."""
    text = (
        resources.files("badges.recognition.data")
        .joinpath("soft_skills.json")
        .read_text(encoding="utf-8")
    )
    return _parse(json.loads(text))


def all_skills() -> tuple[Skill, ...]:
    """Every skill, in the file's order (the reference twenty first)."""
    return skill_list().skills


def categories() -> tuple[Category, ...]:
    """The six groups, in ESCO's order (core, thinking, ... life)."""
    return skill_list().categories


@cache
def _by_id() -> dict[str, Skill]:
    return {s.id: s for s in all_skills()}


def skill(skill_id: str) -> Skill | None:
    """The skill with this uuid (or its full ESCO URI), ``None`` for anything else."""
    if skill_id.startswith(ESCO_SKILL_BASE):
        skill_id = skill_id[len(ESCO_SKILL_BASE) :]
    return _by_id().get(skill_id)


def label(item: Skill | Category, language: str | None) -> str:
    """``item``'s label in ``language`` (``"fr"``, ``"fr-FR"``, ``"en"``...), else English."""
    primary = (language or FALLBACK_LANGUAGE).split("-")[0].split("_")[0].lower()
    return item.labels.get(primary) or item.labels[FALLBACK_LANGUAGE]


def alignment_target(chosen: Skill, language: str | None) -> AlignmentTarget:
    """The OB alignment for ``chosen``, named in the badge's language, linked to its URI."""
    return AlignmentTarget(
        target_name=label(chosen, language),
        target_url=chosen.uri,
        target_framework=skill_list().framework,
        target_code=chosen.id,
    )
