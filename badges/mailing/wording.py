"""What a notification e-mail says, in French and in English.

A bilingual table rather than gettext: the e-mail is written by ``chemins worker``,
outside any web request, and carries both languages (the community's first, the other
below), so it needs the two texts side by side, not the one of a request's locale. The
texts are short and plain, name the badge but never the evidence, a comment or a
reason (those may be private: the person reads them in Chemins), and link nowhere:
Chemins opens from the course, inside the learning platform, never from a link in a
mailbox (which would skip the platform's login and could be forged by a phishing mail).
"""

from __future__ import annotations

from dataclasses import dataclass

from badges.recognition import notifying as n

LANGUAGES = ("fr", "en")
#: Between the two languages (not "-- ", which mail readers take for a signature and fold).
SEPARATOR = "-" * 40


@dataclass(frozen=True)
class Text:
    subject: str
    #: ``{badge}`` is the badge's name, ``{person}`` the person a reviewer hears about.
    body: str


@dataclass(frozen=True)
class Common:
    greeting: str
    closing: str
    unnamed_badge: str
    unnamed_person: str
    why: str


COMMON = {
    "fr": Common(
        greeting="Bonjour,",
        closing="Ouvrez Chemins depuis votre formation pour voir le détail.",
        unnamed_badge="sans nom",
        unnamed_person="Une personne de votre formation",
        why=(
            "Vous recevez ce message parce que votre plateforme de formation a transmis "
            "votre adresse à Chemins."
        ),
    ),
    "en": Common(
        greeting="Hello,",
        closing="Open Chemins from your course to see it.",
        unnamed_badge="no name",
        unnamed_person="Someone in your course",
        why="You receive this message because your learning platform shared your address "
        "with Chemins.",
    ),
}

TEXTS: dict[str, dict[str, Text]] = {
    n.REQUEST_SUBMITTED: {
        "fr": Text(
            "Chemins : une demande de badge attend votre avis",
            "{person} demande le badge « {badge} ». La demande attend votre avis.",
        ),
        "en": Text(
            "Chemins: a badge request is waiting for you",
            "{person} asks for the badge “{badge}”. The request is waiting for your review.",
        ),
    },
    n.REQUEST_UPDATED: {
        "fr": Text(
            "Chemins : une demande de badge a été complétée",
            "{person} a complété sa demande du badge « {badge} ». Elle attend votre avis.",
        ),
        "en": Text(
            "Chemins: a badge request was completed",
            "{person} added to the request for the badge “{badge}”. It is waiting for your review.",
        ),
    },
    n.REQUEST_TO_CONFIRM: {
        "fr": Text(
            "Chemins : une demande de badge est à confirmer",
            "Une demande du badge « {badge} » a été préparée avec vous. "
            "Confirmez-la pour qu'elle soit envoyée.",
        ),
        "en": Text(
            "Chemins: a badge request to confirm",
            "A request for the badge “{badge}” was prepared with you. "
            "Confirm it so that it is sent.",
        ),
    },
    n.CHANGES_REQUESTED: {
        "fr": Text(
            "Chemins : votre demande de badge est à compléter",
            "On vous demande d'ajouter quelque chose à votre demande du badge « {badge} ».",
        ),
        "en": Text(
            "Chemins: please add to your badge request",
            "You are asked to add something to your request for the badge “{badge}”.",
        ),
    },
    n.REQUEST_ACCEPTED: {
        "fr": Text(
            "Chemins : votre demande de badge a été acceptée",
            "Votre demande du badge « {badge} » a été acceptée : le badge est à vous.",
        ),
        "en": Text(
            "Chemins: your badge request was accepted",
            "Your request for the badge “{badge}” was accepted: the badge is yours.",
        ),
    },
    n.REQUEST_DECLINED: {
        "fr": Text(
            "Chemins : réponse à votre demande de badge",
            "Votre demande du badge « {badge} » n'a pas été acceptée. "
            "La raison est expliquée dans Chemins.",
        ),
        "en": Text(
            "Chemins: an answer to your badge request",
            "Your request for the badge “{badge}” was not accepted. "
            "The reason is explained in Chemins.",
        ),
    },
    n.BADGE_AWARDED: {
        "fr": Text(
            "Chemins : vous avez reçu un badge",
            "Vous avez reçu le badge « {badge} ». Bravo !",
        ),
        "en": Text(
            "Chemins: you received a badge",
            "You received the badge “{badge}”. Well done!",
        ),
    },
    n.BADGE_REVOKED: {
        "fr": Text(
            "Chemins : un badge vous a été retiré",
            "Le badge « {badge} » vous a été retiré. La raison est expliquée dans Chemins.",
        ),
        "en": Text(
            "Chemins: a badge was withdrawn",
            "The badge “{badge}” was withdrawn from you. The reason is explained in Chemins.",
        ),
    },
    n.PROPOSAL_SUBMITTED: {
        "fr": Text(
            "Chemins : un nouveau badge est proposé",
            "{person} propose un nouveau badge : « {badge} ». La proposition attend votre avis.",
        ),
        "en": Text(
            "Chemins: a new badge is proposed",
            "{person} proposes a new badge: “{badge}”. The proposal is waiting for your review.",
        ),
    },
    n.PROPOSAL_CHANGES_REQUESTED: {
        "fr": Text(
            "Chemins : votre proposition de badge est à modifier",
            "On vous demande de modifier votre proposition de badge « {badge} ».",
        ),
        "en": Text(
            "Chemins: please change your badge proposal",
            "You are asked to change your badge proposal “{badge}”.",
        ),
    },
    n.PROPOSAL_PUBLISHED: {
        "fr": Text(
            "Chemins : votre badge est publié",
            "Votre proposition « {badge} » est acceptée : le badge est publié, "
            "et votre nom figure parmi ses créateurs.",
        ),
        "en": Text(
            "Chemins: your badge is published",
            "Your proposal “{badge}” was accepted: the badge is published, "
            "with your name among its creators.",
        ),
    },
    n.PROPOSAL_DECLINED: {
        "fr": Text(
            "Chemins : réponse à votre proposition de badge",
            "Votre proposition de badge « {badge} » n'a pas été retenue. "
            "La raison est expliquée dans Chemins.",
        ),
        "en": Text(
            "Chemins: an answer to your badge proposal",
            "Your badge proposal “{badge}” was not accepted. The reason is explained in Chemins.",
        ),
    },
}


def language_order(language: str | None) -> tuple[str, str]:
    """The community's language first (French when it is neither), the other second."""
    first = language if language in LANGUAGES else "fr"
    return (first, "en" if first == "fr" else "fr")


def _one_line(value: str | None) -> str | None:
    """A name as one line: a badge or person name never breaks the e-mail's layout."""
    if value is None:
        return None
    flat = " ".join(value.split())
    return flat or None


def subject(kind: str, language: str | None) -> str:
    return TEXTS[kind][language_order(language)[0]].subject


def body(kind: str, language: str | None, badge: str | None, person: str | None) -> str:
    """The plain-text body: greeting, news, closing, in each language, first one first."""
    parts = []
    for lang in language_order(language):
        common = COMMON[lang]
        news = TEXTS[kind][lang].body.format(
            badge=_one_line(badge) or common.unnamed_badge,
            person=_one_line(person) or common.unnamed_person,
        )
        parts.append(f"{common.greeting}\n\n{news}\n\n{common.closing}\n\n{common.why}")
    return f"\n\n{SEPARATOR}\n\n".join(parts) + "\n"
