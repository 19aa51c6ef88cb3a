"""``/course/home``: the learner's home, what the placed activity opens for them.

In the order a person needs it: what a facilitator filled with them and waits for their
confirmation, the badges they hold (with the choice to show their name on the public
page), their requests and where each stands, and the badges they can ask for here
(families shown as a path, level by level, with what each level asks). The page
promises nothing the tool cannot do yet, and every part leads somewhere.

:func:`learner_home_page` renders it; the LTI landing pages (``/lti/launched``,
``/lti/links/<id>``) show it to learners too, with the language form they post.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from badges.courses import awards
from badges.models import Assertion, BadgeClass, BadgeRequest, Person
from badges.models.badge_class import LEVEL_NAMES
from badges.models.badge_request import ACTIVE, TO_CONFIRM
from badges.publishing.public_urls import PublicUrls
from badges.recognition.badge_classes import PUBLISHED
from badges.recognition.requests import requests_of
from badges.storage.database import transaction
from lti_tool.blueprints.learner import bp
from lti_tool.blueprints.learner.request_words import last_comment
from lti_tool.launch_handle import LaunchContext, current_launch, requires_launch
from lti_tool.runtime_access import runtime_of

#: What the home says after an action sent the person back to it (``?done=``).
DONE = ("name", "confirmed", "withdrawn")


@dataclass
class Offer:
    """A badge on the "you can ask for" list, and where the person stands with it."""

    badge: BadgeClass
    held: Assertion | None = None
    asked: BadgeRequest | None = None

    @property
    def askable(self) -> bool:
        return self.held is None and self.asked is None


@dataclass
class Path:
    """A family of badges shown as a path, level by level (or one badge on its own)."""

    name: str | None
    offers: list[Offer] = field(default_factory=list)

    @property
    def askable(self) -> bool:
        return any(offer.askable for offer in self.offers)


def _offers(
    session: Session,
    community_id: str,
    held: dict[str, Assertion],
    active: dict[str, BadgeRequest],
) -> list[Path]:
    """The community's published badges, families as paths, with something left to ask.

    Drafts, proposals and archived badges are never offered; a family is shown whole
    (the levels held or asked marked as such) as long as one level can still be asked.
    """
    badges = session.scalars(
        select(BadgeClass)
        .where(BadgeClass.community_id == community_id, BadgeClass.status == PUBLISHED)
        .order_by(BadgeClass.name)
    ).all()
    families: dict[str, Path] = {}
    paths: list[Path] = []
    for badge in badges:
        offer = Offer(badge, held.get(badge.id), active.get(badge.id))
        if badge.family_id is None:
            paths.append(Path(None, [offer]))
            continue
        path = families.get(badge.family_id)
        if path is None:
            path = families[badge.family_id] = Path(badge.family.name)
            paths.append(path)
        path.offers.append(offer)
    for path in families.values():
        path.offers.sort(key=lambda offer: offer.badge.level or 0)
    return [path for path in paths if path.askable]


def learner_home_page(saved: bool = False) -> str:
    """The whole home page of the launched person; ``saved`` after a language choice."""
    launch: LaunchContext = current_launch()
    runtime = runtime_of(current_app)
    urls = PublicUrls(runtime.instance.origin)
    done = request.args.get("done")
    with transaction(runtime.sessions) as session:
        person = session.get(Person, launch.person_id)
        assert person is not None  # the launch's own person
        held = awards.holdings(session, person, launch.community_id)
        mine = requests_of(session, person, launch.community_id)
        active = {r.badge_class_id: r for r in mine if r.state in ACTIVE}
        return render_template(
            "learner/home.html",
            launch=launch,
            in_course=launch.context_pk is not None,
            to_confirm=[r for r in mine if r.state == TO_CONFIRM],
            held=sorted(held.values(), key=lambda a: a.issued_on, reverse=True),
            requests=mine,
            last_comment=last_comment,
            paths=_offers(session, launch.community_id, held, active),
            level_names=LEVEL_NAMES,
            image_url=lambda badge_id: urls.path_of(urls.badge_image(badge_id)),
            public_page=lambda assertion_id: urls.path_of(urls.human_badge(assertion_id)),
            saved=saved,
            done=done if done in DONE else None,
        )


@bp.get("/home")
@requires_launch()
def home() -> str:
    """The learner's home (trainers have theirs: ``trainer.home``)."""
    return learner_home_page()
