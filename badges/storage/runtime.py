"""An instance with its database open: what the web app, the CLI and workers share."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from badges.recognition import signing_keys
from badges.storage.database import make_engine, make_session_factory, transaction
from badges.storage.instance import Instance, load_instance
from badges.storage.sealing import Sealer

UPGRADE = "run `chemins db upgrade`"


class SchemaNotReady(RuntimeError):
    """The database cannot serve this version of Chemins as it is; the message says why."""


@dataclass
class Runtime:
    instance: Instance
    engine: Engine
    sessions: sessionmaker[Session]
    sealer: Sealer = field(repr=False)

    @classmethod
    def open(cls, instance: Instance | None = None, *, create: bool = False) -> Runtime:
        """Open ``instance``, by default the one ``CHEMINS_*`` describes.

        Without ``create`` a folder that holds no instance raises
        :class:`~badges.storage.instance.NoInstance` (see
        :func:`~badges.storage.instance.load_instance`).
        """
        instance = instance or load_instance(create=create)
        engine = make_engine(instance.database_url)
        return cls(instance, engine, make_session_factory(engine), Sealer(instance.secret_key))

    def check_schema(self) -> None:
        """Raise :class:`SchemaNotReady` unless the database is at this version's schema.

        A command run on an empty or older database would otherwise stop on the first
        query with "no such table"; this says what to do instead.
        """
        from alembic.migration import MigrationContext
        from alembic.script import ScriptDirectory

        from badges.storage.migrate import alembic_config

        script = ScriptDirectory.from_config(alembic_config(self.instance.database_url))
        try:
            with self.engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
        except OperationalError as exc:
            raise SchemaNotReady(f"cannot open the database of this instance: {exc.orig}") from exc
        heads = set(script.get_heads())
        if current == heads:
            return
        if not current:
            raise SchemaNotReady(f"the database of this instance has no tables yet: {UPGRADE}")
        known = {revision.revision for revision in script.walk_revisions()}
        if current - known:
            raise SchemaNotReady(
                "the database was migrated by a newer version of Chemins: upgrade Chemins"
            )
        raise SchemaNotReady(f"the database of this instance is out of date: {UPGRADE}")

    def publish_tool_key(self) -> None:
        """Create the tool's LTI key now if it is missing.

        Platforms fetch ``/.well-known/jwks.json`` when they register the tool, before it
        ever signs anything; a fresh instance must already list its key there.
        """
        with transaction(self.sessions) as session:
            signing_keys.ensure_tool_key(session, self.sealer)
