"""Where an instance of Chemins keeps its data, and the secret that protects it.

Configuration comes from the environment (``CHEMINS_*``) so that the same code serves the
CLI, the web workers and the background workers. The instance secret is generated on
first run and kept in the instance directory when ``CHEMINS_SECRET_KEY`` is not given,
because every signing key and connector secret is sealed with a key derived from it.

An instance is created on purpose only (``chemins db upgrade``): a command run in the
wrong folder must say so, not make a second instance there with a new secret and an
empty database. The folder holds names and e-mails (the SQLite database) and the secret,
so it is private to its owner: the folder 0700, its files 0600.

The public base URL is recorded in the folder when the instance is upgraded or served,
so that a command run later in another shell (``chemins platform admin-link``) prints
the address the server really answers on; ``CHEMINS_BASE_URL`` still wins when set.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
DATABASE_FILE = "chemins.db"
SECRET_FILE = "secret_key"  # noqa: S105 (a file name, not a secret)
SETTINGS_FILE = "settings.json"
#: What SQLite writes next to the database in WAL mode (it copies the database's mode).
DATABASE_COMPANIONS = ("-wal", "-shm")
NO_INSTANCE = "no Chemins instance here: set CHEMINS_INSTANCE_DIR or run `chemins db upgrade`"


class NoInstance(LookupError):
    """Nothing in the environment or the instance folder describes an existing instance."""


@dataclass(frozen=True)
class Instance:
    """The settings every layer needs; read once with :func:`load_instance`."""

    directory: Path
    database_url: str
    secret_key: str
    base_url: str
    #: ``CHEMINS_SMTP_URL``: where notification e-mails go out (None: no e-mail at all).
    smtp_url: str | None = None
    #: ``CHEMINS_MAIL_FROM``: their sender (None: ``Chemins <no-reply@host>``).
    mail_from: str | None = None

    @property
    def origin(self) -> str:
        """The public origin (scheme://host[:port]) every badge id is built on."""
        return self.base_url.rstrip("/")


def _instance_directory(env: os._Environ[str] | dict[str, str]) -> Path:
    return Path(env.get("CHEMINS_INSTANCE_DIR") or Path.cwd() / "instance").resolve()


def _secret_from_file(directory: Path) -> str:
    path = directory / SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def _is_there(directory: Path, env: os._Environ[str] | dict[str, str]) -> bool:
    """Whether everything the instance keeps in its folder is there.

    With ``CHEMINS_SECRET_KEY`` and ``CHEMINS_DATABASE_URL`` both set (PostgreSQL behind
    several web workers) the folder holds nothing they need, so it may be absent.
    """
    has_secret = bool(env.get("CHEMINS_SECRET_KEY")) or (directory / SECRET_FILE).is_file()
    has_database = bool(env.get("CHEMINS_DATABASE_URL")) or (directory / DATABASE_FILE).is_file()
    return has_secret and has_database


def _secret_lost(directory: Path, env: os._Environ[str] | dict[str, str]) -> bool:
    """A database is in the folder but no secret is given: never generate one then."""
    if env.get("CHEMINS_SECRET_KEY") or env.get("CHEMINS_DATABASE_URL"):
        return False
    database = directory / DATABASE_FILE
    has_data = database.is_file() and database.stat().st_size > 0
    return has_data and not (directory / SECRET_FILE).exists()


def _recorded_base_url(directory: Path) -> str | None:
    try:
        settings = json.loads((directory / SETTINGS_FILE).read_text())
    except (OSError, ValueError):
        return None
    value = settings.get("base_url") if isinstance(settings, dict) else None
    return value if isinstance(value, str) and value else None


def load_instance(environ: dict[str, str] | None = None, *, create: bool = False) -> Instance:
    """Read the ``CHEMINS_*`` environment and the instance folder.

    ``create`` makes the folder (0700) and the secret when missing: only ``chemins db
    upgrade`` (and ``chemins demo``, which migrates too) ask for it. Without it, a folder
    that holds no instance raises :class:`NoInstance` and nothing is written.
    """
    env = os.environ if environ is None else environ
    directory = _instance_directory(env)
    if _secret_lost(directory, env):
        raise NoInstance(
            f"{directory} holds a database but not its {SECRET_FILE}: restore the file from "
            "the backup, or set CHEMINS_SECRET_KEY (a new secret could not open its keys)"
        )
    if create:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    elif not _is_there(directory, env):
        raise NoInstance(f"{NO_INSTANCE} (looked in {directory})")
    database_url = env.get("CHEMINS_DATABASE_URL") or f"sqlite:///{directory / DATABASE_FILE}"
    secret_key = env.get("CHEMINS_SECRET_KEY") or _secret_from_file(directory)
    base_url = env.get("CHEMINS_BASE_URL") or _recorded_base_url(directory) or DEFAULT_BASE_URL
    return Instance(
        directory,
        database_url,
        secret_key,
        base_url.rstrip("/"),
        smtp_url=env.get("CHEMINS_SMTP_URL") or None,
        mail_from=env.get("CHEMINS_MAIL_FROM") or None,
    )


def remember_base_url(instance: Instance) -> bool:
    """Record the instance's public base URL in its folder (0600); True when it changed.

    Nothing is written when the instance has no folder (everything set by environment).
    """
    if not instance.directory.is_dir():
        return False
    if _recorded_base_url(instance.directory) == instance.origin:
        return False
    path = instance.directory / SETTINGS_FILE
    draft = path.with_name(f".{SETTINGS_FILE}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"base_url": instance.origin}, handle)
        handle.write("\n")
    os.replace(draft, path)
    return True


def readable_by_others(instance: Instance) -> list[Path]:
    """The instance folder and files that other users of the machine may open.

    Chemins creates them private; an older instance, or a folder made by hand, may not
    be. They are reported rather than changed: the owner may have a reason (a backup
    user's group) that Chemins cannot see.
    """
    directory = instance.directory
    candidates = [directory, directory / SECRET_FILE, directory / SETTINGS_FILE]
    database = directory / DATABASE_FILE
    candidates += [database, *(Path(f"{database}{suffix}") for suffix in DATABASE_COMPANIONS)]
    found = []
    for path in candidates:
        try:
            mode = path.stat().st_mode
        except OSError:
            continue
        if stat.S_IMODE(mode) & 0o077:
            found.append(path)
    return found
