"""The demo course's story: requests waiting, one asked to improve, awards with evidence,
a badge a member created.

``chemins demo`` seeds the community and its badges (:mod:`badges.demo`); the demo LMS
then registers with the tool and calls :func:`seed_course_story` with its course and its
people, so that whoever opens ``make run`` as the trainer finds work waiting and, as a
learner, finds where their requests stand. The people are keyed by the (platform,
``sub``) their launches will carry, so a launch finds what the story made for them.
Seeding is idempotent: a course that already has requests is left as it is.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badges import demo
from badges.courses.people import RosterEntry, enrol
from badges.images import photos
from badges.images.badge_designer import Design
from badges.models import (
    BadgeClass,
    BadgeRequest,
    Community,
    Context,
    Deployment,
    Person,
    Platform,
    Registration,
)
from badges.recognition import proposals, reviewing
from badges.recognition.badge_classes import find_badge_class
from badges.recognition.evidence import set_evidence_public
from badges.recognition.requests import EvidenceGiven, request_badge
from badges.storage.database import transaction
from badges.storage.runtime import Runtime


@dataclass(frozen=True)
class CoursePerson:
    """Someone of the demo course, as its launches will name them."""

    sub: str
    name: str
    email: str
    role: str  # learner | trainer


def demo_photo(colour: tuple[int, int, int], label: str) -> photos.Photo:
    """A phone-like picture for the demo's evidence, made safe like any upload."""
    image = Image.new("RGB", (1200, 900), colour)
    draw = ImageDraw.Draw(image)
    for step in range(0, 900, 30):
        shade = tuple(min(255, c + step // 12) for c in colour)
        draw.rectangle((0, step, 1200, step + 30), fill=shade)
    draw.ellipse((420, 220, 780, 580), fill=(250, 250, 245))
    draw.rectangle((560, 580, 640, 760), fill=(60, 60, 60))
    draw.text((40, 40), label, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return photos.process_photo(buffer.getvalue())


def _course(
    session: Session, issuer: str, deployment_id: str, course_id: str, title: str
) -> Context | None:
    deployment = session.scalars(
        select(Deployment)
        .join(Registration, Registration.id == Deployment.registration_id)
        .join(Platform, Platform.id == Registration.platform_id)
        .where(Platform.issuer == issuer, Deployment.deployment_id == deployment_id)
    ).first()
    if deployment is None:
        return None
    context = session.scalars(
        select(Context).where(
            Context.deployment_id == deployment.id, Context.context_id == course_id
        )
    ).first()
    if context is None:
        context = Context(deployment_id=deployment.id, context_id=course_id, title=title)
        session.add(context)
        session.flush()
    return context


def _badge(session: Session, community: Community, name: str) -> BadgeClass:
    found = find_badge_class(session, community, name)
    if found is None:
        raise LookupError(f"the demo badge {name!r} is missing: run `chemins demo` first")
    return found


def seed_course_story(
    runtime: Runtime,
    *,
    issuer: str,
    deployment_id: str,
    course_id: str,
    course_title: str,
    people: Sequence[CoursePerson],
) -> list[str]:
    """Tell the demo course's story once; return what was created (empty the second time).

    Needs the demo community (``chemins demo``) attached to the platform's deployment.
    """
    created: list[str] = []
    with transaction(runtime.sessions) as session:
        context = _course(session, issuer, deployment_id, course_id, course_title)
        community = demo.find_demo_community(session)
        if context is None or community is None:
            return created
        if context.deployment.community_id != community.id:
            return created
        asked = session.scalar(
            select(func.count())
            .select_from(BadgeRequest)
            .where(BadgeRequest.context_id == context.id)
        )
        if asked:
            return created
        platform_id = context.deployment.registration.platform_id
        someone: dict[str, Person] = {}
        for person in people:
            entry = RosterEntry(
                sub=person.sub, role=person.role, name=person.name, email=person.email
            )
            someone[person.sub] = enrol(session, context, platform_id, entry).person
        trainer = next(someone[p.sub] for p in people if p.role == "trainer")
        learners = [someone[p.sub] for p in people if p.role == "learner"]
        nathan, sylvie, ines = learners[:3]

        # Nathan: a request waiting for review, with a photo of the event.
        request_badge(
            session,
            _badge(session, community, "Organiser un événement"),
            nathan,
            context,
            EvidenceGiven(
                narrative=(
                    "J'ai aidé à préparer la fête du quartier : affiches, tables, accueil "
                    "des familles. Après, on a tout rangé avec l'équipe."
                ),
                photos=[demo_photo((30, 90, 140), "Fête du quartier")],
                captions=["Le stand d'accueil de la fête du quartier"],
            ),
        )
        created.append("request: Nathan, Organiser un événement (waiting)")

        # Inès: asked to add something.
        waiting = request_badge(
            session,
            _badge(session, community, "Initier aux outils numériques"),
            ines,
            context,
            EvidenceGiven(narrative="J'ai aidé ma voisine avec son téléphone."),
        )
        reviewing.ask_to_improve(
            session,
            waiting,
            trainer,
            "Bravo ! Pouvez-vous dire ce que vous avez fait avec elle (un appel vidéo, un "
            "message, un site) et si vous avez aidé une deuxième personne ?",
        )
        created.append("request: Inès, Initier aux outils numériques (asked to improve)")

        # Sylvie: a request accepted, its photo made public by her.
        spoken = request_badge(
            session,
            _badge(session, community, "Prendre la parole en public"),
            sylvie,
            context,
            EvidenceGiven(
                narrative=(
                    "J'ai présenté le projet de jardin partagé au conseil de quartier, "
                    "devant une trentaine d'habitants, et j'ai répondu à leurs questions."
                ),
                photos=[demo_photo((120, 60, 130), "Conseil de quartier")],
                captions=["La présentation au conseil de quartier"],
            ),
        )
        set_evidence_public(session, runtime, spoken.evidence[-1], sylvie, True)
        reviewing.accept(
            session,
            runtime,
            spoken,
            trainer,
            "Sylvie a présenté le jardin partagé au conseil de quartier de novembre.",
        )
        created.append("request: Sylvie, Prendre la parole en public (accepted)")

        # Sylvie: the badge she created for what she teaches, published with her name.
        made = proposals.propose(
            session,
            community,
            sylvie,
            context,
            proposals.ProposalFields(
                name="Transmettre le papier mâché",
                description=(
                    "Je montre à des jeunes et à des animateurs comment fabriquer des "
                    "objets en papier mâché et en grillage."
                ),
                criteria=(
                    "Avoir animé un atelier papier mâché ou grillage avec au moins trois "
                    "personnes, du montage à la peinture."
                ),
                skill_ids=("699e7c26-6502-4e78-a823-3656ff5a5b8b",),
                design=Design("rosette", "teal", "palette", "Papier mâché"),
                show_name=True,
            ),
        )
        proposals.decide(session, made, trainer, "publish")
        created.append("member badge: Transmettre le papier mâché (Sylvie, published)")
    return created
