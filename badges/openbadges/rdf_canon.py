"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, offline.

Data Integrity signs what a credential *means*, not its JSON bytes: the document is
turned into RDF statements through its JSON-LD contexts and serialised in the canonical
N-Quads form of W3C RDF Dataset Canonicalization (RDFC-1.0, published by pyld as
``URDNA2015``, the same algorithm under its earlier name). pyld does the work; this module
fixes the choices that matter for a verifier:

- contexts come only from :mod:`badges.openbadges.contexts`. A context fetched at
  verification time could give the signed statements another meaning (or make an
  unsigned document look signed), and verification must not depend on third-party
  servers being up. A context that is not bundled stops canonicalisation with an error;
- a member that no context defines, or a ``type``/``id`` left as a relative reference, is
  an error ("safe mode", as Digital Bazaar's jsonld-signatures has it): JSON-LD would
  silently drop the member or keep a reference whose meaning depends on where the
  document is read, so it would not be signed as a reader sees it;
- a document with more blank nodes than :data:`MAX_BLANK_NODES` is refused before
  canonicalisation, because the algorithm's cost grows very fast on crafted blank-node
  graphs ("poison graphs", RDFC-1.0 §4.4) and a badge needs a few dozen at most.
"""

from __future__ import annotations

import re
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from badges.openbadges.contexts import load_context

MAX_BLANK_NODES = 256
_BLANK_NODE = re.compile(r"_:[A-Za-z0-9_.-]+")


class CanonicalizationError(ValueError):
    """The document cannot be turned into canonical RDF (a context is missing, bad JSON-LD)."""


def _bundled_only(url: str, options: Any = None) -> dict[str, Any]:
    """A pyld document loader serving bundled contexts and refusing everything else."""
    document = load_context(url)
    if document is None:
        raise CanonicalizationError(f"JSON-LD context {url[:120]} is not bundled")
    return {"contextUrl": None, "documentUrl": url, "document": document}


def _options() -> dict[str, Any]:
    """pyld options for one canonicalisation.

    The resolved-context cache is made per call: pyld's global one could hold contexts
    another caller loaded from the network, and a cache shared across threads is not safe
    (cachetools caches are not thread-safe). Resolving again costs a few milliseconds.
    """
    return {
        "documentLoader": _bundled_only,
        "contextResolver": ContextResolver(LRUCache(maxsize=64), _bundled_only),
        "processingMode": "json-ld-1.1",
        "base": None,  # relative references stay relative (pyld turns "" into a fake base)
    }


def canonicalize(document: dict[str, Any]) -> str:
    """The RDFC-1.0 canonical N-Quads of the JSON-LD ``document`` (UTF-8 text).

    Raises :class:`CanonicalizationError` when a context is not bundled, a member is
    defined by no context, the JSON-LD is invalid, or there are too many blank nodes.
    """
    options = _options()
    try:
        expanded = jsonld.expand(document, options, on_property_dropped=_refuse_dropped)
        _refuse_relative_references(expanded)
        nquads = jsonld.to_rdf(expanded, {**options, "format": "application/n-quads"})
    except CanonicalizationError:
        raise
    except jsonld.JsonLdError as exc:
        raise CanonicalizationError(_reason(exc)) from exc
    blank_nodes = set(_BLANK_NODE.findall(nquads))
    if len(blank_nodes) > MAX_BLANK_NODES:
        raise CanonicalizationError(
            f"the document has {len(blank_nodes)} blank nodes (at most {MAX_BLANK_NODES})"
        )
    try:
        return jsonld.normalize(
            nquads,
            {
                "algorithm": "URDNA2015",
                "inputFormat": "application/n-quads",
                "format": "application/n-quads",
            },
        )
    except jsonld.JsonLdError as exc:
        raise CanonicalizationError(_reason(exc)) from exc


def _refuse_dropped(expanded_property: str | None) -> None:
    named = f" ({expanded_property[:60]})" if expanded_property else ""
    raise CanonicalizationError(
        f"a member{named} is defined by no JSON-LD context, so a signature would not cover it"
    )


# An IRI with a scheme, a blank node label, or a keyword (``@json``) once expanded.
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|_:|@")


def _refuse_relative_references(node: Any) -> None:
    """Raise on an expanded ``@type`` or ``@id`` that is neither an IRI nor a blank node."""
    if isinstance(node, list):
        for item in node:
            _refuse_relative_references(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in ("@type", "@id") and "@value" not in node:
            for reference in value if isinstance(value, list) else [value]:
                if isinstance(reference, str) and not _ABSOLUTE_IRI.match(reference):
                    name = "type" if key == "@type" else "id"
                    raise CanonicalizationError(
                        f"relative {name} reference {reference[:60]!r}: no JSON-LD context"
                        " defines it, so a signature would not cover its meaning"
                    )
        elif key != "@value":
            _refuse_relative_references(value)


def _reason(exc: BaseException) -> str:
    """The innermost cause pyld chained, which names the actual problem."""
    while exc.__cause__ is not None:
        if isinstance(exc.__cause__, CanonicalizationError):
            return str(exc.__cause__)
        exc = exc.__cause__
    return f"invalid JSON-LD: {str(exc).splitlines()[0][:200]}"
