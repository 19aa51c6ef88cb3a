"""OB 3.0 builders: the JSON the spec describes, and every document passes the rules."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import pytest

from badges.openbadges import ob3
from badges.openbadges.hashing import identity_matches
from badges.openbadges.ob3_rules import check_credential
from badges.openbadges.report import VerificationReport

from . import ob3_samples as samples

ORIGIN = "https://chemins.test"


def _walk(value: Any) -> list[Any]:
    found = [value]
    if isinstance(value, dict):
        for item in value.values():
            found.extend(_walk(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_walk(item))
    return found


def _built_credentials() -> dict[str, dict[str, Any]]:
    base = samples.credential(ORIGIN)
    return {
        "email recipient": base,
        "lti recipient": samples.credential(ORIGIN, email=None),
        "did recipient": samples.credential(ORIGIN, email=None, subject_id="did:example:nathan"),
        "with status and expiry": samples.credential(
            ORIGIN,
            status_url=f"{ORIGIN}/ob/v3/revocations/1",
            valid_until=datetime.fromisoformat("2027-01-01T00:00:00+00:00"),
        ),
        "with embedded endorsement": samples.credential(
            ORIGIN, endorsement=(samples.endorsement(ORIGIN, base["id"]),)
        ),
        "with endorsement jwt": samples.credential(
            ORIGIN, endorsement_jwt=("eyJhbGciOiJSUzI1NiJ9.eyJ9.c2ln",)
        ),
        "endorsement of an achievement": samples.endorsement(
            ORIGIN, f"{ORIGIN}/ob/v3/achievements/7"
        ),
        "endorsement with status": samples.endorsement(
            ORIGIN, base["id"], status_url=f"{ORIGIN}/ob/v3/revocations/1"
        ),
    }


@pytest.mark.parametrize("name", list(_built_credentials()))
def test_every_credential_we_build_passes_the_rules(name: str) -> None:
    report = check_credential(_built_credentials()[name], VerificationReport())
    assert report.errors == []


@pytest.mark.parametrize("name", list(_built_credentials()))
def test_no_null_and_no_empty_array_anywhere(name: str) -> None:
    for value in _walk(_built_credentials()[name]):
        assert value is not None
        assert value != []
        assert value != {}


def test_credential_shape() -> None:
    credential = samples.credential(ORIGIN)
    assert credential["@context"] == [ob3.VCDM_V2_CONTEXT, ob3.OB3_CONTEXT]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == "2026-01-15T09:30:00Z"
    assert "validUntil" not in credential
    assert credential["evidence"] == [
        {
            "id": f"{ORIGIN}/evidence/3",
            "type": ["Evidence"],
            "narrative": "Photos of the welcome desk.",
        }
    ]
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Badge"
    assert achievement["alignment"][0]["type"] == ["Alignment"]
    assert achievement["tag"] == ["accueil", "solidarité"]
    assert achievement["creator"]["type"] == ["Profile"]
    json.dumps(credential)  # JSON-ready: no datetimes or other Python objects left


def test_extensions_context_only_with_1edtech_types() -> None:
    plain = samples.credential(ORIGIN)
    revocable = samples.credential(ORIGIN, status_url=f"{ORIGIN}/ob/v3/revocations/1")
    assert ob3.OB3_EXTENSIONS_CONTEXT not in plain["@context"]
    assert revocable["@context"] == [
        ob3.VCDM_V2_CONTEXT,
        ob3.OB3_CONTEXT,
        ob3.OB3_EXTENSIONS_CONTEXT,
    ]
    assert revocable["credentialStatus"] == {
        "id": f"{ORIGIN}/ob/v3/revocations/1",
        "type": "1EdTechRevocationList",
    }
    schema = ob3.open_badge_credential(
        f"{ORIGIN}/c/1",
        issuer=samples.issuer_profile(ORIGIN),
        valid_from=samples.ISSUED,
        credential_subject=plain["credentialSubject"],
        credential_schema=[ob3.credential_schema(ob3.ACHIEVEMENT_CREDENTIAL_SCHEMA)],
    )
    assert ob3.OB3_EXTENSIONS_CONTEXT in schema["@context"]


def test_email_identifier_is_a_salted_sha256_of_the_lowercased_address() -> None:
    [identifier] = ob3.recipient_identifiers(email=" Nathan@Example.org ", salt="pepper")
    assert identifier["identityType"] == "emailAddress"
    assert identifier["hashed"] is True
    assert identifier["salt"] == "pepper"
    assert identifier["identityHash"].startswith("sha256$")
    assert "nathan" not in json.dumps(identifier).lower()
    assert identity_matches(identifier["identityHash"], "nathan@example.org", "pepper")


def test_each_email_identifier_gets_a_fresh_salt() -> None:
    [first] = ob3.recipient_identifiers(email="a@example.org")
    [second] = ob3.recipient_identifiers(email="a@example.org")
    assert first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]


def test_without_email_the_lti_identity_is_hashed_with_one_salt() -> None:
    identifiers = ob3.recipient_identifiers(
        lti_user_id="42", lti_platform_id="https://moodle.example", salt="pepper"
    )
    assert [(i["identityType"], i["hashed"], i["salt"]) for i in identifiers] == [
        ("ltiUserId", True, "pepper"),
        ("ltiPlatformId", True, "pepper"),
    ]
    user, platform = identifiers
    assert identity_matches(user["identityHash"], "42", "pepper", identity_type="ltiUserId")
    assert not identity_matches(user["identityHash"], "43", "pepper", identity_type="ltiUserId")
    assert identity_matches(
        platform["identityHash"], "https://moodle.example", "pepper", identity_type="ltiPlatformId"
    )
    serialised = json.dumps(identifiers)
    assert '"42"' not in serialised and "moodle" not in serialised


def test_each_lti_identifier_list_gets_a_fresh_salt() -> None:
    first, second = (
        ob3.recipient_identifiers(lti_user_id="42", lti_platform_id="https://moodle.example")
        for _ in range(2)
    )
    assert first[0]["salt"] != second[0]["salt"]
    assert first[0]["identityHash"] != second[0]["identityHash"]


SUBJECT_KEY = ob3.subject_key("instance secret")


def test_the_subject_id_is_stable_for_one_recipient_of_one_issuer() -> None:
    first = ob3.subject_id(SUBJECT_KEY, "issuer-1", email="nathan@example.org")
    assert first == ob3.subject_id(SUBJECT_KEY, "issuer-1", email=" Nathan@Example.org ")
    assert re.fullmatch(
        r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
        r"[0-9a-f]{12}",
        first,
    )
    lti = {"lti_user_id": "42", "lti_platform_id": "https://moodle.example"}
    assert ob3.subject_id(SUBJECT_KEY, "issuer-1", **lti) == ob3.subject_id(
        SUBJECT_KEY, "issuer-1", **lti
    )


def test_the_subject_id_differs_across_issuers_recipients_and_instances() -> None:
    lti = {"lti_user_id": "42", "lti_platform_id": "https://moodle.example"}
    ids = {
        ob3.subject_id(SUBJECT_KEY, "issuer-1", email="nathan@example.org"),
        ob3.subject_id(SUBJECT_KEY, "issuer-2", email="nathan@example.org"),
        ob3.subject_id(SUBJECT_KEY, "issuer-1", email="lea@example.org"),
        ob3.subject_id(ob3.subject_key("another secret"), "issuer-1", email="nathan@example.org"),
        ob3.subject_id(SUBJECT_KEY, "issuer-1", **lti),
        ob3.subject_id(SUBJECT_KEY, "issuer-2", **lti),
        ob3.subject_id(
            SUBJECT_KEY, "issuer-1", lti_user_id="42", lti_platform_id="https://x.example"
        ),
        ob3.subject_id(
            SUBJECT_KEY, "issuer-1", lti_user_id="43", lti_platform_id="https://moodle.example"
        ),
    }
    assert len(ids) == 8
    assert not any("nathan" in i or "moodle" in i for i in ids)
    with pytest.raises(ValueError):
        ob3.subject_id(SUBJECT_KEY, "issuer-1", lti_user_id="42")


def test_a_recipient_needs_an_identity() -> None:
    with pytest.raises(ValueError):
        ob3.recipient_identifiers(lti_user_id="sub-123")
    with pytest.raises(ValueError):
        ob3.achievement_subject(samples.achievement(ORIGIN))
    with pytest.raises(ValueError):
        ob3.criteria()


def test_did_subject_has_an_id_and_no_identifier() -> None:
    subject = ob3.achievement_subject(samples.achievement(ORIGIN), id="did:example:nathan")
    assert subject["id"] == "did:example:nathan"
    assert "identifier" not in subject


def test_endorsement_credential_shape() -> None:
    endorsement = samples.endorsement(ORIGIN, f"{ORIGIN}/ob/v3/achievements/7")
    assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert endorsement["name"]
    assert endorsement["credentialSubject"] == {
        "id": f"{ORIGIN}/ob/v3/achievements/7",
        "type": ["EndorsementSubject"],
        "endorsementComment": "We host these learners and **recognise** this badge.",
    }


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        samples.credential(ORIGIN, valid_from=datetime(2026, 1, 15, 9, 30))


def test_profile_omits_what_is_not_given() -> None:
    assert ob3.profile(f"{ORIGIN}/p/1") == {"id": f"{ORIGIN}/p/1", "type": ["Profile"]}
