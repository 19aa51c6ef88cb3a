"""From a proof's ``verificationMethod`` to an Ed25519 public key its controller vouches for.

A Data Integrity proof names its key by URL. Three kinds are read here:

- ``did:key:z6Mk…#z6Mk…``: the identifier *is* the public key (multicodec Ed25519), so
  nothing is fetched (W3C CCG "The did:key Method");
- ``did:web:example.org[:path…]#frag``: the DID document at
  ``https://example.org/.well-known/did.json`` (or ``https://example.org/path…/did.json``)
  lists the method (W3C CCG "did:web Method Specification");
- an https URL: the controller document at the URL without its fragment, as the OB 3.0
  examples publish an issuer's key under its profile (W3C Controlled Identifiers). Plain
  http is read too, like VC-JWT ``kid`` URLs: the key must still be on the issuer's origin.

Every kind becomes a controller document, and one rule applies to all: the method must be
listed there, controlled by that document, and referenced under the proof's purpose
(``assertionMethod``) — a key listed only for authentication does not sign credentials.
Documents are fetched through the caller's ``fetch_json`` (the guarded client in
Chemins). :func:`belongs_to_issuer` says whether the controller is the credential's
issuer: anyone can sign with a key of their own, so a valid signature alone proves nothing
about who issued a credential.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from badges.openbadges import multikey
from badges.openbadges.loader import LoaderError

DID_ACCEPT = "application/did+ld+json, application/did+json, application/ld+json, application/json"
ED25519_TYPES = ("Multikey", "Ed25519VerificationKey2020", "JsonWebKey", "JsonWebKey2020")

# did:web's method-specific id: host (port percent-encoded as %3A), then ':'-separated path.
_DID_WEB = re.compile(r"did:web:([A-Za-z0-9.-]+(?:%3[Aa][0-9]{1,5})?)((?::[A-Za-z0-9._~%-]+)*)\Z")


class MethodError(ValueError):
    """The verification method cannot be resolved to a key its controller vouches for."""


class MethodUnavailable(MethodError):
    """The document holding the method could not be fetched (possibly a passing failure)."""


@dataclass(frozen=True)
class VerificationMethod:
    id: str
    controller: str
    public_key: Ed25519PublicKey


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def did_web_url(did: str) -> str:
    """The https URL of the DID document of a did:web identifier (no fragment)."""
    match = _DID_WEB.match(did)
    if match is None:
        raise MethodError(f"not a did:web identifier we can resolve: {did[:120]}")
    host = unquote(match.group(1))
    parts = [unquote(part) for part in match.group(2).split(":") if part]
    if any(part in ("", ".", "..") or "/" in part for part in parts):
        raise MethodError("the did:web path has an unusable segment")
    path = "/".join(parts) if parts else ".well-known"
    return f"https://{host}/{path}/did.json"


def _did_key_document(did: str) -> dict[str, Any]:
    """The DID document a did:key expands to: one Ed25519 Multikey, for every purpose."""
    value = did.removeprefix("did:key:")
    multikey.public_key(value)  # raises MultikeyError for anything but Ed25519
    method_id = f"{did}#{value}"
    return {
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": value,
            }
        ],
        "assertionMethod": [method_id],
        "authentication": [method_id],
    }


def _controller_document(
    method_id: str, fetch_json: Callable[[str, str], Any]
) -> tuple[str, Mapping[str, Any]]:
    """``(expected document id, document)`` for the method's controller."""
    base = _without_fragment(method_id)
    if method_id.startswith("did:key:"):
        try:
            return base, _did_key_document(base)
        except multikey.MultikeyError as exc:
            raise MethodError(f"unusable did:key: {exc}") from exc
    if method_id.startswith("did:web:"):
        url = did_web_url(base)
    elif urlsplit(method_id).scheme in ("https", "http"):
        url = base  # http only reaches hosts the caller's loader lets through
    else:
        raise MethodError("the verification method is neither did:key, did:web nor an https URL")
    try:
        document = fetch_json(url, DID_ACCEPT)
    except LoaderError as exc:
        raise MethodUnavailable(f"cannot fetch {url}: {exc}") from exc
    if not isinstance(document, Mapping):
        raise MethodError(f"{url} is not a controller document")
    return base, document


def _absolute(reference: Any, document_id: str) -> Any:
    """A method reference made absolute (``#key-1`` is relative to the document id)."""
    if isinstance(reference, str) and reference.startswith("#"):
        return document_id + reference
    return reference


