"""W3C Bitstring Status List v1.0: is this credential's bit set in its issuer's list?

A credential with ``credentialStatus: {"type": "BitstringStatusListEntry",
"statusPurpose": "revocation", "statusListIndex": "94567", "statusListCredential": <URL>}``
is revoked (or suspended, for the ``suspension`` purpose) when bit 94567 of the list
credential at that URL is 1. The list is one GZIP-compressed bitstring shared by many
credentials, written as multibase base64url in ``credentialSubject.encodedList``; bit 0
is the left-most bit of the first byte. Fetching the list tells its host nothing about
which credential is being checked, which is the point of the design.

This module reads entries and lists; fetching the list and verifying its own proof are
the verifier's job (:mod:`badges.openbadges.verify_ob3`).
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from badges.openbadges import multibase

ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
# A list expands to a few kilobytes to megabytes; refusing more keeps a small compressed
# "list" from filling memory (a decompression bomb).
MAX_LIST_BYTES = 16 * 1024 * 1024


class StatusListError(ValueError):
    """The entry or the list cannot be read."""


@dataclass(frozen=True)
class StatusEntry:
    purpose: str
    index: int
    list_url: str


def _types(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def read_entry(entry: Mapping[str, Any]) -> StatusEntry:
    """The purpose, index and list URL of a ``BitstringStatusListEntry``."""
    if entry.get("type") != ENTRY_TYPE:
        raise StatusListError(f"not a {ENTRY_TYPE}")
    purpose = entry.get("statusPurpose")
    url = entry.get("statusListCredential")
    index = entry.get("statusListIndex")
    if not isinstance(purpose, str) or not purpose:
        raise StatusListError("the entry has no statusPurpose")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise StatusListError("the entry's statusListCredential is not an http(s) URL")
    if not isinstance(index, str) or not index.isdigit() or not index.isascii():
        raise StatusListError("the entry's statusListIndex is not a non-negative integer string")
    size = entry.get("statusSize", 1)
    if size != 1:
        raise StatusListError("status entries of more than one bit (statusSize) are not read")
    return StatusEntry(purpose, int(index), url)


def _decode(encoded: Any) -> bytes:
    if not isinstance(encoded, str):
        raise StatusListError("the list has no encodedList")
    try:
        if encoded.startswith("H4sI"):  # base64url of a GZIP header: StatusList2021 style
            compressed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        else:
            compressed = multibase.decode(encoded)
    except (multibase.MultibaseError, binascii.Error, ValueError) as exc:
        raise StatusListError(f"the encodedList is not base64url: {exc}") from exc
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        bits = inflater.decompress(compressed, MAX_LIST_BYTES)
    except zlib.error as exc:
        raise StatusListError("the encodedList is not GZIP-compressed") from exc
    if inflater.unconsumed_tail:
        raise StatusListError(f"the list expands beyond {MAX_LIST_BYTES} bytes")
    return bits


def encode_list(bits: bytes) -> str:
    """``bits`` as an ``encodedList`` value (GZIP, then multibase base64url)."""
    compressed = zlib.compress(bits, wbits=16 + zlib.MAX_WBITS)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def is_set(list_credential: Any, entry: StatusEntry) -> bool:
    """True if the entry's bit is 1 in ``list_credential``.

    The list must be a ``BitstringStatusListCredential`` whose subject is a
    ``BitstringStatusList`` for the entry's purpose; an index past its end is an error.
    """
    if not isinstance(list_credential, Mapping):
        raise StatusListError("the status list is not a JSON object")
    if LIST_CREDENTIAL_TYPE not in _types(list_credential.get("type")):
        raise StatusListError(f"the status list is not a {LIST_CREDENTIAL_TYPE}")
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, Mapping) or LIST_TYPE not in _types(subject.get("type")):
        raise StatusListError(f"the status list's subject is not a {LIST_TYPE}")
    if entry.purpose not in _types(subject.get("statusPurpose")):
        raise StatusListError(f"the status list is not for the purpose {entry.purpose}")
    bits = _decode(subject.get("encodedList"))
    byte, bit = divmod(entry.index, 8)
    if byte >= len(bits):
        raise StatusListError("the statusListIndex is past the end of the list")
    return bool(bits[byte] & (0x80 >> bit))
