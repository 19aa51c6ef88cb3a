"""Recipient hashing against the spec's vector and the hashes real servers wrote."""

from __future__ import annotations

import hashlib
import json

import pytest

from badges.openbadges.hashing import (
    IdentityHashError,
    hash_identity,
    identity_matches,
    new_salt,
    recipient_matches,
)

from .conftest import BADGR, LEARNER, MOODLE


def test_unsalted_vector_from_the_spec() -> None:
    assert hash_identity("mayze") == (
        "sha256$7a1a1b3f7d40552e4299180e346e3add12bf9a751a43d9c4ca4518febc2c60c6"
    )


def test_salt_is_appended_as_moodle_does() -> None:
    recipient = json.loads((MOODLE / "assertion_obv2.json").read_bytes())["recipient"]
    assert hash_identity(LEARNER, recipient["salt"]) == recipient["identity"]
    assert identity_matches(recipient["identity"], LEARNER, recipient["salt"])


def test_badgr_per_assertion_salt() -> None:
    recipient = json.loads((BADGR / "assertions.json").read_bytes())["result"][0]["recipient"]
    assert hash_identity(LEARNER, recipient["salt"]) == recipient["identity"]
    # Prepending the salt (a common mistake) must not match.
    prepended = "sha256$" + hashlib.sha256((recipient["salt"] + LEARNER).encode()).hexdigest()
    assert not identity_matches(prepended, LEARNER, recipient["salt"])


def test_another_address_does_not_match() -> None:
    hashed = hash_identity(LEARNER, "s4lt")
    assert not identity_matches(hashed, "learner2@example.com", "s4lt")
    assert not identity_matches(hashed, LEARNER, "other-salt")


def test_email_case_and_spaces_do_not_matter_but_other_types_are_exact() -> None:
    hashed = hash_identity(LEARNER, "s4lt")
    assert identity_matches(hashed, " Learner1@Example.COM ", "s4lt")
    url_hash = hash_identity("https://example.org/me", None)
    assert not identity_matches(url_hash, "https://EXAMPLE.org/me", None, identity_type="url")


def test_md5_is_accepted_when_verifying_and_hex_case_is_ignored() -> None:
    digest = hashlib.md5(b"mayzesalt", usedforsecurity=False).hexdigest().upper()
    assert identity_matches(f"MD5${digest}", "mayze", "salt")


@pytest.mark.parametrize(
    "hashed", ["mayze", "sha1$abcd", "sha256$zz", "sha256$" + "a" * 63, "md5$" + "0" * 64]
)
def test_what_is_not_a_hash_is_an_error_not_a_mismatch(hashed: str) -> None:
    with pytest.raises(IdentityHashError):
        identity_matches(hashed, "mayze")


def test_plain_identity_object() -> None:
    assert recipient_matches({"type": "email", "hashed": False, "identity": LEARNER}, LEARNER)
    assert not recipient_matches({"type": "email", "hashed": False, "identity": "x@y.z"}, LEARNER)
    assert not recipient_matches({"type": "email", "hashed": True}, LEARNER)


def test_new_salts_are_random_and_long() -> None:
    salts = {new_salt() for _ in range(100)}
    assert len(salts) == 100
    assert all(len(salt) == 32 for salt in salts)
