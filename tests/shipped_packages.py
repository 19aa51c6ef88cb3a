"""The top-level packages the wheel ships, read from pyproject.toml.

Checks that scan the tool's own code (one HTTP client, every string translated) scan
these: a package that lands later (``connectors/``) is scanned from its first commit, and
what stays in the checkout (``demo_lms``, ``tests``, ``bench``) is not.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shipped_packages() -> list[Path]:
    """The folders at the root that ``[tool.setuptools.packages.find]`` puts in the wheel."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    find = pyproject["tool"]["setuptools"]["packages"]["find"]
    include, exclude = find.get("include", ["*"]), find.get("exclude", [])
    return sorted(
        folder
        for folder in ROOT.iterdir()
        if (folder / "__init__.py").is_file()
        and any(fnmatch.fnmatchcase(folder.name, pattern) for pattern in include)
        and not any(fnmatch.fnmatchcase(folder.name, pattern) for pattern in exclude)
    )
