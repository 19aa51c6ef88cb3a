"""Core statements compiled once per dialect and run on the connection's DBAPI cursor.

Every LTI login, launch and launched page runs a dozen small statements. Through
``Connection.execute`` each one costs 40 to 60 µs of SQLAlchemy bookkeeping (cache
key, execution context, parameter and result objects) for about 5 µs of work in
SQLite: most of a launch's database time, measured by ``bench/lti_launch.py``
(docs/decisions/0009). A :class:`Prepared` statement is still an SQLAlchemy Core
statement, compiled by SQLAlchemy for the connection's dialect, whose parameters and
rows go through that dialect's own type processors (aware UTC dates, JSON); only the
per-call machinery is skipped. It runs on the cursor of the caller's
:class:`~sqlalchemy.engine.Connection` (or an ORM session's), inside its transaction,
so pooling, commit and rollback stay SQLAlchemy's, and a database error comes out as
the same :class:`sqlalchemy.exc.DBAPIError` subclass (``IntegrityError``...) as
through ``execute``.

Column defaults are not applied (``created_at``, ``updated_at``...): SQLAlchemy
compiles them into INSERT and UPDATE statements as parameters, and a missing one is
an error naming it. Kept for the hot paths of a launch; the rest of Chemins uses the
ORM.
"""

from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable, SelectBase


@dataclass(frozen=True)
class _Compiled:
    sql: str
    #: Parameter names in the order a positional paramstyle needs; None: by name.
    positions: tuple[str, ...] | None
    #: Per bind name: the caller's key and the dialect's bind processor.
    binds: tuple[tuple[str, str, Callable[[Any], Any] | None], ...]
    #: Row class, and the result processor of each column that has one (by position):
    #: most columns are fetched as they are, so only these are visited per row.
    row: Any
    results: tuple[tuple[int, Callable[[Any], Any]], ...]


class Prepared:
    """One Core statement, compiled lazily for each dialect it runs on."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(dialect.name) or self._compile(dialect)
                self._compiled[dialect.name] = compiled
        return compiled

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect)
        binds = tuple(
            (name, param.key, param.type.dialect_impl(dialect).bind_processor(dialect))
            for name, param in compiled.binds.items()
        )
        columns: Sequence[Any] = ()
        if isinstance(self.statement, SelectBase):
            columns = list(self.statement.selected_columns)
        elif getattr(self.statement, "_returning", None):
            columns = list(self.statement._returning)  # type: ignore[attr-defined]
        keys = [column.key for column in columns]
        return _Compiled(
            sql=compiled.string,
            positions=tuple(compiled.positiontup) if compiled.positiontup else None,
            binds=binds,
            row=namedtuple("Row", keys, rename=True) if keys else None,  # type: ignore[misc]
            results=tuple(
                (position, process)
                for position, column in enumerate(columns)
                if (process := column.type.dialect_impl(dialect).result_processor(dialect, None))
                is not None
            ),
        )

    def _run(self, on: Connection | Session, params: Mapping[str, Any]) -> tuple[Any, _Compiled]:
        connection = on.connection() if isinstance(on, Session) else on
        compiled = self._for(connection.dialect)
        values: dict[str, Any] = {}
        for name, key, process in compiled.binds:
            try:
                value = params[key]
            except KeyError:
                raise KeyError(f"{key!r} is not given to {compiled.sql!r}") from None
            values[name] = process(value) if process is not None else value
        arguments: Sequence[Any] | Mapping[str, Any] = values
        if compiled.positions is not None:
            arguments = tuple(values[name] for name in compiled.positions)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
        except connection.dialect.loaded_dbapi.Error as exc:
            cursor.close()
            raise DBAPIError.instance(
                compiled.sql,
                arguments,
                exc,
                connection.dialect.loaded_dbapi.Error,
                dialect=connection.dialect,
            ) from exc
        return cursor, compiled

    def _rows(self, compiled: _Compiled, fetched: Sequence[Sequence[Any]]) -> list[Any]:
        processors = compiled.results
        if not processors:
            return [compiled.row._make(row) for row in fetched]
        rows = []
        for fetched_row in fetched:
            values = list(fetched_row)
            for position, process in processors:
                values[position] = process(values[position])
            rows.append(compiled.row._make(values))
        return rows

    def all(self, connection: Connection | Session, params: Mapping[str, Any]) -> list[Any]:
        """Every row, as named tuples of processed values."""
        cursor, compiled = self._run(connection, params)
        try:
            return self._rows(compiled, cursor.fetchall())
        finally:
            cursor.close()

    def first(self, connection: Connection | Session, params: Mapping[str, Any]) -> Any | None:
        """The first row, or None."""
        cursor, compiled = self._run(connection, params)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        return None if row is None else self._rows(compiled, [row])[0]

    def run(self, connection: Connection | Session, params: Mapping[str, Any]) -> int:
        """Execute a statement that returns no rows; the number of rows it touched."""
        cursor, _ = self._run(connection, params)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()
