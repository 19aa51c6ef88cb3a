"""Where an instance of Chemins keeps its data, and the secret that protects it.

Configuration comes from the environment (``CHEMINS_*``) so that the same code serves the
CLI, the web workers and the background workers. The instance secret is generated on
first run and kept in the instance directory when ``CHEMINS_SECRET_KEY`` is not given,
because every signing key and connector secret is sealed with a key derived from it.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


@dataclass(frozen=True)
class Instance:
    """The settings every layer needs; read once with :func:`load_instance`."""

    directory: Path
    database_url: str
    secret_key: str
    base_url: str

    @property
    def origin(self) -> str:
        """The public origin (scheme://host[:port]) every badge id is built on."""
        return self.base_url.rstrip("/")


def _secret_from_file(directory: Path) -> str:
    path = directory / "secret_key"
    if path.exists():
        return path.read_text().strip()
    directory.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def load_instance(environ: dict[str, str] | None = None) -> Instance:
    """Read the ``CHEMINS_*`` environment, creating the instance directory if needed."""
    env = os.environ if environ is None else environ
    directory = Path(env.get("CHEMINS_INSTANCE_DIR") or Path.cwd() / "instance").resolve()
    directory.mkdir(parents=True, exist_ok=True)
    database_url = env.get("CHEMINS_DATABASE_URL") or f"sqlite:///{directory / 'chemins.db'}"
    secret_key = env.get("CHEMINS_SECRET_KEY") or _secret_from_file(directory)
    base_url = env.get("CHEMINS_BASE_URL") or DEFAULT_BASE_URL
    return Instance(directory, database_url, secret_key, base_url.rstrip("/"))
