"""A course to run the recognition workflows in, on both databases.

One deployment of one platform, a course with a trainer and two learners (Nathan and
Sylvie), a published badge with a graded placement, a draft and an archived badge of the
same community, and a published badge of another community: what every workflow test
needs to try the right and the wrong thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from badges.models import BadgeClass, Context, Membership, Person, ResourceLink
from badges.platforms.registering import PlatformFields, register_platform
from badges.recognition.badge_classes import create_badge_class, publish
from badges.recognition.communities import create_community
from badges.storage.database import transaction
from badges.storage.runtime import Runtime

ISSUER = "https://moodle.example.org"
SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


@dataclass(frozen=True)
class CourseWorld:
    runtime: Runtime
    community_id: str
    context_id: str
    trainer_id: str
    nathan_id: str
    sylvie_id: str
    outsider_id: str  # a person of the same platform, in no course
    badge_id: str  # "Animer une web radio", published, placed with a grade
    draft_id: str
    archived_id: str
    foreign_id: str  # published, by another community


def _person(session: Session, platform_id: str, sub: str, name: str) -> Person:
    person = Person(platform_id=platform_id, sub=sub, name=name, email=f"{sub}@example.org")
    session.add(person)
    session.flush()
    return person


def _member(session: Session, person: Person, context: Context, role: str) -> None:
    session.add(Membership(person_id=person.id, context_id=context.id, role=role, lti_roles=[]))


def make_course(runtime: Runtime) -> CourseWorld:
    with transaction(runtime.sessions) as session:
        registration = register_platform(
            session,
            PlatformFields(
                ISSUER, "client", ("1",), f"{ISSUER}/auth", f"{ISSUER}/token", f"{ISSUER}/certs",
                community="Les Tilleuls",
            ),
            runtime.instance.origin,
        )  # fmt: skip
        deployment = registration.deployments[0]
        community = deployment.community
        context = Context(deployment_id=deployment.id, context_id="course-1", title="Web radio")
        session.add(context)
        session.flush()
        platform_id = registration.platform_id
        trainer = _person(session, platform_id, "claire", "Claire Formatrice")
        nathan = _person(session, platform_id, "nathan", "Nathan")
        sylvie = _person(session, platform_id, "sylvie", "Sylvie")
        outsider = _person(session, platform_id, "outsider", "Personne Ailleurs")
        _member(session, trainer, context, "trainer")
        _member(session, nathan, context, "learner")
        _member(session, sylvie, context, "learner")

        def badge(name: str, community_=community) -> BadgeClass:  # type: ignore[no-untyped-def]
            return create_badge_class(
                session, community_, name=name, description=f"{name}.", criteria="Le faire."
            )

        radio = publish(badge("Animer une web radio"))
        draft = badge("Brouillon")
        archived = publish(badge("Ancien badge"))
        archived.status = "archived"
        other = create_community(
            session, name="Ailleurs", slug="ailleurs", url="https://a.example", email="a@a.example"
        )
        foreign = publish(badge("Badge d'ailleurs", other))
        session.add(
            ResourceLink(
                deployment_id=deployment.id,
                context_id=context.id,
                resource_link_id="radio",
                custom_target="ask-badge",
                custom_badge=radio.id,
                lineitem_url=f"{ISSUER}/lineitem?type_id=3",
                ags_scopes=[SCORE],
                may_score=True,
            )
        )
        session.flush()
        return CourseWorld(
            runtime,
            community.id,
            context.id,
            trainer.id,
            nathan.id,
            sylvie.id,
            outsider.id,
            radio.id,
            draft.id,
            archived.id,
            foreign.id,
        )
