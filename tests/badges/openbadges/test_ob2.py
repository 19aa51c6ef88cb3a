"""The OB 2.0 builders produce the spec's shapes, and documents our own verifier accepts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from badges.openbadges import ob2
from badges.openbadges.contexts import terms
from badges.openbadges.hashing import identity_matches
from badges.openbadges.ob2_rules import Rules, Sink
from badges.openbadges.report import VerificationReport

ISSUED = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)
ORIGIN = "https://chemins.test"


def _profile() -> dict:
    return ob2.issuer_profile(
        id=f"{ORIGIN}/ob/v2/issuers/1",
        name="Centre social",
        url=f"{ORIGIN}/",
        email="contact@chemins.test",
        public_key=[f"{ORIGIN}/ob/v2/keys/1"],
        revocation_list=f"{ORIGIN}/ob/v2/revocations/1",
        verification=ob2.issuer_verification(allowed_origins=["cdn.chemins.test"]),
    )


def _badge() -> dict:
    return ob2.badge_class(
        id=f"{ORIGIN}/ob/v2/badges/1",
        name="J'explore",
        description="Explored a trade",
        image=ob2.image_object(id=f"{ORIGIN}/img/1.png", caption="Compass"),
        criteria=ob2.criteria(narrative="Spend a day with a professional", id=f"{ORIGIN}/b/1"),
        issuer=f"{ORIGIN}/ob/v2/issuers/1",
        alignment=[
            ob2.alignment(
                target_name="Mentoring",
                target_url="https://esco.example/skill/1",
                target_framework="ESCO",
                target_code="S1.2",
            )
        ],
        tags=["explore"],
        related=[f"{ORIGIN}/ob/v2/badges/2"],
    )


def _assertion() -> dict:
    return ob2.assertion(
        id=f"{ORIGIN}/ob/v2/assertions/1",
        recipient=ob2.recipient_identity(identity="nathan@example.org"),
        badge=f"{ORIGIN}/ob/v2/badges/1",
        verification=ob2.hosted_verification(),
        issued_on=ISSUED,
        expires=datetime(2028, 1, 1, tzinfo=UTC),
        evidence=[ob2.evidence(id=f"{ORIGIN}/evidence/1", narrative="A photo of the stand")],
        narrative="Held the stand all day",
    )


def _rules() -> tuple[Rules, VerificationReport]:
    report = VerificationReport()
    return Rules(Sink(report)), report


def test_every_document_uses_only_terms_of_the_ob2_context() -> None:
    """Everything we publish means something to a JSON-LD consumer: no unmapped key."""
    rules, report = _rules()
    documents = [
        _profile(),
        _badge(),
        _assertion(),
        ob2.endorsement(
            id=f"{ORIGIN}/ob/v2/endorsements/1",
            claim_id=f"{ORIGIN}/ob/v2/badges/1",
            endorsement_comment="We host these learners",
            issuer=f"{ORIGIN}/ob/v2/partners/1",
            issued_on=ISSUED,
        ),
        ob2.revocation_list(id=f"{ORIGIN}/r", issuer=f"{ORIGIN}/i", revoked={"urn:x": "error"}),
        ob2.cryptographic_key(id=f"{ORIGIN}/k", owner=f"{ORIGIN}/i", public_key_pem="PEM"),
        ob2.revoked_assertion(id=f"{ORIGIN}/a", reason="awarded by mistake"),
    ]
    for document in documents:
        rules.unmapped_terms(document)
        assert document["@context"] == ob2.OB2_CONTEXT
    assert report.warnings == []
    assert {"alignment", "endorsementComment", "revokedAssertions"} <= terms(ob2.OB2_CONTEXT)


def test_the_class_table_accepts_what_we_build() -> None:
    rules, report = _rules()
    rules.profile(_profile(), "issuer")
    rules.badge_class(_badge(), "badge")
    rules.assertion(_assertion())
    assert report.errors == [] and report.warnings == []


def test_assertion_shape() -> None:
    document = _assertion()
    assert document["type"] == "Assertion"
    assert document["issuedOn"] == "2026-11-28T20:00:00Z"
    assert document["expires"] == "2028-01-01T00:00:00Z"
    assert document["verification"] == {"type": "HostedBadge"}
    recipient = document["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    assert identity_matches(recipient["identity"], "nathan@example.org", recipient["salt"])
    assert document["evidence"][0]["type"] == "Evidence"


def test_each_assertion_gets_its_own_salt() -> None:
    first, second = _assertion()["recipient"], _assertion()["recipient"]
    assert first["salt"] != second["salt"]
    assert first["identity"] != second["identity"]


def test_optional_properties_are_absent_never_null_or_empty() -> None:
    document = ob2.assertion(
        id=f"{ORIGIN}/a/2",
        recipient=ob2.recipient_identity(identity="x@y.z", hashed=False),
        badge=_badge(),
        verification=ob2.signed_verification(creator=f"{ORIGIN}/k"),
        issued_on=ISSUED,
    )
    assert set(document) == {
        "@context", "type", "id", "recipient", "badge", "verification", "issuedOn"
    }  # fmt: skip
    assert document["verification"] == {"type": "SignedBadge", "creator": f"{ORIGIN}/k"}
    assert document["recipient"] == {"type": "email", "hashed": False, "identity": "x@y.z"}


def test_endorsement_puts_the_comment_in_the_claim() -> None:
    document = ob2.endorsement(
        id=f"{ORIGIN}/e/1",
        claim_id=f"{ORIGIN}/a/1",
        endorsement_comment="Nathan ran the stand with us",
        issuer={"id": f"{ORIGIN}/p/1", "type": "Profile", "name": "Mairie"},
        issued_on=ISSUED,
        claim={"evidence": f"{ORIGIN}/evidence/9"},
    )
    assert document["claim"] == {
        "evidence": f"{ORIGIN}/evidence/9",
        "id": f"{ORIGIN}/a/1",
        "endorsementComment": "Nathan ran the stand with us",
    }
    assert document["verification"] == {"type": "HostedBadge"}
    assert document["issuer"]["name"] == "Mairie"


def test_revocation_documents() -> None:
    listing = ob2.revocation_list(
        id=f"{ORIGIN}/r", issuer=f"{ORIGIN}/i", revoked={"urn:uuid:1": None, "urn:uuid:2": "x"}
    )
    assert listing["revokedAssertions"] == [
        {"id": "urn:uuid:1"},
        {"id": "urn:uuid:2", "revocationReason": "x"},
    ]
    gone = ob2.revoked_assertion(id=f"{ORIGIN}/a/1", reason="awarded by mistake")
    assert gone["revoked"] is True and gone["revocationReason"] == "awarded by mistake"
    withdrawn = ob2.revoked_endorsement(id=f"{ORIGIN}/e/1", issuer=f"{ORIGIN}/p/1")
    assert withdrawn["revoked"] is True and "claim" not in withdrawn


def test_issuer_verification_policy() -> None:
    policy = ob2.issuer_verification(starts_with=[f"{ORIGIN}/ob/v2/"])
    assert policy == {
        "type": "VerificationObject",
        "verificationProperty": "id",
        "startsWith": [f"{ORIGIN}/ob/v2/"],
    }


@pytest.mark.parametrize(
    "build",
    [
        lambda: ob2.issuer_profile(id="https://x/i", name="X", url="https://x", email=""),
        lambda: ob2.criteria(),
        lambda: ob2.evidence(),
        lambda: ob2.alignment(target_name="", target_url="https://x"),
        lambda: ob2.signed_verification(creator=""),
        lambda: ob2.assertion(
            id="https://x/a",
            recipient={},
            badge="https://x/b",
            verification={},
            issued_on=datetime(2026, 1, 1),
        ),
        lambda: ob2.assertion(
            id="https://x/a",
            recipient={},
            badge="https://x/b",
            verification={},
            issued_on=ISSUED,
            expires=datetime(2020, 1, 1, tzinfo=UTC),
        ),
    ],
)
def test_builders_refuse_documents_the_spec_forbids(build) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        build()
