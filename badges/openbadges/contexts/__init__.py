"""JSON-LD context documents bundled with the library, looked up by their URL.

Verification never fetches a context: a context served from the network could change the
meaning of every term in a badge after it was signed (OB 3.0 context 3.0.1 → 3.0.3
changed term IRIs), and offline verification must not depend on a third-party server
being up. So the normative documents live here as files, and a badge whose ``@context``
names a URL missing from :data:`BUNDLED` is reported as unknown rather than fetched.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

# URL exactly as it appears in ``@context`` → file name in this package.
BUNDLED: dict[str, str] = {
    # W3C Verifiable Credentials Data Model 2.0 (OB 3.0 credentials).
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.json",
    # W3C VCDM 1.1, still read when verifying credentials issued before April 2024.
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.json",
    # 1EdTech Open Badges 3.0 contexts; 3.0.3 is the one we issue with.
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    # Terms for 1EdTechRevocationList, 1EdTechJsonSchemaValidator2019, 1EdTechCredentialRefresh.
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
    # Open Badges 2.0, as published at w3id.org (with the October 2020 targetFramework errata).
    "https://w3id.org/openbadges/v2": "openbadges-v2.json",
    # W3C Data Integrity: terms of DataIntegrityProof for VCDM 1.1 credentials (VCDM 2.0
    # defines them itself), and of Multikey verification methods. Copied verbatim from
    # github.com/w3c/vc-data-integrity contexts/data-integrity/v2 and contexts/multikey/v1
    # (commit 570d764182aa915427da16bdd4514af874fb86ed).
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.json",
    "https://w3id.org/security/multikey/v1": "multikey-v1.json",
    # Contexts of the W3C "Data Integrity EdDSA Cryptosuites v1.0" test vectors:
    # the VCDM 2.0 examples context (github.com/w3c/vc-data-model
    # contexts/credentials/examples/v2, commit 979c4af1cfe2224ed7b0ee5ec4d7a009a465812b)
    # and the W3C CCG citizenship vocabulary (github.com/w3c-ccg/citizenship-vocab
    # contexts/citizenship-v4rc1.jsonld, commit 50a3689e39103b30de6c5b6c92e7230ea924980a).
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.json",
    # Ed25519Signature2020 terms, which issuers such as the Digital Credentials Consortium
    # add to credentials and status lists (github.com/w3c/vc-di-eddsa
    # contexts/lds-ed25519-2020-v1.json, commit abb673eb9df673e24a8eaf939337de74759b5f8d).
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-2020-v1.json",
    "https://w3id.org/citizenship/v4rc1": "citizenship-v4rc1.json",
}


def is_bundled(url: str) -> bool:
    """True if the context at ``url`` ships with the library."""
    return url in BUNDLED


@cache
def _read(filename: str) -> str:
    return resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")


def load_context(url: str) -> dict[str, Any] | None:
    """The context document for ``url`` (a fresh copy), or None if it is not bundled."""
    filename = BUNDLED.get(url)
    if filename is None:
        return None
    return json.loads(_read(filename))


@cache
def terms(url: str) -> frozenset[str]:
    """The terms a bundled context maps (empty if not bundled).

    A JSON key that no context maps is dropped by JSON-LD processing, so it is not part
    of what the badge says; verifiers use this set to point such keys out.
    """
    document = load_context(url)
    if document is None:
        return frozenset()
    context = document.get("@context", {})
    return frozenset(k for k in context if isinstance(k, str) and not k.startswith("@"))
