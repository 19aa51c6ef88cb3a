"""The JSON Schema rules: each broken credential fails for the rule it breaks, and only it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from badges.openbadges.ob3_rules import (
    check_achievement_credential,
    check_credential,
    check_endorsement_credential,
)
from badges.openbadges.report import VerificationReport

from . import ob3_samples as samples

ORIGIN = "https://chemins.test"
Doc = dict[str, Any]


def _subject(doc: Doc) -> Doc:
    return doc["credentialSubject"]


def _achievement(doc: Doc) -> Doc:
    return doc["credentialSubject"]["achievement"]


def _drop(getter: Callable[[Doc], Doc], name: str) -> Callable[[Doc], None]:
    return lambda doc: getter(doc).pop(name)


def _set(getter: Callable[[Doc], Doc], name: str, value: Any) -> Callable[[Doc], None]:
    return lambda doc: getter(doc).__setitem__(name, value)


def _root(doc: Doc) -> Doc:
    return doc


# (what is broken, how, the code expected, the path expected)
BROKEN: list[tuple[str, Callable[[Doc], None], str, str]] = [
    ("no @context", _drop(_root, "@context"), "ob3.context", "@context"),
    (
        "contexts in the wrong order",
        lambda d: d["@context"].reverse(),
        "ob3.context",
        "@context[0]",
    ),
    (
        "second context not OB 3.0",
        _set(
            _root,
            "@context",
            ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/openbadges/v2"],
        ),
        "ob3.context",
        "@context[1]",
    ),
    (
        "unbundled context",
        lambda d: d["@context"].append("https://example.org/my-context.json"),
        "ob3.context-unknown",
        "@context[2]",
    ),
    (
        "VCDM 1.1 context when issuing",
        lambda d: d["@context"].__setitem__(0, "https://www.w3.org/2018/credentials/v1"),
        "ob3.context",
        "@context[0]",
    ),
    ("no id", _drop(_root, "id"), "ob3.required", "id"),
    ("id not a URI", _set(_root, "id", "credential 1"), "ob3.uri", "id"),
    ("type a string", _set(_root, "type", "OpenBadgeCredential"), "ob3.type", "type"),
    (
        "type without VerifiableCredential",
        _set(_root, "type", ["OpenBadgeCredential"]),
        "ob3.type",
        "type",
    ),
    (
        "type without OpenBadgeCredential",
        _set(_root, "type", ["VerifiableCredential"]),
        "ob3.type",
        "type",
    ),
    ("no issuer", _drop(_root, "issuer"), "ob3.required", "issuer"),
    ("issuer without id", _drop(lambda d: d["issuer"], "id"), "ob3.required", "issuer.id"),
    (
        "issuer type not Profile",
        _set(lambda d: d["issuer"], "type", ["Organization"]),
        "ob3.type",
        "issuer.type",
    ),
    ("no validFrom", _drop(_root, "validFrom"), "ob3.required", "validFrom"),
    (
        "validFrom without timezone",
        _set(_root, "validFrom", "2026-01-15T09:30:00"),
        "ob3.date-time",
        "validFrom",
    ),
    ("validFrom a date only", _set(_root, "validFrom", "2026-01-15"), "ob3.date-time", "validFrom"),
    (
        "validFrom impossible",
        _set(_root, "validFrom", "2026-02-30T09:30:00Z"),
        "ob3.date-time",
        "validFrom",
    ),
    (
        "validUntil as a timestamp",
        _set(_root, "validUntil", 1767225600),
        "ob3.date-time",
        "validUntil",
    ),
    (
        "awardedDate without seconds",
        _set(_root, "awardedDate", "2026-01-15T09:30Z"),
        "ob3.date-time",
        "awardedDate",
    ),
    (
        "no credentialSubject",
        _drop(_root, "credentialSubject"),
        "ob3.required",
        "credentialSubject",
    ),
    (
        "subject with neither id nor identifier",
        _drop(_subject, "identifier"),
        "ob3.subject-identity",
        "credentialSubject",
    ),
    (
        "subject type missing AchievementSubject",
        _set(_subject, "type", ["Person"]),
        "ob3.type",
        "credentialSubject.type",
    ),
    ("subject id not a URI", _set(_subject, "id", "nathan"), "ob3.uri", "credentialSubject.id"),
    (
        "identifier without identityHash",
        lambda d: _subject(d)["identifier"][0].pop("identityHash"),
        "ob3.required",
        "credentialSubject.identifier[0].identityHash",
    ),
    (
        "identifier hashed not a boolean",
        lambda d: _subject(d)["identifier"][0].__setitem__("hashed", "true"),
        "ob3.required",
        "credentialSubject.identifier[0].hashed",
    ),
    (
        "identifier of another type",
        lambda d: _subject(d)["identifier"][0].__setitem__("type", "Identifier"),
        "ob3.type",
        "credentialSubject.identifier[0].type",
    ),
    (
        "no achievement",
        _drop(_subject, "achievement"),
        "ob3.required",
        "credentialSubject.achievement",
    ),
    (
        "achievement without name",
        _drop(_achievement, "name"),
        "ob3.required",
        "credentialSubject.achievement.name",
    ),
    (
        "achievement without description",
        _drop(_achievement, "description"),
        "ob3.required",
        "credentialSubject.achievement.description",
    ),
    (
        "achievement without criteria",
        _drop(_achievement, "criteria"),
        "ob3.required",
        "credentialSubject.achievement.criteria",
    ),
    (
        "criteria with neither id nor narrative",
        _set(_achievement, "criteria", {"name": "x"}),
        "ob3.required",
        "credentialSubject.achievement.criteria",
    ),
    (
        "achievement without id",
        _drop(_achievement, "id"),
        "ob3.required",
        "credentialSubject.achievement.id",
    ),
    (
        "achievement type missing Achievement",
        _set(_achievement, "type", ["BadgeClass"]),
        "ob3.type",
        "credentialSubject.achievement.type",
    ),
    (
        "alignment without targetUrl",
        lambda d: _achievement(d)["alignment"][0].pop("targetUrl"),
        "ob3.required",
        "credentialSubject.achievement.alignment[0].targetUrl",
    ),
    (
        "image without type",
        lambda d: _achievement(d)["image"].pop("type"),
        "ob3.required",
        "credentialSubject.achievement.image.type",
    ),
    ("image a bare URL", _set(_root, "image", "https://chemins.test/b.png"), "ob3.value", "image"),
    (
        "tag a string",
        _set(_achievement, "tag", "accueil"),
        "ob3.value",
        "credentialSubject.achievement.tag",
    ),
    (
        "evidence without type",
        lambda d: d["evidence"][0].pop("type"),
        "ob3.required",
        "evidence[0].type",
    ),
    (
        "credentialStatus without id",
        _set(_root, "credentialStatus", {"type": "1EdTechRevocationList"}),
        "ob3.required",
        "credentialStatus[0].id",
    ),
    (
        "endorsementJwt not a JWS",
        _set(_root, "endorsementJwt", ["not a jws"]),
        "ob3.value",
        "endorsementJwt[0]",
    ),
]


@pytest.mark.parametrize(("what", "breaker", "code", "path"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_credential_fails_for_the_stated_rule(
    what: str, breaker: Callable[[Doc], None], code: str, path: str
) -> None:
    credential = copy.deepcopy(samples.credential(ORIGIN))
    breaker(credential)
    report = check_achievement_credential(credential, VerificationReport())
    assert (code, path) in [(f.code, f.path) for f in report.errors], report.errors


BROKEN_ENDORSEMENTS: list[tuple[str, Callable[[Doc], None], str, str]] = [
    ("no name", _drop(_root, "name"), "ob3.required", "name"),
    (
        "type without EndorsementCredential",
        _set(_root, "type", ["VerifiableCredential"]),
        "ob3.type",
        "type",
    ),
    ("subject without id", _drop(_subject, "id"), "ob3.required", "credentialSubject.id"),
    (
        "subject of another type",
        _set(_subject, "type", ["AchievementSubject"]),
        "ob3.type",
        "credentialSubject.type",
    ),
    ("no validFrom", _drop(_root, "validFrom"), "ob3.required", "validFrom"),
]


@pytest.mark.parametrize(
    ("what", "breaker", "code", "path"),
    BROKEN_ENDORSEMENTS,
    ids=[b[0] for b in BROKEN_ENDORSEMENTS],
)
def test_broken_endorsement_fails_for_the_stated_rule(
    what: str, breaker: Callable[[Doc], None], code: str, path: str
) -> None:
    endorsement = copy.deepcopy(samples.endorsement(ORIGIN, f"{ORIGIN}/ob/v3/achievements/7"))
    breaker(endorsement)
    report = check_endorsement_credential(endorsement, VerificationReport())
    assert (code, path) in [(f.code, f.path) for f in report.errors], report.errors


def test_vcdm_11_credentials_pass_only_when_allowed() -> None:
    credential = copy.deepcopy(samples.credential(ORIGIN))
    credential["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    credential["issuanceDate"] = credential.pop("validFrom")
    assert check_credential(credential, VerificationReport(), allow_vcdm11=True).errors == []
    assert check_credential(credential, VerificationReport()).has("ob3.context")


def test_issuer_may_be_a_uri() -> None:
    credential = copy.deepcopy(samples.credential(ORIGIN))
    credential["issuer"] = f"{ORIGIN}/ob/v3/issuers/1"
    assert check_credential(credential, VerificationReport()).errors == []


def test_older_ob3_contexts_are_known() -> None:
    credential = copy.deepcopy(samples.credential(ORIGIN))
    credential["@context"][1] = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
    assert check_credential(credential, VerificationReport()).errors == []


def test_a_prefix_places_findings_inside_the_outer_document() -> None:
    endorsement = copy.deepcopy(samples.endorsement(ORIGIN, f"{ORIGIN}/a/7"))
    endorsement.pop("name")
    report = check_credential(endorsement, VerificationReport(), prefix="endorsement[0]")
    assert [f.path for f in report.errors] == ["endorsement[0].name"]


def test_not_an_object() -> None:
    assert check_credential(["x"], VerificationReport()).has("ob3.value")
