"""The shipped soft-skills list: real ESCO URIs, both languages, lookups that refuse
what is not in it, and alignments that carry each skill's own URI into the badges."""

from __future__ import annotations

import json
import re
import uuid

import pytest

from badges.publishing import ob2 as ob2_docs
from badges.publishing import ob3 as ob3_docs
from badges.publishing.public_urls import PublicUrls
from badges.recognition import skills
from badges.recognition.badge_classes import create_badge_class
from badges.recognition.communities import create_community
from badges.storage.database import transaction

#: The twenty ids checked by hand (shared/reference/recognition-landscape.md §6).
REFERENCE_IDS = {
    "60c78287-22eb-4103-9c8c-28deaa460da0": "Work in teams",
    "77b636e8-fab3-41a8-8022-1e0a354059dc": "Show empathy",
    "7a147904-22b3-498a-b4d9-7bceeb86b45d": "Cope with stress",
    "9bf266a6-188b-4d17-a22f-2f266d76832b": "Demonstrate willingness to learn",
    "c624c6a3-b0ba-4a31-a296-0d433fe47e41": "Think creatively",
    "49de9958-2aa4-4eef-a89d-fe5d5bcd28c4": "Adapt to change",
    "001115fb-569f-4ee6-8381-c6807ef2527f": "Show initiative",
    "adc6dc11-3376-467b-96c5-9b0a21edc869": "Solve problems",
    "a17286c5-238d-4f0b-bc24-29e9121345de": "Listen actively",
    "669b75d8-671c-4a1c-8e0b-6466c513c27d": "Show confidence",
    "1d1fedcb-4995-44ac-90f5-f31a157ce512": "Manage frustration",
    "7dd94ad3-13d6-43fe-8b94-51fcbf67ced9": "Think critically",
    "75d8e5d9-bef3-418b-9011-01bff9f27207": "Lead others",
    "b19e0820-a96f-4c0a-a724-3c056180c1b3": "Build team spirit",
    "96de2e86-e287-41f2-88ab-15a2343afc6f": "Resolve conflicts",
    "1fce1197-3a5b-45b7-8797-575cd3b57a01": "Show commitment",
    "c10d5d87-36cf-42f5-8a12-e560fb5f4af8": "Demonstrate intercultural competence",
    "bf5d77ad-e18c-48d8-83f0-bc79c011c74a": "Develop professional network",
    "19a64e91-bfe3-4c48-9225-3bb1229b12f0": "Show determination",
    "113b4428-0a31-4199-8496-070af7854b91": "Meet commitments",
}
WORK_IN_TEAMS = "60c78287-22eb-4103-9c8c-28deaa460da0"
CATEGORY_KEYS = [
    "core",
    "thinking",
    "self-management",
    "social-communication",
    "physical-manual",
    "life",
]


def test_every_uri_is_an_esco_skill_uri_with_a_valid_uuid() -> None:
    listed = skills.all_skills()
    assert len(listed) >= len(REFERENCE_IDS)
    for entry in listed:
        assert entry.uri == "http://data.europa.eu/esco/skill/" + entry.id
        assert str(uuid.UUID(entry.id)) == entry.id  # canonical lower-case form
    assert len({s.id for s in listed}) == len(listed)
    assert len(set(listed)) == len(listed)  # usable in sets (a badge's chosen skills)
    assert len({s.uri for s in listed}) == len(listed)


def test_both_languages_are_filled_and_distinct_per_skill() -> None:
    for entry in skills.all_skills():
        english, french = entry.labels["en"].strip(), entry.labels["fr"].strip()
        assert english and french, entry.id
        assert entry.fr_source in {"esco-1.0", "chemins"}
    english_labels = [s.labels["en"] for s in skills.all_skills()]
    french_labels = [s.labels["fr"] for s in skills.all_skills()]
    assert len(set(english_labels)) == len(english_labels)
    assert len(set(french_labels)) == len(french_labels)


def test_the_reference_twenty_are_present_with_their_english_labels() -> None:
    for skill_id, english in REFERENCE_IDS.items():
        found = skills.skill(skill_id)
        assert found is not None, skill_id
        assert found.labels["en"] == english


def test_six_categories_in_esco_order_each_used() -> None:
    assert [c.key for c in skills.categories()] == CATEGORY_KEYS
    assert [c.esco_group for c in skills.categories()] == [f"T{n}" for n in range(1, 7)]
    used = {s.category.key for s in skills.all_skills()}
    assert used == set(CATEGORY_KEYS)
    social = skills.skill(WORK_IN_TEAMS).category
    assert skills.label(social, "fr") == "Compétences sociales et de communication"


