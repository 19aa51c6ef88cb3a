"""LTI claim and scope URIs are spelled in one module: lti_tool/lti1p3/claims.py."""

from __future__ import annotations

from pathlib import Path

from lti_tool.lti1p3 import claims

ROOT = Path(__file__).resolve().parents[3]
SPELLING = "https://purl.imsglobal.org/spec/lti"
#: Migrations are history: they are never edited and never import application code.
MIGRATIONS = ROOT / "badges" / "storage" / "migrations"


def _spellers() -> set[str]:
    found = set()
    for package in ("lti_tool", "badges"):
        for path in (ROOT / package).rglob("*.py"):
            if MIGRATIONS in path.parents or path == Path(claims.__file__).resolve():
                continue
            if SPELLING in path.read_text(encoding="utf-8"):
                found.add(path.relative_to(ROOT).as_posix())
    return found


def test_no_module_but_claims_spells_an_lti_uri() -> None:
    assert _spellers() == set(), "import these URIs from lti_tool.lti1p3.claims"


def test_the_names_are_the_specifications() -> None:
    assert claims.CUSTOM == "https://purl.imsglobal.org/spec/lti/claim/custom"
    assert claims.DEEP_LINKING_SETTINGS == (
        "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
    )
    assert claims.AGS_ENDPOINT == "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
    assert claims.AGS_SCORE_SCOPE == "https://purl.imsglobal.org/spec/lti-ags/scope/score"
    assert claims.NRPS_CLAIM == ("https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice")
    assert claims.NRPS_SCOPE == (
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
    )
    assert len(set(claims.AGS_SCOPES)) == 4
    assert all(scope.startswith(claims.AGS_SCOPE) for scope in claims.AGS_SCOPES)
