"""The bundled OB 2.0 context: the published document, read offline, never fetched."""

from __future__ import annotations

from badges.openbadges.contexts import is_bundled, load_context, terms
from badges.openbadges.ob2 import OB2_CONTEXT


def test_the_ob2_context_is_bundled_under_its_url() -> None:
    assert is_bundled(OB2_CONTEXT)
    document = load_context(OB2_CONTEXT)
    assert document is not None
    context = document["@context"]
    assert context["obi"] == "https://w3id.org/openbadges#"
    assert context["verify"] == "verification"  # the alias Moodle still writes
    assert context["revokedAssertions"] == {"@id": "obi:revoked"}


def test_it_carries_the_2020_target_framework_errata() -> None:
    context = load_context(OB2_CONTEXT)["@context"]  # type: ignore[index]
    assert context["targetFramework"] == {"@id": "schema:educationalFramework"}


def test_terms_are_what_json_ld_keeps() -> None:
    known = terms(OB2_CONTEXT)
    assert {"alignment", "badge", "issuedOn", "endorsementComment", "publicKey"} <= known
    assert "alignments" not in known  # Moodle's plural is dropped by consumers
    assert not any(term.startswith("@") for term in known)
    assert terms("https://example.org/not-bundled") == frozenset()
