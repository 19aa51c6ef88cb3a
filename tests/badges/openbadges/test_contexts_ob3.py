"""The bundled OB 3.0 contexts: present, parseable, and defining the terms we emit."""

from __future__ import annotations

import pytest

from badges.openbadges.contexts import is_bundled, load_context
from badges.openbadges.ob3 import OB3_CONTEXT, OB3_EXTENSIONS_CONTEXT, VCDM_V2_CONTEXT

OB3_URLS = [
    VCDM_V2_CONTEXT,
    "https://www.w3.org/2018/credentials/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    OB3_CONTEXT,
    OB3_EXTENSIONS_CONTEXT,
]


@pytest.mark.parametrize("url", OB3_URLS)
def test_each_context_is_bundled_and_is_a_json_ld_context(url: str) -> None:
    assert is_bundled(url)
    document = load_context(url)
    assert isinstance(document, dict)
    assert isinstance(document["@context"], dict)


def test_unknown_contexts_are_not_bundled() -> None:
    assert load_context("https://example.org/context.json") is None
    assert not is_bundled("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.9.json")


def test_the_terms_we_emit_are_defined() -> None:
    vcdm = load_context(VCDM_V2_CONTEXT)["@context"]
    ob = load_context(OB3_CONTEXT)["@context"]
    extensions = load_context(OB3_EXTENSIONS_CONTEXT)["@context"]
    assert "VerifiableCredential" in vcdm
    assert "validFrom" in vcdm["VerifiableCredential"]["@context"]
    for term in (
        "OpenBadgeCredential",
        "EndorsementCredential",
        "Achievement",
        "AchievementSubject",
        "Profile",
        "IdentityObject",
        "Evidence",
        "Alignment",
        "Image",
        "awardedDate",
    ):
        assert term in ob, term
    assert "1EdTechRevocationList" in extensions


def test_a_loaded_context_is_a_copy() -> None:
    load_context(OB3_CONTEXT)["@context"].clear()
    assert load_context(OB3_CONTEXT)["@context"]
