"""From LTI role URIs to the roles Chemins knows (:mod:`badges.roles`): learner, trainer, admin.

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
Community TA           Learner + membership/Instructor#TeachingAssistant         learner (*)
=====================  ========================================================  =======

(*) A teaching assistant who is also a Learner of the course (Open edX's forum "Community
TA", "Group Moderator") is a learner: Open edX itself refuses them Deep Linking, and
they are in the course to learn. A community that wants its assistants to award turns
``Community.teaching_assistants_award`` on, and they are trainers (decision 0018). A
teaching assistant who is not also a Learner, and any Instructor, stays a trainer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from badges.roles import ADMIN, LEARNER, RANK, TRAINER, CourseRole

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


def role_of(value: str) -> CourseRole:
    """The Chemins role one LTI role grants on its own."""
    role = parse_role(value)
    if role.vocabulary in ("system", "institution") and role.name == "Administrator":
        return ADMIN
    if role.vocabulary == "membership" and role.name in TEACHING:
        # The parent decides: Instructor#TeachingAssistant teaches, Learner#Instructor
        # (a learner sub-role in LIS) does not.
        return TRAINER
    return LEARNER


def _assistant_only(role: Role) -> bool:
    """A teaching role that is only a teaching assistant's."""
    return role.sub_role == "TeachingAssistant" or (
        role.name == "TeachingAssistant" and role.sub_role is None
    )


def teaching_assistant_learner(roles: Iterable[str]) -> bool:
    """Whether the teaching in ``roles`` is only an assistant's, held by a Learner.

    That is the one case where the community's choice decides (Open edX's "Community
    TA": ``membership#Learner`` + ``membership/Instructor#TeachingAssistant``).
    """
    parsed = [parse_role(value) for value in roles]
    teaching = [r for r in parsed if r.vocabulary == "membership" and r.name in TEACHING]
    learner = any(r.vocabulary == "membership" and r.name == "Learner" for r in parsed)
    return learner and bool(teaching) and all(_assistant_only(r) for r in teaching)


def chemins_role(roles: Iterable[str], *, assistants_award: bool = False) -> CourseRole:
    """The highest Chemins role any of ``roles`` grants; no role at all makes a learner.

    A Learner who is only a teaching assistant besides counts as a learner unless the
    community lets teaching assistants award (``assistants_award``).
    """
    values = list(roles)
    best = LEARNER
    for value in values:
        candidate = role_of(value)
        if RANK[candidate] > RANK[best]:
            best = candidate
    if best == TRAINER and not assistants_award and teaching_assistant_learner(values):
        return LEARNER
    return best
