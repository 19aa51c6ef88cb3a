"""Steps of the graded-badge journey, over real HTTP between the tool and the demo LMS.

A trainer places a badge as a graded activity by Deep Linking (the demo platform
creates its line item, Moodle-style with ``?type_id=3``); people then launch that
activity, with the AGS claim the platform gives every launch of it; the trainer awards
the badge through the award pages (choose, confirm, the batch's progress).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import requests
from sqlalchemy import select

from badges.models import Community
from badges.recognition.badge_classes import create_badge_class, publish
from badges.storage.database import transaction
from demo_lms.service_state import LineItem
from tests.lti_launches import INSTRUCTOR, LEARNER, Browser, LtiWorld, Outcome, parse_form

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
MOODLE_AGS_SCOPES = [AGS + "lineitem", AGS + "result.readonly", AGS + "score"]
COMMUNITY = "Centre social des Tilleuls"
COURSE = "course-1"


@dataclass
class Placed:
    """A badge placed as a graded activity: the item the platform keeps, its line item."""

    badge_id: str
    item: dict[str, Any]
    line: LineItem


def publish_badge(world: LtiWorld, name: str = "Je soutiens", community: str = COMMUNITY) -> str:
    with transaction(world.runtime.sessions) as session:
        found = session.scalars(select(Community).where(Community.name == community)).one()
        badge = create_badge_class(
            session,
            found,
            name=name,
            description="Aider un pair à la permanence.",
            criteria="Avoir aidé quelqu'un à faire une démarche.",
        )
        publish(badge)
        return badge.id


def trainer_spec_values(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "user_id": "trainer-1",
        "roles": [INSTRUCTOR],
        "name": "Camille Roux",
        "email": "camille@example.org",
    }
    base.update(values)
    return base


def place_graded_badge(world: LtiWorld, badge_id: str, course: str = COURSE) -> Placed:
    """The trainer's Deep Linking launch, the badge chosen with a grade, sent back."""
    settings = {
        "deep_link_return_url": f"{world.demo_url}/deep-linking/return?course={course}&type_id=3",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "accept_multiple": True,
        "accept_lineitem": True,
    }
    spec = world.spec(
        **trainer_spec_values(),
        context={"id": course, "title": "Compétences du quotidien"},
        resource_link=None,
        message_type="LtiDeepLinkingRequest",
        extra_claims={DL + "deep_linking_settings": settings},
    )
    browser = Browser()
    outcome = browser.launch(world.demo, world.moodle.client_id, spec)
    assert outcome.page is not None and outcome.page.status_code == 200, outcome.launch.text
    picker = parse_form(outcome.page.text)
    fields = {k: v for k, v in picker.fields.items() if k in ("lh", "csrf_token")}
    choice = {"place": f"ask-badge:{badge_id}", f"graded:{badge_id}": "1", "action": "place"}
    answer = browser.http.post(
        urljoin(outcome.page.url, picker.action), data={**fields, **choice}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    back = parse_form(answer.text)
    returned = browser.http.post(back.action, data=back.fields, timeout=10)
    assert returned.status_code == 200, returned.text
    item = world.demo.state.placed_items[-1]
    (line,) = [
        line
        for line in world.demo.state.lineitems.values()
        if line.resource_id == f"badge:{badge_id}" and line.context_id == course
    ]
    return Placed(badge_id, item, line)


def lineitem_url(world: LtiWorld, line: LineItem) -> str:
    """Moodle's shape, query included: ``…/lineitems/{id}/lineitem?type_id=3``."""
    return f"{world.demo_url}/services/{line.context_id}/lineitems/{line.id}/lineitem?type_id=3"


def launch_placed(
    world: LtiWorld,
    placed: Placed,
    *,
    client_id: str | None = None,
    course: str = COURSE,
    **values: Any,
) -> tuple[Browser, Outcome]:
    """A launch of the placed activity, with the AGS claim of its line item."""
    ags = {
        "scope": MOODLE_AGS_SCOPES,
        "lineitems": f"{world.demo_url}/services/{course}/lineitems?type_id=3",
        "lineitem": lineitem_url(world, placed.line),
    }
    spec = world.spec(
        context={"id": course, "title": "Compétences du quotidien"},
        resource_link={"id": "placed-0", "title": placed.item["title"]},
        custom=dict(placed.item["custom"]),
        extra_claims={AGS_CLAIM: ags},
        **values,
    )
    browser = Browser()
    outcome = browser.launch(world.demo, client_id or world.moodle.client_id, spec)
    assert outcome.page is not None, outcome.launch.text
    return browser, outcome


def learner_values(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "user_id": "learner-1",
        "roles": [LEARNER],
        "name": "Nathan Martin",
        "email": "nathan@example.org",
    }
    base.update(values)
    return base


def award_page(world: LtiWorld, browser: Browser, handle: str, badge_id: str) -> requests.Response:
    """The trainer's award page of ``badge_id`` (who receives it), in English."""
    return browser.http.get(
        f"{world.tool_url}/trainer/award/{badge_id}",
        params={"lh": handle, "lang": "en"},
        timeout=10,
    )


def award_choice(page: requests.Response, label: str) -> str:
    """The value of the award page's checkbox for ``label`` (a learner's name)."""
    found = re.search(
        r'name="learner" value="([^"]+)"[^>]*>\s*<label for="learner-\d+">'
        + re.escape(label)
        + "</label>",
        page.text,
    )
    assert found, page.text
    return found.group(1)


def _form_fields(page: requests.Response) -> dict[str, str]:
    form = parse_form(page.text)
    return {k: v for k, v in form.fields.items() if k in ("lh", "csrf_token")}


def confirm_award(
    browser: Browser, page: requests.Response, choices: list[str], narrative: str = ""
) -> requests.Response:
    """Submit the award page's form (step 2: the confirmation page)."""
    form = parse_form(page.text)
    assert form.action and "/confirm" in form.action, page.text
    data = [*_form_fields(page).items(), *(("learner", c) for c in choices)]
    data.append(("narrative", narrative))
    return browser.http.post(urljoin(page.url, form.action), data=data, timeout=10)


def award_to(
    world: LtiWorld,
    browser: Browser,
    handle: str,
    badge_id: str,
    labels: list[str],
    narrative: str = "",
) -> requests.Response:
    """The whole award flow: choose ``labels``, confirm, then follow the batch to its end.

    Returns the finished batch page (its results, with each grade's state).
    """
    page = award_page(world, browser, handle, badge_id)
    assert page.status_code == 200, page.text
    choices = [award_choice(page, label) for label in labels]
    confirmation = confirm_award(browser, page, choices, narrative)
    assert confirmation.status_code == 200, confirmation.text
    return confirmed_award(browser, confirmation)


def confirmed_award(browser: Browser, confirmation: requests.Response) -> requests.Response:
    """Press "award" on the confirmation page, then continue the batch as the page does."""
    form = parse_form(confirmation.text)
    assert form.action and "/trainer/award/" in form.action, confirmation.text
    data = [*_form_fields(confirmation).items()]
    data += [
        ("learner", v) for v in re.findall(r'name="learner" value="([^"]+)"', confirmation.text)
    ]
    data.append(("narrative", form.fields.get("narrative", "")))
    page = browser.http.post(urljoin(confirmation.url, form.action), data=data, timeout=10)
    for _ in range(50):  # the page continues by itself (autosubmit.js) until finished
        if page.status_code != 200 or "data-autosubmit" not in page.text:
            break
        again = parse_form(page.text)
        page = browser.http.post(
            urljoin(page.url, again.action), data=_form_fields(page), timeout=10
        )
    return page
