"""The French demo community: a social centre, a three-level family and a few awards.

``chemins demo`` seeds it so that anyone can see every public surface at once (hosted
OB 2.0 JSON, OB 3.0 credentials, the badge page, the JWKS) without an LMS. Seeding is
idempotent: each object is looked up by its natural name first, so running the
command twice creates nothing new and prints the same URLs.

Its awards go to e-mail addresses, to people outside every platform: they point at no
Person, and a demo persona launched from the embedded LMS with the same address finds
them by e-mail (:mod:`badges.platforms.email_trust`), as any award by e-mail is found.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from badges.images.badge_designer import Design, render
from badges.models import Assertion, BadgeClass, Community, Profile
from badges.publishing.public_urls import PublicUrls
from badges.recognition import communities, signing_keys, skills
from badges.recognition.awarding import EvidenceItem, Recipient, award, holding
from badges.recognition.badge_classes import (
    AlignmentTarget,
    Level,
    create_badge_class,
    create_family,
    find_badge_class,
    find_family,
    publish,
    publish_family,
)
from badges.recognition.endorsing import endorse_assertion, endorse_badge_class
from badges.storage.database import transaction
from badges.storage.runtime import Runtime

SLUG = "les-tilleuls"
COMMUNITY = "Centre social Les Tilleuls"
FAMILY = "Place aux jeunes"
PARTNER = "Mairie de Villeneuve-sur-Lot"
#: The demo's alignments: shipped ESCO skills, each linking to its own concept URI.
WORK_IN_TEAMS = "60c78287-22eb-4103-9c8c-28deaa460da0"
SHOW_INITIATIVE = "001115fb-569f-4ee6-8381-c6807ef2527f"


def _esco(skill_id: str) -> AlignmentTarget:
    found = skills.skill(skill_id)
    if found is None:
        raise LookupError(f"ESCO skill {skill_id} is not in the shipped list")
    return skills.alignment_target(found, "fr")


SOCIAL = _esco(WORK_IN_TEAMS)
SELF_MANAGEMENT = _esco(SHOW_INITIATIVE)

LEVELS = (
    Level(
        description="Je donne un coup de main aux actions que les jeunes du quartier organisent.",
        criteria=(
            "Avoir aidé au moins deux fois à une action collective du centre social "
            "(préparation, accueil, rangement).\n"
            "En parler avec un·e animateur·rice : ce que j'ai fait, ce que j'ai appris."
        ),
        alignments=(SOCIAL,),
    ),
    Level(
        description="J'essaie de nouvelles façons de m'engager et je prends une part active.",
        criteria=(
            "Avoir co-animé une activité avec d'autres jeunes.\n"
            "Présenter au groupe ce qui a marché et ce que je ferais autrement."
        ),
        alignments=(SOCIAL, SELF_MANAGEMENT),
    ),
    Level(
        description="Je mène un projet utile au quartier, de l'idée jusqu'au bilan.",
        criteria=(
            "Avoir proposé, préparé et mené un projet avec au moins deux autres personnes.\n"
            "Faire le bilan du projet avec l'équipe du centre social."
        ),
        alignments=(SOCIAL, SELF_MANAGEMENT),
    ),
)

#: The Republic's ABC: Sylvie, citizen ambassador, holds its three levels.
CITIZEN_FAMILY = "ABC de la République"
CITIZEN_LEVELS = (
    Level(
        description="Je participe aux temps d'échange sur la vie du quartier et de la commune.",
        criteria=(
            "Avoir participé à deux réunions publiques ou conseils de quartier.\n"
            "Dire ce que j'y ai appris sur le fonctionnement de la commune."
        ),
        alignments=(_esco("a17286c5-238d-4f0b-bc24-29e9121345de"),),  # listen actively
    ),
    Level(
        description="J'explique à d'autres habitants comment fonctionnent les institutions.",
        criteria=(
            "Avoir présenté une institution (mairie, conseil départemental...) à un groupe.\n"
            "Répondre aux questions du groupe."
        ),
        alignments=(_esco("609a8ac1-9d29-4237-9886-596dbbe7ca8a"),),  # address an audience
    ),
    Level(
        description="Je fais vivre la citoyenneté : j'anime des ateliers avec des jeunes.",
        criteria=(
            "Avoir animé au moins trois ateliers citoyens avec des jeunes.\n"
            "Faire le bilan avec un·e animateur·rice."
        ),
        alignments=(_esco("699e7c26-6502-4e78-a823-3656ff5a5b8b"),),  # instruct others
    ),
)


@dataclass(frozen=True)
class DesignedBadge:
    """A badge of its own (no family), with a picture made by the badge designer."""

    name: str
    description: str
    criteria: str
    design: Design
    skills: tuple[str, ...]


#: Badges a course can ask for: what Nathan does at the youth collective.
WEB_RADIO = "Animer une web radio"
DESIGNED = (
    DesignedBadge(
        WEB_RADIO,
        "Je prépare et j'anime une émission de la web radio du collectif.",
        "Avoir préparé le conducteur d'une émission et l'avoir animée en direct ou en "
        "enregistrement, seul·e ou à plusieurs.\nDire en quelques phrases (ou montrer en "
        "photo) comment cela s'est passé.",
        Design("circle", "blue", "microphone", "Web radio"),
        ("609a8ac1-9d29-4237-9886-596dbbe7ca8a", "60c78287-22eb-4103-9c8c-28deaa460da0"),
    ),
    DesignedBadge(
        "Organiser un événement",
        "J'aide à organiser un événement du quartier, de la préparation au rangement.",
        "Avoir participé à la préparation d'un événement (affiches, installation, accueil) "
        "et à son bilan.",
        Design("hexagon", "orange", "bullhorn", "Événement"),
        ("d9013e0e-e937-43d5-ab71-0e917ee882b8", "b19e0820-a96f-4c0a-a724-3c056180c1b3"),
    ),
    DesignedBadge(
        "Initier aux outils numériques",
        "J'aide des personnes âgées à se servir d'un téléphone ou d'un ordinateur.",
        "Avoir accompagné au moins deux personnes dans une démarche numérique (messagerie, "
        "appel vidéo, site d'un service public).",
        Design("shield", "green", "laptop", "Numérique"),
        ("699e7c26-6502-4e78-a823-3656ff5a5b8b", "77b636e8-fab3-41a8-8022-1e0a354059dc"),
    ),
    DesignedBadge(
        "Prendre la parole en public",
        "Je prends la parole devant un groupe pour présenter un projet ou une idée.",
        "Avoir présenté un projet devant au moins dix personnes et répondu à leurs questions.",
        Design("rosette", "purple", "comments", "Parole"),
        ("609a8ac1-9d29-4237-9886-596dbbe7ca8a", "669b75d8-671c-4a1c-8e0b-6466c513c27d"),
    ),
)

NATHAN = Recipient(email="nathan.demo@example.org", name="Nathan", public=True)
SYLVIE = Recipient(email="sylvie.demo@example.org", name="Sylvie", public=False)


@dataclass
class DemoSeed:
    """What the demo holds, and whether this run created anything."""

    created: list[str] = field(default_factory=list)
    urls: list[tuple[str, str]] = field(default_factory=list)


def find_demo_community(session: Session) -> Community | None:
    """The demo community, if ``chemins demo`` made it."""
    return communities.find_community(session, SLUG)


def _community(session: Session, seed: DemoSeed) -> Community:
    community = communities.find_community(session, SLUG)
    if community is None:
        community = communities.create_community(
            session,
            name=COMMUNITY,
            slug=SLUG,
            url="https://les-tilleuls.example.org",
            email="contact@les-tilleuls.example.org",
            description="Centre social de quartier : accueil, jeunesse, familles, bénévolat.",
        )
        seed.created.append("community")
    return community


def _partner(session: Session, community: Community, seed: DemoSeed) -> Profile:
    partner = communities.find_profile(session, community, PARTNER)
    if partner is None:
        partner = communities.add_partner(
            session,
            community,
            name=PARTNER,
            url="https://villeneuve-sur-lot.example.org",
            email="jeunesse@villeneuve-sur-lot.example.org",
            description="Service jeunesse de la ville.",
            verified=True,
        )
        seed.created.append("partner")
    return partner


def _levels(session: Session, community: Community, seed: DemoSeed) -> list[BadgeClass]:
    family = find_family(session, community, FAMILY)
    if family is None:
        family = create_family(session, community, FAMILY, LEVELS, tags=("jeunesse", "engagement"))
        publish_family(family)
        seed.created.append("family")
    return list(family.badge_classes)


def _award(
    session: Session,
    runtime: Runtime,
    badge: BadgeClass,
    recipient: Recipient,
    seed: DemoSeed,
    **details: object,
) -> Assertion:
    existing = holding(session, badge, recipient)
    if existing is not None:
        return existing
    seed.created.append(f"award {badge.name} → {recipient.name}")
    return award(session, runtime, badge, recipient, **details)  # type: ignore[arg-type]


def _designed(session: Session, community: Community, seed: DemoSeed) -> list[BadgeClass]:
    made = []
    for wanted in DESIGNED:
        badge = find_badge_class(session, community, wanted.name)
        if badge is None:
            badge = create_badge_class(
                session,
                community,
                name=wanted.name,
                description=wanted.description,
                criteria=wanted.criteria,
                image_png=render(wanted.design),
                alignments=[_esco(skill_id) for skill_id in wanted.skills],
            )
            badge.design = {
                "shape": wanted.design.shape,
                "colour": wanted.design.colour,
                "icon": wanted.design.icon,
                "text": wanted.design.text,
            }
            publish(badge)
            seed.created.append(f"badge {wanted.name}")
        made.append(badge)
    return made


def _citizen_levels(session: Session, community: Community, seed: DemoSeed) -> list[BadgeClass]:
    family = find_family(session, community, CITIZEN_FAMILY)
    if family is None:
        family = create_family(
            session, community, CITIZEN_FAMILY, CITIZEN_LEVELS, tags=("citoyenneté",)
        )
        publish_family(family)
        seed.created.append("family " + CITIZEN_FAMILY)
    return list(family.badge_classes)


def seed_demo(runtime: Runtime) -> DemoSeed:
    """Create (once) the demo community and return its public URLs."""
    seed = DemoSeed()
    urls = PublicUrls(runtime.instance.origin)
    with transaction(runtime.sessions) as session:
        community = _community(session, seed)
        signing_keys.ensure_badge_key(session, runtime.sealer, community)
        signing_keys.ensure_tool_key(session, runtime.sealer)
        partner = _partner(session, community, seed)
        supporter, explorer, actor = _levels(session, community, seed)
        endorse_badge_class(
            session,
            explorer,
            partner,
            "La ville reconnaît ce badge : il montre un engagement réel auprès des habitants.",
            runtime=runtime,
        )
        _designed(session, community, seed)
        for level, said in zip(
            _citizen_levels(session, community, seed),
            (
                "Sylvie a participé aux conseils de quartier de l'automne.",
                "Sylvie a présenté la mairie et ses services à un groupe de jeunes.",
                "Sylvie anime l'atelier « Citoyens en herbe » chaque mois.",
            ),
            strict=True,
        ):
            _award(session, runtime, level, SYLVIE, seed, narrative=said)
        nathan_1 = _award(session, runtime, supporter, NATHAN, seed)
        nathan_2 = _award(
            session,
            runtime,
            explorer,
            NATHAN,
            seed,
            narrative="Nathan a co-animé l'atelier vélo du samedi avec deux autres jeunes.",
            evidence=[
                EvidenceItem(
                    narrative="Atelier vélo : 12 participants, 8 vélos réparés.", public=True
                )
            ],
        )
        sylvie = _award(
            session,
            runtime,
            actor,
            SYLVIE,
            seed,
            narrative="A mené le projet de jardin partagé, de l'idée jusqu'au bilan.",
        )
        endorse_assertion(
            session,
            nathan_2,
            partner,
            "Nathan a accueilli les habitants avec sérieux et bonne humeur.",
            runtime=runtime,
        )
        issuer = community.issuer
        seed.urls = [
            ("Issuer (OB 2.0)", urls.ob2_issuer(issuer.id)),
            ("Issuer (OB 3.0)", urls.ob3_profile(issuer.id)),
            *[
                (f"Badge class: {b.name}", urls.ob2_badge(b.id))
                for b in (supporter, explorer, actor)
            ],
            *[
                (f"Badge page: {a.badge_class.name} → {a.recipient_name}", urls.human_badge(a.id))
                for a in (nathan_1, nathan_2, sylvie)
            ],
            ("Assertion (OB 2.0)", urls.ob2_assertion(nathan_2.id)),
            ("Credential (OB 3.0)", urls.ob3_credential(nathan_2.id)),
            ("Revocation list (OB 2.0)", urls.ob2_revocations(community.id)),
            ("JWKS", urls.jwks()),
        ]
    return seed
