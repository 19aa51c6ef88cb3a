"""Member-created badges: a member proposes a badge for something they know how to do.

Sylvie teaches papier-mâché to young people; nobody but her knows what the badge should
ask. She proposes it (a name, what it is, what someone must do, optionally skills and a
picture); the trainers of her community are told; one of them publishes it, asks her for
changes (she revises the same proposal) or declines it, always with a word for her.

A proposal is a badge class of its community in status ``proposed`` (then
``changes_requested`` -> ``proposed`` again, until ``published`` or ``declined``), with
``author_person_id`` naming who proposed it. Crediting the member is their choice,
privacy first: only when they ticked "show my name as its author" is a creator row
(role ``author``) made with their person profile, so the published documents name them
(OB 3.0 ``Achievement.creator``, OB 2.0 ``Image.author``; docs/decisions/0028). Without
it the badge reads as the community's own, and the pages say "a member of <community>".

Each function runs inside the caller's transaction and refuses
(:class:`ProposalRefused`, a :class:`~badges.recognition.badge_classes.BadgeClassRefused`
with more codes) before writing anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from badges.courses import people
from badges.images import badge_designer
from badges.models import (
    BadgeClass,
    BadgeClassCreator,
    Community,
    Context,
    Deployment,
    Membership,
    Person,
    Profile,
)
from badges.recognition import notifying
from badges.recognition.badge_classes import (
    AUTHOR,
    CHANGES_REQUESTED,
    DECLINED,
    PROPOSED,
    PUBLISHED,
    BadgeClassRefused,
    BadgeFields,
    apply_fields,
    check_fields,
    create_from_fields,
)
from badges.recognition.communities import add_person_profile
from badges.roles import may_review

PUBLISH = "publish"
CHANGES = "changes"
DECLINE = "decline"
DECISIONS = {PUBLISH: PUBLISHED, CHANGES: CHANGES_REQUESTED, DECLINE: DECLINED}
_NOTICES = {
    PUBLISH: notifying.PROPOSAL_PUBLISHED,
    CHANGES: notifying.PROPOSAL_CHANGES_REQUESTED,
    DECLINE: notifying.PROPOSAL_DECLINED,
}
COMMENT_LIMIT = 2000


class ProposalRefused(BadgeClassRefused):
    """A proposal (or a decision on one) that cannot be made.

    Codes, besides those of :class:`BadgeClassRefused`: ``not_a_member`` (the person is
    not in the course given), ``not_a_reviewer`` (not a trainer of a course of the
    badge's community), ``not_the_author``, ``not_a_proposal``, ``wrong_state``,
    ``unknown_decision``, ``comment_needed``.
    """


@dataclass(frozen=True)
class ProposalFields:
    """What the member's form gives. ``show_name``: credit them by name once published."""

    name: str
    description: str
    criteria: str
    language: str = "fr"
    skill_ids: Sequence[str] = ()
    design: badge_designer.Design | None = None
    image_png: bytes | None = None
    show_name: bool = False

    def badge_fields(self) -> BadgeFields:
        """The badge class fields (a member names no partner: trainers do)."""
        return BadgeFields(
            name=self.name,
            description=self.description,
            criteria=self.criteria,
            language=self.language,
            skill_ids=self.skill_ids,
            design=self.design,
            image_png=self.image_png,
        )


def community_trainers(session: Session, community_id: str) -> list[Person]:
    """The people who review in any course of the community's deployments."""
    rows = session.scalars(
        select(Membership)
        .join(Context, Context.id == Membership.context_id)
        .join(Deployment, Deployment.id == Context.deployment_id)
        .where(Deployment.community_id == community_id)
        .order_by(Membership.person_id)
    )
    seen: dict[str, Person] = {}
    for membership in rows:
        if may_review(membership.role) and membership.person_id not in seen:
            seen[membership.person_id] = membership.person
    return list(seen.values())


def may_decide(session: Session, badge: BadgeClass, person: Person) -> bool:
    """Whether ``person`` is a trainer of a course of the badge's community."""
    return any(t.id == person.id for t in community_trainers(session, badge.community_id))


def _tell_trainers(session: Session, badge: BadgeClass, author: Person) -> None:
    for trainer in community_trainers(session, badge.community_id):
        if trainer.id != author.id:
            notifying.notify(
                session, trainer.id, notifying.PROPOSAL_SUBMITTED, badge_class_id=badge.id
            )


def _credit(
    session: Session, community: Community, badge: BadgeClass, person: Person, show: bool
) -> None:
    """Add (or remove) the author creator row, as the member chose.

    A person whose platform shared no name cannot be named: nothing is added. Their
    profile, if they already have one (made when they endorsed someone), is reused with
    the name they agreed to show then; a new one gets their display name and, as its
    URL, the community's site (OB 2.0 wants one; it must not point at the person).
    """
    current = [c for c in badge.creators if c.role == AUTHOR]
    if not show or person.display_name is None:
        for row in current:
            badge.creators.remove(row)
        return
    if current:
        return
    existing = session.scalars(select(Profile).where(Profile.person_id == person.id)).first()
    profile = existing or add_person_profile(
        session,
        community,
        person,
        name=person.display_name,
        url=community.issuer.url,
    )
    for row in badge.creators:
        row.position += 1
    badge.creators.insert(0, BadgeClassCreator(profile_id=profile.id, role=AUTHOR, position=0))


def propose(
    session: Session,
    community: Community,
    person: Person,
    context: Context,
    fields: ProposalFields,
) -> BadgeClass:
    """``person``, a member of ``context`` (a course of ``community``), proposes a badge.

    The community's trainers are told (:data:`notifying.PROPOSAL_SUBMITTED`).
    """
    if context.deployment.community_id != community.id:
        raise ProposalRefused("other_community")
    if people.membership(session, context, person.id) is None:
        raise ProposalRefused("not_a_member")
    # Checks everything before it writes anything.
    badge = create_from_fields(session, community, fields.badge_fields(), status=PROPOSED)
    badge.author_person_id = person.id
    _credit(session, community, badge, person, fields.show_name)
    _tell_trainers(session, badge, person)
    session.flush()
    return badge


def decide(
    session: Session,
    badge: BadgeClass,
    reviewer: Person,
    decision: str,
    comment: str | None = None,
) -> BadgeClass:
    """A trainer of the community publishes the proposal, asks for changes or declines it.

    A comment is required to ask for changes or to decline (the member needs to know
    what to do, or why); it is kept on the badge class and shown to the member.
    """
    if decision not in DECISIONS:
        raise ProposalRefused("unknown_decision")
    if badge.author_person_id is None:
        raise ProposalRefused("not_a_proposal")
    if not may_decide(session, badge, reviewer):
        raise ProposalRefused("not_a_reviewer")
    if badge.status != PROPOSED:
        raise ProposalRefused("wrong_state")
    text = (comment or "").strip()
    if len(text) > COMMENT_LIMIT:
        raise ProposalRefused("too_long", "comment")
    if decision != PUBLISH and not text:
        raise ProposalRefused("comment_needed", "comment")
    badge.status = DECISIONS[decision]
    badge.review_comment = text or None
    notifying.notify(session, badge.author_person_id, _NOTICES[decision], badge_class_id=badge.id)
    session.flush()
    return badge


def revise(
    session: Session, badge: BadgeClass, person: Person, fields: ProposalFields
) -> BadgeClass:
    """The author changes the proposal a trainer asked to improve; it goes back to them.

    The image stays unless a new one is given; the trainer's comment stays readable
    until the next decision replaces it.
    """
    if badge.author_person_id is None:
        raise ProposalRefused("not_a_proposal")
    if badge.author_person_id != person.id:
        raise ProposalRefused("not_the_author")
    if badge.status != CHANGES_REQUESTED:
        raise ProposalRefused("wrong_state")
    community = session.get(Community, badge.community_id)
    assert community is not None
    checked = check_fields(session, community, fields.badge_fields())
    apply_fields(badge, checked)
    badge.status = PROPOSED
    _credit(session, community, badge, person, fields.show_name)
    _tell_trainers(session, badge, person)
    session.flush()
    return badge


def proposals_waiting(session: Session, community_id: str) -> list[BadgeClass]:
    """The community's proposals waiting for a trainer, oldest first."""
    return list(
        session.scalars(
            select(BadgeClass)
            .where(BadgeClass.community_id == community_id, BadgeClass.status == PROPOSED)
            .order_by(BadgeClass.updated_at, BadgeClass.id)
        )
    )


def proposals_of(session: Session, person: Person, community_id: str) -> list[BadgeClass]:
    """A member's proposals in a community, newest first."""
    return list(
        session.scalars(
            select(BadgeClass)
            .where(
                BadgeClass.community_id == community_id,
                BadgeClass.author_person_id == person.id,
            )
            .order_by(BadgeClass.created_at.desc(), BadgeClass.id)
        )
    )
