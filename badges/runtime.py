"""An instance with its database open: what the web app, the CLI and workers share."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from badges.instance import Instance, load_instance
from badges.sealing import Sealer
from badges.storage import make_engine, make_session_factory


@dataclass
class Runtime:
    instance: Instance
    engine: Engine
    sessions: sessionmaker[Session]
    sealer: Sealer = field(repr=False)

    @classmethod
    def open(cls, instance: Instance | None = None) -> Runtime:
        instance = instance or load_instance()
        engine = make_engine(instance.database_url)
        return cls(instance, engine, make_session_factory(engine), Sealer(instance.secret_key))
