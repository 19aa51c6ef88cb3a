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

from badges.models import Assertion, BadgeClass, Community, Profile
from badges.publishing.public_urls import PublicUrls
from badges.recognition import communities, signing_keys
from badges.recognition.awarding import EvidenceItem, Recipient, award, holding
from badges.recognition.badge_classes import (
    AlignmentTarget,
    Level,
    create_family,
    find_family,
    publish_family,
)
from badges.recognition.endorsing import endorse_assertion, endorse_badge_class
from badges.storage.database import transaction
from badges.storage.runtime import Runtime

SLUG = "les-tilleuls"
COMMUNITY = "Centre social Les Tilleuls"
FAMILY = "Place aux jeunes"
PARTNER = "Mairie de Villeneuve-sur-Lot"
ESCO_FRAMEWORK = "ESCO – compétences transversales"
ESCO_PAGE = "https://esco.ec.europa.eu/fr/classification/skill_main"

SOCIAL = AlignmentTarget(
    target_name="Compétences sociales et de communication",
    target_url=ESCO_PAGE,
    target_description="Communiquer, coopérer et travailler avec les autres.",
    target_framework=ESCO_FRAMEWORK,
    target_code="T4",
)
SELF_MANAGEMENT = AlignmentTarget(
    target_name="Compétences d'autogestion",
    target_url=ESCO_PAGE,
    target_description="S'organiser, prendre des initiatives et mener une action à son terme.",
    target_framework=ESCO_FRAMEWORK,
    target_code="T3",
)

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

NATHAN = Recipient(email="nathan.demo@example.org", name="Nathan", public=True)
SYLVIE = Recipient(email="sylvie.demo@example.org", name="Sylvie", public=False)


@dataclass
class DemoSeed:
    """What the demo holds, and whether this run created anything."""

    created: list[str] = field(default_factory=list)
    urls: list[tuple[str, str]] = field(default_factory=list)


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
