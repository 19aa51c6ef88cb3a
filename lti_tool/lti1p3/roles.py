"""From LTI role URIs to the three roles Chemins knows: learner, trainer, admin.

Platforms send a mix of context roles (``membership#Instructor``), sub-roles
(``membership/Instructor#TeachingAssistant``), institution and system roles, deprecated
short names (``Instructor``; the certification suite sends them) and roles nobody
registered. The mapping is deliberately least-privilege: anything not recognised as
teaching or administering makes a learner, and ``None`` roles (Open edX sends
``system/person#None`` to everybody) count for nothing.

Open edX (xblock-lti-consumer) role table, as mapped here:

=====================  ========================================================  =======
Open edX role          LTI roles sent                                            Chemins
=====================  ========================================================  =======
instructor             membership#Administrator, membership#Instructor          trainer
staff, limited_staff   membership#Instructor                                     trainer
global_staff           system and institution Administrator (+ Instructor)       admin
student, guest, beta   membership#Learner                                        learner
Community TA           Learner + membership/Instructor#TeachingAssistant         trainer
=====================  ========================================================  =======
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

LEARNER = "learner"
TRAINER = "trainer"
ADMIN = "admin"

#: Rank used to compare roles: a page that needs a trainer also lets an admin in.
RANK = {LEARNER: 0, TRAINER: 1, ADMIN: 2}

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
MEMBERSHIP = LIS + "membership"
INSTITUTION = LIS + "institution/person"
SYSTEM = LIS + "system/person"
DEPRECATED_PERSON = LIS + "person"

#: Context roles (and their sub-roles) that teach or run the course.
TEACHING = frozenset({"Instructor", "ContentDeveloper", "Administrator", "TeachingAssistant"})


@dataclass(frozen=True)
class Role:
    """One role URI split into its vocabulary, name and optional sub-role."""

    vocabulary: str  # membership | institution | system | unknown
    name: str
    sub_role: str | None = None


def parse_role(value: str) -> Role:
    """Split a role URI; a bare short name (``Instructor``) is a context role."""
    text = value.strip()
    if text.startswith(MEMBERSHIP + "/"):
        # membership/Instructor#TeachingAssistant
        parent, _, sub = text[len(MEMBERSHIP) + 1 :].partition("#")
        return Role("membership", parent, sub or None)
    if text.startswith(MEMBERSHIP + "#"):
        return Role("membership", text.partition("#")[2])
    if text.startswith(INSTITUTION + "#") or text.startswith(DEPRECATED_PERSON + "#"):
        return Role("institution", text.partition("#")[2])
    if text.startswith(SYSTEM + "#"):
        return Role("system", text.partition("#")[2])
    if "/" not in text and ":" not in text:
        # Deprecated short names; "Instructor#TeachingAssistant" is a short sub-role.
        parent, _, sub = text.partition("#")
        return Role("membership", parent, sub or None)
    return Role("unknown", text)


def role_of(value: str) -> str:
    """The Chemins role one LTI role grants on its own."""
    role = parse_role(value)
    if role.vocabulary in ("system", "institution") and role.name == "Administrator":
        return ADMIN
    if role.vocabulary == "membership" and role.name in TEACHING:
        # The parent decides: Instructor#TeachingAssistant teaches, Learner#Instructor
        # (a learner sub-role in LIS) does not.
        return TRAINER
    return LEARNER


def chemins_role(roles: Iterable[str]) -> str:
    """The highest Chemins role any of ``roles`` grants; no role at all makes a learner."""
    best = LEARNER
    for value in roles:
        candidate = role_of(value)
        if RANK[candidate] > RANK[best]:
            best = candidate
    return best


def at_least(role: str, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may do (admin ⊇ trainer ⊇ learner)."""
    return RANK.get(role, -1) >= RANK[needed]
