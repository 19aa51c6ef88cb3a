"""The claim-to-column mapping of a launch, with plain dictionaries."""

from __future__ import annotations

from typing import Any

from badges.roles import ADMIN, LEARNER, TRAINER
from lti_tool.lti1p3.claims import (
    AGS_ENDPOINT,
    AGS_SCORE_SCOPE,
    CONTEXT,
    CUSTOM,
    DEEP_LINKING_REQUEST,
    DEEP_LINKING_SETTINGS,
    LAUNCH_PRESENTATION,
    MESSAGE_TYPE,
    NRPS_CLAIM,
    RESOURCE_LINK,
    RESOURCE_LINK_REQUEST,
    ROLES,
    TARGET_LINK_URI,
)
from lti_tool.lti1p3.launch_facts import launch_facts, text

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def _claims(**extra: Any) -> dict[str, Any]:
    return {
        "sub": "u-1",
        MESSAGE_TYPE: RESOURCE_LINK_REQUEST,
        ROLES: [MEMBERSHIP + "Learner"],
        RESOURCE_LINK: {"id": "link-1", "title": "Ask for a badge"},
        TARGET_LINK_URI: "https://tool.example/lti/launch",
        **extra,
    }


def _facts(claims: dict[str, Any], **options: Any):  # type: ignore[no-untyped-def]
    return launch_facts(claims, state="s", platform_id="p", deployment_pk="d", **options)


def test_a_minimal_launch_fills_the_ids_and_leaves_the_rest_empty() -> None:
    facts = _facts(_claims())

    assert (facts.state, facts.platform_id, facts.deployment_pk) == ("s", "p", "d")
    assert facts.sub == "u-1"
    assert facts.message_type == RESOURCE_LINK_REQUEST
    assert facts.role == LEARNER and facts.lti_roles == (MEMBERSHIP + "Learner",)
    assert facts.name is facts.email is facts.locale is facts.return_url is None
    assert facts.context is None
    assert facts.resource_link is not None
    assert facts.resource_link.resource_link_id == "link-1"
    assert facts.resource_link.title == "Ask for a badge"
    assert facts.resource_link.ags_scopes == ()
    assert facts.claims == {}


def test_person_and_presentation_claims_go_to_their_columns() -> None:
    claims = _claims(
        name="Nathan Martin",
        given_name="Nathan",
        family_name="Martin",
        email="nathan@example.org",
        locale="en",
        **{LAUNCH_PRESENTATION: {"locale": "fr-FR", "return_url": "https://lms/back"}},
    )

    facts = _facts(claims)

    assert (facts.name, facts.given_name, facts.family_name) == (
        "Nathan Martin",
        "Nathan",
        "Martin",
    )
    assert facts.email == "nathan@example.org"
    assert facts.locale == "fr-FR"  # the presentation's locale wins over the person's
    assert facts.return_url == "https://lms/back"
    assert _facts(_claims(locale="en")).locale == "en"


def test_the_course_its_roster_and_the_link_services_are_read() -> None:
    claims = _claims(
        **{
            CONTEXT: {"id": "c-1", "title": "Atelier CV", "label": "CV"},
            NRPS_CLAIM: {"context_memberships_url": "https://lms/nrps"},
            CUSTOM: {"target": "ask-badge", "badge": "b-1", "grade": "none"},
            AGS_ENDPOINT: {
                "scope": [AGS_SCORE_SCOPE, 7],
                "lineitem": "https://lms/li/1",
                "lineitems": "https://lms/li",
            },
        }
    )

    facts = _facts(claims)

    assert facts.context is not None
    assert (facts.context.context_id, facts.context.title, facts.context.label) == (
        "c-1",
        "Atelier CV",
        "CV",
    )
    assert facts.context.memberships_url == "https://lms/nrps"
    link = facts.resource_link
    assert link is not None
    assert (link.custom_target, link.custom_badge, link.custom_grade) == (
        "ask-badge",
        "b-1",
        "none",
    )
    assert (link.lineitem_url, link.lineitems_url) == ("https://lms/li/1", "https://lms/li")
    assert link.ags_scopes == (AGS_SCORE_SCOPE,)  # non-strings dropped
    assert facts.claims == {CUSTOM: {"target": "ask-badge", "badge": "b-1", "grade": "none"}}


def test_only_the_custom_parameters_and_deep_linking_settings_are_kept_in_the_session() -> None:
    settings = {"deep_link_return_url": "https://lms/dl", "accept_types": ["ltiResourceLink"]}
    claims = _claims(
        **{MESSAGE_TYPE: DEEP_LINKING_REQUEST, DEEP_LINKING_SETTINGS: settings, CUSTOM: {}}
    )
    del claims[RESOURCE_LINK]

    facts = _facts(claims, assistants_award=False)

    assert facts.message_type == DEEP_LINKING_REQUEST
    assert facts.resource_link is None
    assert facts.claims == {CUSTOM: {}, DEEP_LINKING_SETTINGS: settings}
    assert "sub" not in facts.claims and ROLES not in facts.claims


def test_odd_values_are_dropped_or_cut_never_stored_as_sent() -> None:
    claims = _claims(
        name="   ",
        email=["not", "text"],
        given_name="x" * 500,
        **{
            CONTEXT: "not an object",
            RESOURCE_LINK: {"id": "", "title": "t"},
            LAUNCH_PRESENTATION: ["nope"],
            AGS_ENDPOINT: {"scope": "not a list"},
        },
    )

    facts = _facts(claims)

    assert facts.name is None and facts.email is None
    assert facts.given_name == "x" * 200
    assert facts.context is None
    assert facts.resource_link is None
    assert facts.locale is None
    assert text("a" * 30, 20) == "a" * 20
    assert text(None, 5) is None and text("", 5) is None


def test_the_role_follows_the_communitys_rule_for_assistants() -> None:
    sub_role = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
    assistant = [MEMBERSHIP + "Learner", sub_role]
    claims = _claims(**{ROLES: assistant})

    assert _facts(claims).role == LEARNER
    assert _facts(claims, assistants_award=True).role == TRAINER
    assert _facts(_claims(**{ROLES: [MEMBERSHIP + "Instructor"]})).role == TRAINER
    admin = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
    assert _facts(_claims(**{ROLES: [admin]})).role == ADMIN
    assert _facts(_claims(**{ROLES: "not a list"})).lti_roles == ()
