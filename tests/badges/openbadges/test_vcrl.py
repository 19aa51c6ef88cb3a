"""The 1EdTech revocation list: what we publish, and reading both spellings of the member."""

from __future__ import annotations

import pytest

from badges.openbadges import vcrl

LIST = "https://chemins.test/ob/v3/revocations/1"
ISSUER = "https://chemins.test/ob/v3/issuers/1"
C1 = "https://chemins.test/ob/v3/credentials/1"
C2 = "https://chemins.test/ob/v3/credentials/2"


def test_published_list_names_each_revoked_credential_under_both_spellings() -> None:
    document = vcrl.revocation_list(LIST, ISSUER, [(C1, "awarded by mistake"), (C2, None)])
    assert document["id"] == LIST
    assert document["issuer"] == ISSUER
    expected = [
        {"id": C1, "revoked": True, "revocationReason": "awarded by mistake"},
        {"id": C2, "revoked": True},
    ]
    assert document["revokedCredentials"] == expected
    assert document["revokedCredential"] == expected


def test_empty_list_is_still_a_list() -> None:
    document = vcrl.revocation_list(LIST, ISSUER, [])
    assert vcrl.is_revoked(document, C1) == (False, None)


@pytest.mark.parametrize("member", ["revokedCredentials", "revokedCredential"])
def test_either_spelling_is_read(member: str) -> None:
    document = {"id": LIST, member: [{"id": C2}, {"id": C1, "revocationReason": "fraud"}]}
    assert vcrl.is_revoked(document, C1) == (True, "fraud")
    assert vcrl.is_revoked(document, C2) == (True, None)
    assert vcrl.is_revoked(document, "https://chemins.test/ob/v3/credentials/3") == (False, None)


def test_a_list_with_exactly_one_entry() -> None:
    assert vcrl.is_revoked({"revokedCredentials": [{"id": C1}]}, C1)[0] is True
    assert vcrl.is_revoked({"revokedCredential": {"id": C1}}, C1)[0] is True


def test_revoked_false_means_reinstated() -> None:
    document = {"revokedCredentials": [{"id": C1, "revoked": False}]}
    assert vcrl.is_revoked(document, C1) == (False, None)


def test_ids_match_exactly() -> None:
    document = {"revokedCredentials": [{"id": C1 + "0"}, {"id": C1.upper()}]}
    assert vcrl.is_revoked(document, C1)[0] is False


@pytest.mark.parametrize("document", [[], "revoked", {"id": LIST}, {"revoked": []}])
def test_a_document_that_is_not_a_list_is_refused(document: object) -> None:
    with pytest.raises(vcrl.RevocationListError):
        vcrl.is_revoked(document, C1)
