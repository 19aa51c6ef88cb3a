"""W3C Bitstring Status List: entries, bits, and a list published by another issuer."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from badges.openbadges import status_list
from badges.openbadges.status_list import StatusEntry, StatusListError

DCC_LIST = (
    Path(__file__).parent / "fixtures" / "data_integrity" / "dcc-verifier-core"
) / "status-e5WK8CbZ1GjycuPombrj.json"
LIST_URL = "https://status.example/lists/1"


def _list(bits: bytes, purpose: str | list[str] = "revocation", **changes: Any) -> dict[str, Any]:
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": status_list.encode_list(bits),
        },
    }
    document.update(changes)
    return document


def _entry(index: int, purpose: str = "revocation") -> StatusEntry:
    return status_list.read_entry(
        {
            "id": f"{LIST_URL}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(index),
            "statusListCredential": LIST_URL,
        }
    )


def _bits(*set_indexes: int, size: int = 16 * 1024) -> bytes:
    data = bytearray(size)
    for index in set_indexes:
        data[index // 8] |= 0x80 >> (index % 8)
    return bytes(data)


def test_bit_zero_is_the_left_most_bit() -> None:
    document = _list(_bits(0, 9, 131071))
    assert status_list.is_set(document, _entry(0))
    assert not status_list.is_set(document, _entry(1))
    assert not status_list.is_set(document, _entry(8))
    assert status_list.is_set(document, _entry(9))
    assert status_list.is_set(document, _entry(131071))
    assert not status_list.is_set(document, _entry(131070))


def test_the_encoded_list_is_multibase_base64url_of_gzip() -> None:
    encoded = status_list.encode_list(_bits(3))
    assert encoded.startswith("uH4sI") and "=" not in encoded
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert gzip.decompress(raw) == _bits(3)


def test_the_dccs_published_list() -> None:
    """Revoked at 8 and not at 9, as verifier-core's own tests expect."""
    document = json.loads(DCC_LIST.read_text())
    assert status_list.is_set(document, _entry(8))
    assert not status_list.is_set(document, _entry(9))


def test_a_statuslist2021_style_list_without_multibase_prefix_is_read() -> None:
    document = _list(_bits(5))
    document["credentialSubject"]["encodedList"] = document["credentialSubject"]["encodedList"][1:]
    assert status_list.is_set(document, _entry(5))


def test_a_list_for_several_purposes() -> None:
    document = _list(_bits(4), purpose=["revocation", "suspension"])
    assert status_list.is_set(document, _entry(4, "suspension"))


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_list(_bits(1), purpose="suspension"), "not for the purpose revocation"),
        (_list(_bits(1), type=["VerifiableCredential"]), "not a BitstringStatusListCredential"),
        (
            _list(_bits(1), credentialSubject={"type": "StatusList2021"}),
            "not a BitstringStatusList",
        ),
        (_list(b"\x00" * 2), "past the end"),
        ([], "not a JSON object"),
    ],
)
def test_lists_that_cannot_answer(document: Any, message: str) -> None:
    with pytest.raises(StatusListError, match=message):
        status_list.is_set(document, _entry(100))


@pytest.mark.parametrize(
    "encoded", [None, "zabc", "u!!!", "u" + base64.urlsafe_b64encode(b"plain").decode().rstrip("=")]
)
def test_unreadable_encoded_lists(encoded: Any) -> None:
    document = _list(_bits())
    document["credentialSubject"]["encodedList"] = encoded
    with pytest.raises(StatusListError):
        status_list.is_set(document, _entry(1))


def test_a_decompression_bomb_is_refused() -> None:
    document = _list(b"\x00" * (status_list.MAX_LIST_BYTES + 1))
    assert len(document["credentialSubject"]["encodedList"]) < 50_000
    with pytest.raises(StatusListError, match="expands beyond"):
        status_list.is_set(document, _entry(1))


@pytest.mark.parametrize(
    "changes",
    [
        {"type": "StatusList2021Entry"},
        {"statusPurpose": ""},
        {"statusListIndex": 9},
        {"statusListIndex": "-1"},
        {"statusListIndex": "٣"},
        {"statusListCredential": "file:///etc/passwd"},
        {"statusSize": 2},
    ],
)
def test_unreadable_entries(changes: dict[str, Any]) -> None:
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "9",
        "statusListCredential": LIST_URL,
        **changes,
    }
    with pytest.raises(StatusListError):
        status_list.read_entry(entry)
