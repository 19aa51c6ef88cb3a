"""Multibase: the self-describing text encodings of Data Integrity proofs and keys.

A multibase string starts with one character naming its alphabet (W3C Controlled
Identifiers, "Multibase"). Data Integrity uses two: ``z`` (base58btc, Bitcoin alphabet)
for signatures and Multikey public keys, and ``u`` (base64url without padding) for the
``encodedList`` of a Bitstring Status List. Anything else is refused rather than guessed.
"""

from __future__ import annotations

import base64
import binascii

import base58

BASE58BTC = "z"
BASE64URL = "u"


class MultibaseError(ValueError):
    """The text is not multibase in an encoding this library reads."""


def encode_base58btc(data: bytes) -> str:
    """``data`` as multibase base58btc (``z`` followed by Bitcoin-alphabet base58)."""
    return BASE58BTC + base58.b58encode(data).decode("ascii")


def decode(text: str) -> bytes:
    """The bytes of a base58btc (``z``) or base64url (``u``) multibase string."""
    if not isinstance(text, str) or len(text) < 2:
        raise MultibaseError("not a multibase string")
    prefix, body = text[0], text[1:]
    if prefix == BASE58BTC:
        try:
            return base58.b58decode(body.encode("ascii"))
        except (ValueError, UnicodeEncodeError) as exc:
            raise MultibaseError("invalid base58btc") from exc
    if prefix == BASE64URL:
        if "=" in body:
            raise MultibaseError("base64url multibase must not be padded")
        try:
            return base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MultibaseError("invalid base64url") from exc
    raise MultibaseError(f"unsupported multibase prefix {prefix!r}")


def decode_base58btc(text: str) -> bytes:
    """The bytes of ``text``, which must be base58btc: signatures and keys allow no other."""
    if not isinstance(text, str) or not text.startswith(BASE58BTC):
        raise MultibaseError("expected multibase base58btc (a value starting with 'z')")
    return decode(text)
