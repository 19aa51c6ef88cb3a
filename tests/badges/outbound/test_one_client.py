"""No module opens its own HTTP client: every outbound call goes through badges.outbound.

A plain ``requests.Session()`` or ``requests.get(...)`` anywhere in the tool would be a
call with no address check, no total deadline and no size cap. Every package the wheel
ships is checked; the demo LMS and the tests play the platform's side and are exempt.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.shipped_packages import ROOT, shipped_packages

ALLOWED = ROOT / "badges" / "outbound"
#: ``requests`` functions that send (or make a session that would).
SENDING = {"Session", "session", "request", "get", "post", "put", "patch", "delete", "head"}
#: Other standard ways to open a connection.
OTHER_CLIENTS = {
    ("urllib.request", "urlopen"),
    ("http.client", "HTTPConnection"),
    ("http.client", "HTTPSConnection"),
    ("urllib3", "PoolManager"),
    ("urllib3", "request"),
}


def _modules() -> list[Path]:
    """Every module the wheel ships (``connectors/`` too once it exists), but the client's."""
    found: list[Path] = []
    for package in shipped_packages():
        found += [p for p in package.rglob("*.py") if ALLOWED not in p.parents]
    return sorted(found)


def _dotted(node: ast.expr, names: dict[str, str]) -> str | None:
    """``requests.get`` for ``r.get`` after ``import requests as r``; None if unknown."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.insert(0, node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in names:
        return None
    return ".".join([names[node.id], *parts])


def _annotations(tree: ast.AST) -> set[int]:
    """Ids of the nodes inside type annotations (naming a type creates nothing)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        roots: list[ast.expr | None] = []
        if isinstance(node, ast.arg | ast.AnnAssign):
            roots.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            roots.append(node.returns)
        for root in roots:
            if root is not None:
                inside.update(id(n) for n in ast.walk(root))
    return inside


def _violations(source: str) -> list[str]:
    """Uses such as ``requests.Session()``, ``default_factory=requests.Session``,
    ``r.get(...)``, ``urlopen(...)``; names in type annotations do not count."""
    tree = ast.parse(source)
    names: dict[str, str] = {}  # local name → what it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:  # "import a.b" binds a; "import a.b as c" binds a.b
                local = alias.asname or alias.name.split(".")[0]
                names[local] = alias.name if alias.asname else local
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    annotations = _annotations(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute | ast.Name) or id(node) in annotations:
            continue
        dotted = _dotted(node, names)
        if dotted is None:
            continue
        module, _, name = dotted.rpartition(".")
        if (module == "requests" and name in SENDING) or (module, name) in OTHER_CLIENTS:
            found.append(f"line {node.lineno}: {dotted}")
    return found


def test_only_the_outbound_package_opens_http_clients() -> None:
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in _modules()
        if (found := _violations(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_scan_covers_what_the_wheel_ships_and_only_that() -> None:
    scanned = {path.relative_to(ROOT).parts[0] for path in _modules()}
    assert {"badges", "lti_tool"} <= scanned
    assert not scanned & {"demo_lms", "tests", "bench"}


@pytest.mark.parametrize(
    "source",
    [
        "import requests\nrequests.Session()",
        "import requests\nrequests.get('https://x')",
        "import requests as r\nr.post('https://x')",
        "from requests import Session\nSession()",
        "from requests import get as fetch\nfetch('https://x')",
        "import urllib.request\nurllib.request.urlopen('https://x')",
        "import urllib3\nurllib3.PoolManager()",
        "import requests\nfield(default_factory=requests.Session)",
    ],
)
def test_the_check_sees_each_way_of_opening_a_client(source: str) -> None:
    assert _violations(source)


def test_the_check_lets_exception_and_type_names_pass() -> None:
    source = (
        "import requests\nx: requests.Session\n"
        "def f(s: requests.Session) -> requests.Response: ...\n"
        "raise requests.RequestException('no')"
    )
    assert _violations(source) == []