def _entries(value: Any) -> Iterator[Any]:
    """The items of a member that may be one value or an array."""
    if isinstance(value, list):
        yield from value
    elif value is not None:
        yield value


def _find_method(
    document: Mapping[str, Any], document_id: str, method_id: str, purpose: str
) -> Mapping[str, Any]:
    """The method object with ``method_id``, which must be referenced under ``purpose``."""
    found: Mapping[str, Any] | None = None
    for entry in (*_entries(document.get("verificationMethod")), *_entries(document.get(purpose))):
        if isinstance(entry, Mapping) and _absolute(entry.get("id"), document_id) == method_id:
            found = entry
            break
    if found is None:
        raise MethodError(f"{document_id} does not list the verification method")
    listed = any(
        _absolute(entry if isinstance(entry, str) else entry.get("id"), document_id) == method_id
        for entry in _entries(document.get(purpose))
        if isinstance(entry, str | Mapping)
    )
    if not listed:
        raise MethodError(f"{document_id} does not list the verification method under {purpose}")
    return found


def _jwk_key(jwk: Any) -> Ed25519PublicKey:
    if not isinstance(jwk, Mapping) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise MethodError("the publicKeyJwk is not an Ed25519 (OKP) key")
    if "d" in jwk:
        raise MethodError("the publicKeyJwk carries a private key")
    x = jwk.get("x")
    try:
        raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)) if isinstance(x, str) else b""
    except (binascii.Error, ValueError) as exc:
        raise MethodError("the publicKeyJwk x is not base64url") from exc
    if len(raw) != 32:
        raise MethodError("the publicKeyJwk x is not a 32-byte Ed25519 key")
    return Ed25519PublicKey.from_public_bytes(raw)


def _public_key(method: Mapping[str, Any]) -> Ed25519PublicKey:
    if method.get("type") not in ED25519_TYPES:
        raise MethodError(f"verification method type {str(method.get('type'))[:40]} is not read")
    if "publicKeyMultibase" in method:
        try:
            return multikey.public_key(method["publicKeyMultibase"])
        except multikey.MultikeyError as exc:
            raise MethodError(f"publicKeyMultibase: {exc}") from exc
    if "publicKeyJwk" in method:
        return _jwk_key(method["publicKeyJwk"])
    raise MethodError("the verification method has no publicKeyMultibase or publicKeyJwk")


def resolve(
    method_id: str,
    fetch_json: Callable[[str, str], Any],
    *,
    purpose: str = "assertionMethod",
) -> VerificationMethod:
    """The key ``method_id`` names, vouched for by its controller for ``purpose``.

    ``fetch_json(url, accept)`` returns parsed JSON or raises
    :class:`~badges.openbadges.loader.LoaderError`. Raises :class:`MethodUnavailable` when
    a document cannot be fetched and :class:`MethodError` for everything else.
    """
    if isinstance(method_id, str) and method_id.startswith("did:key:") and "#" not in method_id:
        # Several issuers name a did:key method by the bare DID; it has only one key.
        method_id = f"{method_id}#{method_id.removeprefix('did:key:')}"
    if not isinstance(method_id, str) or "#" not in method_id:
        raise MethodError("the verification method must be a URL with a #fragment")
    document_id, document = _controller_document(method_id, fetch_json)
    if document.get("id") != document_id:
        raise MethodError(f"the controller document's id is not {document_id}")
    method = _find_method(document, document_id, method_id, purpose)
    if _absolute(method.get("controller"), document_id) != document_id:
        raise MethodError("the verification method is controlled by another document")
    return VerificationMethod(method_id, document_id, _public_key(method))


def _origin(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return parts.scheme, parts.netloc.lower()


def belongs_to_issuer(method_id: str, issuer: str | None) -> bool:
    """True if the method ``method_id`` names can only be controlled by the issuer.

    A DID method (``did:…#frag``) must be the issuer id's own DID; a key published over
    https must live on the issuer id's origin, the rule VC-JWT ``kid`` URLs follow too.
    Decided from the URL alone, so nothing is fetched for a key that could not count.
    """
    if issuer is None or not isinstance(method_id, str):
        return False
    if method_id.startswith("did:"):
        return _without_fragment(method_id) == _without_fragment(issuer)
    origin = _origin(method_id)
    return origin is not None and origin == _origin(issuer)
