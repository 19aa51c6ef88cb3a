"""Asking for a badge: a person's request, with evidence, in a course.

The learner's side of recognition (issue 13 §3). A request is made in a course, whose
trainers review it (:mod:`badges.recognition.reviewing`); it carries evidence (a few
sentences, links, photos already made safe by :mod:`badges.images.photos`), private
until its owner makes it public. A facilitator may fill it with and for a learner who
struggles with the phone: it is then recorded as accompanied, and waits for the learner
to confirm it on their next visit before any trainer sees it.

Each function runs inside the caller's transaction and refuses (:class:`RequestRefused`,
with a ``code`` the web layer words) before writing anything, so a refused request
leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badges.courses import people
from badges.courses.awards import held_by
from badges.models import BadgeClass, BadgeRequest, Context, Evidence, Person, RequestEvent
from badges.models.badge_request import (
    ACTIVE,
    CHANGES_REQUESTED,
    CONFIRMED,
    OPEN,
    SUBMITTED,
    TO_CONFIRM,
    UPDATED,
    WITHDRAWN,
)
from badges.recognition import notifying
from badges.recognition.badge_classes import PUBLISHED
from badges.roles import may_review

if TYPE_CHECKING:
    from badges.images.photos import Photo

#: Limits that keep a request readable and its storage bounded.
NARRATIVE_LIMIT = 4000
URL_LIMIT = 500
PHOTO_LIMIT = 5
LINK_LIMIT = 5
CAPTION_LIMIT = 200


class RequestRefused(ValueError):
    """A request (or a change to one) that cannot be made; ``code`` says why.

    Codes: ``not_published`` (a draft, archived or unknown badge), ``other_community``,
    ``not_a_member``, ``not_a_facilitator``, ``already_held``, ``already_asked``
    (``request_id`` is the active one), ``no_evidence``, ``too_long``, ``bad_link``,
    ``too_many_photos``, ``too_many_links``, ``not_yours``, ``wrong_state``.
    """

    def __init__(self, code: str, request_id: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.request_id = request_id


@dataclass(frozen=True)
class EvidenceGiven:
    """What a person gives with a request: sentences, links and photos (all optional,
    but a request needs at least one)."""

    narrative: str | None = None
    links: Sequence[str] = ()
    photos: Sequence[Photo] = ()
    #: A caption per photo (same order), e.g. "the radio show of 12 March".
    captions: Sequence[str] = ()

    def __bool__(self) -> bool:
        return bool(
            (self.narrative or "").strip()
            or any(link.strip() for link in self.links)
            or self.photos
        )


def _checked_link(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if len(url) > URL_LIMIT or parts.scheme not in ("http", "https") or not parts.netloc:
        raise RequestRefused("bad_link")
    return url


def _check(given: EvidenceGiven) -> tuple[str | None, list[str]]:
    """The narrative and links as stored, or a refusal; nothing is written here."""
    narrative = (given.narrative or "").strip() or None
    if narrative is not None and len(narrative) > NARRATIVE_LIMIT:
        raise RequestRefused("too_long")
    links = [link for link in (raw.strip() for raw in given.links) if link]
    if len(links) > LINK_LIMIT:
        raise RequestRefused("too_many_links")
    if len(given.photos) > PHOTO_LIMIT:
        raise RequestRefused("too_many_photos")
    if any(len(caption) > CAPTION_LIMIT for caption in given.captions):
        raise RequestRefused("too_long")
    return narrative, [_checked_link(link) for link in links]


def _add_evidence(
    session: Session, request: BadgeRequest, given: EvidenceGiven, added_by: Person
) -> list[Evidence]:
    narrative, links = _check(given)
    rows: list[Evidence] = []
    if narrative:
        rows.append(Evidence(narrative=narrative, genre="Narrative"))
    rows.extend(Evidence(url=link, genre="Link") for link in links)
    for index, photo in enumerate(given.photos):
        caption = given.captions[index].strip() if index < len(given.captions) else ""
        rows.append(
            Evidence(
                name=caption or None,
                genre="Photography",
                content=photo.data,
                media_type=photo.media_type,
                width=photo.width,
                height=photo.height,
            )
        )
    for row in rows:
        row.request = request
        row.added_by_id = added_by.id
        row.public = False
        session.add(row)
    return rows


def active_request(
    session: Session, badge_class: BadgeClass, person: Person
) -> BadgeRequest | None:
    """The person's request for ``badge_class`` that is still going somewhere, if any."""
    return session.scalars(
        select(BadgeRequest).where(
            BadgeRequest.person_id == person.id,
            BadgeRequest.badge_class_id == badge_class.id,
            BadgeRequest.state.in_(ACTIVE),
        )
    ).first()


def _check_facilitator(
    session: Session, context: Context, facilitator: Person, person: Person
) -> None:
    """A facilitator fills a request for someone else, as a trainer of their course."""
    if facilitator.id == person.id or not may_review(
        people.role_in(session, context, facilitator.id)
    ):
        raise RequestRefused("not_a_facilitator")


def trainers_of(session: Session, context: Context) -> list[Person]:
    """The people who review requests in ``context`` (its trainers and admins)."""
    return [m.person for m in people.members(session, context) if may_review(m.role)]