@pytest.mark.parametrize(
    "wrong",
    [
        "",
        "60c78287",
        "60C78287-22EB-4103-9C8C-28DEAA460DA0",  # ids are matched exactly, as ESCO writes them
        "00000000-0000-0000-0000-000000000000",
        "https://esco.ec.europa.eu/fr/classification/skill_main",
        "http://data.europa.eu/esco/skill/not-a-skill",
        "<script>alert(1)</script>",
        "60c78287-22eb-4103-9c8c-28deaa460da0 ",
    ],
)
def test_lookup_of_anything_not_listed_is_none(wrong: str) -> None:
    assert skills.skill(wrong) is None


def test_lookup_by_full_uri_finds_the_same_skill() -> None:
    by_uri = skills.skill("http://data.europa.eu/esco/skill/" + WORK_IN_TEAMS)
    assert by_uri is skills.skill(WORK_IN_TEAMS)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "Travailler en équipe"),
        ("fr-FR", "Travailler en équipe"),
        ("fr_CA", "Travailler en équipe"),
        ("en", "Work in teams"),
        ("de", "Work in teams"),
        (None, "Work in teams"),
        ("", "Work in teams"),
    ],
)
def test_label_in_the_asked_language_else_english(language: str | None, expected: str) -> None:
    assert skills.label(skills.skill(WORK_IN_TEAMS), language) == expected


def test_alignment_target_names_the_skill_and_links_its_own_concept() -> None:
    target = skills.alignment_target(skills.skill(WORK_IN_TEAMS), "fr")
    assert target.target_name == "Travailler en équipe"
    assert target.target_url == "http://data.europa.eu/esco/skill/" + WORK_IN_TEAMS
    assert target.target_framework == "ESCO v1.2"
    assert target.target_code == WORK_IN_TEAMS
    other = skills.alignment_target(skills.skill("001115fb-569f-4ee6-8381-c6807ef2527f"), "en")
    assert other.target_name == "Show initiative"
    assert other.target_url != target.target_url


def test_alignments_reach_the_ob2_and_ob3_documents(runtime) -> None:
    urls = PublicUrls("https://chemins.test")
    chosen = [skills.skill(WORK_IN_TEAMS), skills.skill("a17286c5-238d-4f0b-bc24-29e9121345de")]
    with transaction(runtime.sessions) as session:
        community = create_community(
            session, name="Centre", slug="centre", url="https://c.example", email="c@c.example"
        )
        badge = create_badge_class(
            session,
            community,
            name="Animer une web radio",
            description="Préparer et animer une émission.",
            criteria="Avoir animé une émission.",
            alignments=[skills.alignment_target(s, "fr") for s in chosen],
        )
        session.flush()
        ob2 = ob2_docs.badge_class(session, urls, badge)
        ob3 = ob3_docs.achievement(session, urls, badge)
    assert [a["targetUrl"] for a in ob2["alignment"]] == [s.uri for s in chosen]
    assert [a["targetName"] for a in ob2["alignment"]] == [
        "Travailler en équipe",
        "Écouter activement",
    ]
    assert {a["targetUrl"] for a in ob3["alignment"]} == {s.uri for s in chosen}


def test_a_tampered_list_is_refused_not_half_loaded() -> None:
    """A wrong URI in the data file (a generic page, a made-up id) stops the load."""
    document = json.loads(
        (skills.resources.files("badges.recognition.data") / "soft_skills.json").read_text(
            encoding="utf-8"
        )
    )
    document["skills"][0]["uri"] = "https://esco.ec.europa.eu/fr/classification/skill_main"
    with pytest.raises(ValueError, match="not an ESCO skill URI"):
        skills._parse(document)
    document = json.loads(json.dumps(document))
    document["skills"][0]["uri"] = skills.ESCO_SKILL_BASE + "not-a-uuid"
    document["skills"][0]["id"] = "not-a-uuid"
    with pytest.raises(ValueError):
        skills._parse(document)


def test_the_data_file_names_its_source_and_licence() -> None:
    text = (skills.resources.files("badges.recognition.data") / "soft_skills.json").read_text(
        encoding="utf-8"
    )
    document = json.loads(text)
    assert "European Union" in document["licence"] and "CC BY 4.0" in document["licence"]
    assert re.search(r"ESCO", document["source"])
