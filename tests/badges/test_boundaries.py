"""The domain's edges, read from the source (an AST walk, so an import inside a function
counts too): ``badges`` never imports Flask or the web side, and ``badges.openbadges``
imports neither the database nor the rest of the domain, so anyone can reuse it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BADGES = Path(__file__).resolve().parents[2] / "badges"


def _imports(source: str, package: str) -> set[str]:
    """Every module name ``source`` (a module of ``package``) imports, made absolute."""
    tree = ast.parse(source)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                names.add(f"{base}.{node.module}" if node.module else base)
            else:
                names.add(node.module or "")
    return names


def _modules(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "migrations" not in p.parts)


def _offending(root: Path, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in _modules(root):
        bad = sorted(
            name
            for name in _imports(
                path.read_text(encoding="utf-8"),
                ".".join(path.relative_to(BADGES.parent).parts[:-1]),
            )
            if any(name == f or name.startswith(f + ".") for f in forbidden)
        )
        if bad:
            found[str(path.relative_to(BADGES.parent))] = bad
    return found


def test_the_domain_never_imports_flask_or_the_web_side() -> None:
    assert _modules(BADGES), "no module found: the walk looks in the wrong place"
    assert _offending(BADGES, ("flask", "flask_babel", "flask_wtf", "werkzeug", "lti_tool")) == {}


def test_the_standards_library_needs_no_database_and_no_domain() -> None:
    domain = [
        f"badges.{p.stem}"
        for p in BADGES.iterdir()
        if p.name not in ("openbadges", "__pycache__", "__init__.py")
        and (p.is_dir() or p.suffix == ".py")
    ]
    assert "badges.models" in domain and "badges.roles" in domain
    forbidden = ("sqlalchemy", "alembic", "flask", "lti_tool", *domain)
    assert _offending(BADGES / "openbadges", forbidden) == {}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import flask\n", {"flask"}),
        ("def f():\n    from lti_tool.app import create_app\n", {"lti_tool.app"}),
        ("from . import hosted\n", {"badges.publishing"}),
        ("from ..models import Assertion\n", {"badges.models"}),
    ],
)
def test_the_walk_sees_every_kind_of_import(source, expected) -> None:
    """The checks above are only as good as this walk: it must see late and relative imports."""
    assert _imports(source, "badges.publishing") == expected