def request_badge(
    session: Session,
    badge_class: BadgeClass,
    person: Person,
    context: Context,
    given: EvidenceGiven,
    *,
    accompanied_by: Person | None = None,
) -> BadgeRequest:
    """``person`` asks for ``badge_class`` in ``context`` with ``given`` evidence.

    With ``accompanied_by`` (a facilitator of the course filling it beside the learner)
    the request waits for the learner's confirmation; otherwise the course's trainers
    are told at once. Refused, with nothing written, for a badge that is not published
    by the course's community, a person outside the course, a badge already held, a
    request already active (``already_asked``, carrying it), or empty evidence.
    """
    if badge_class.status != PUBLISHED:
        raise RequestRefused("not_published")
    if badge_class.community_id != context.deployment.community_id:
        raise RequestRefused("other_community")
    member = people.membership(session, context, person.id)
    if member is None:
        raise RequestRefused("not_a_member")
    if accompanied_by is not None:
        _check_facilitator(session, context, accompanied_by, person)
    if held_by(session, badge_class, person) is not None:
        raise RequestRefused("already_held")
    existing = active_request(session, badge_class, person)
    if existing is not None:
        raise RequestRefused("already_asked", existing.id)
    if not given:
        raise RequestRefused("no_evidence")
    _check(given)

    request = BadgeRequest(
        badge_class=badge_class,
        person=person,
        context=context,
        state=TO_CONFIRM if accompanied_by is not None else OPEN,
        accompanied_by=accompanied_by,
    )
    session.add(request)
    try:
        # The partial unique index settles two submissions racing past the check above.
        with session.begin_nested():
            session.flush([request])
    except IntegrityError:
        raced = active_request(session, badge_class, person)
        raise RequestRefused("already_asked", raced.id if raced else None) from None
    actor = accompanied_by or person
    _add_evidence(session, request, given, actor)
    session.add(RequestEvent(request=request, actor_id=actor.id, kind=SUBMITTED))
    if accompanied_by is not None:
        notifying.notify(session, person.id, notifying.REQUEST_TO_CONFIRM, request_id=request.id)
    else:
        _tell_trainers(session, request, notifying.REQUEST_SUBMITTED)
    session.flush()
    return request


def _tell_trainers(session: Session, request: BadgeRequest, kind: str) -> None:
    for trainer in trainers_of(session, request.context):
        notifying.notify(
            session,
            trainer.id,
            kind,
            request_id=request.id,
            badge_class_id=request.badge_class_id,
        )


def _own(request: BadgeRequest, person: Person) -> None:
    if request.person_id != person.id:
        raise RequestRefused("not_yours")


def confirm_request(session: Session, request: BadgeRequest, person: Person) -> BadgeRequest:
    """The learner confirms what a facilitator filled with them; trainers then see it.

    Confirming twice (a retried form) changes nothing the second time.
    """
    _own(request, person)
    if request.state == OPEN and any(e.kind == CONFIRMED for e in request.events):
        return request
    if request.state != TO_CONFIRM:
        raise RequestRefused("wrong_state")
    request.state = OPEN
    session.add(RequestEvent(request=request, actor_id=person.id, kind=CONFIRMED))
    _tell_trainers(session, request, notifying.REQUEST_SUBMITTED)
    session.flush()
    return request


def update_request(
    session: Session,
    request: BadgeRequest,
    person: Person,
    given: EvidenceGiven,
    *,
    accompanied_by: Person | None = None,
) -> BadgeRequest:
    """Add to a request a trainer asked to improve; it goes back to the trainers.

    What was given before stays (the history shows both); the new evidence is added
    and the request is open again. The person (or a facilitator of the course beside
    them) may do it only while changes are requested.
    """
    _own(request, person)
    if request.state != CHANGES_REQUESTED:
        raise RequestRefused("wrong_state")
    if not given:
        raise RequestRefused("no_evidence")
    if accompanied_by is not None:
        _check_facilitator(session, request.context, accompanied_by, person)
    actor = accompanied_by or person
    _add_evidence(session, request, given, actor)
    request.state = OPEN
    session.add(
        RequestEvent(request=request, actor_id=actor.id, kind=UPDATED, comment=given.narrative)
    )
    _tell_trainers(session, request, notifying.REQUEST_UPDATED)
    session.flush()
    return request


def withdraw_request(session: Session, request: BadgeRequest, person: Person) -> BadgeRequest:
    """The learner no longer asks; the request stays in their history as withdrawn."""
    _own(request, person)
    if request.state == WITHDRAWN:
        return request
    if request.state not in ACTIVE:
        raise RequestRefused("wrong_state")
    request.state = WITHDRAWN
    session.add(RequestEvent(request=request, actor_id=person.id, kind=WITHDRAWN))
    session.flush()
    return request


def requests_of(session: Session, person: Person, community_id: str) -> list[BadgeRequest]:
    """A person's requests in a community, newest first (for their home)."""
    return list(
        session.scalars(
            select(BadgeRequest)
            .join(BadgeClass, BadgeClass.id == BadgeRequest.badge_class_id)
            .where(BadgeRequest.person_id == person.id, BadgeClass.community_id == community_id)
            .order_by(BadgeRequest.updated_at.desc(), BadgeRequest.created_at.desc())
        )
    )
