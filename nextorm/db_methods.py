"""The methods of nextorm 0.5.1's ``Database`` beyond connections and transactions.

``Database`` mixes this in.  Raw SQL (``execute``, ``select_raw``) takes ``?`` placeholders on
every server, and runs inside the active ``db_session`` of this database when there is one
(its pending changes flushed first, so the statement sees them); otherwise each statement
commits on its own.  The object methods (``save``, ``insert``, ``delete_instance``, ``flush``,
``commit``, ``rollback``, ``select``) hand over to the ORM runtime (``orm/saving.py``),
imported on first use so that the migration commands never load it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, cast

from .errors import MappingError, NextORMError

if TYPE_CHECKING:
    from .database import Database
    from .dialects.base import Dialect
    from .pool import Link


def _params(args: tuple[Any, ...]) -> Sequence[Any]:
    """``execute(sql, 1, 2)`` (0.5.1) and ``execute(sql, (1, 2))`` both give ``(1, 2)``."""
    if len(args) == 1 and isinstance(args[0], list | tuple):
        return tuple(args[0])
    return args


class DatabaseMethods:
    """Raw SQL, single tables and objects, as nextorm 0.5.1's ``Database`` offers them."""

    mapping: dict[type, Any] | None
    _lock: AbstractContextManager[Any]

    if TYPE_CHECKING:
        def _dialect(self) -> Dialect: ...
        def _link(self) -> Link: ...
        def _connection(self) -> Any: ...
        def _release(self, link: Link) -> None: ...
        def _run(self, sql: str, params: Sequence[Any] | None, link: Link | None = None,
                 many: bool = False) -> Any: ...
        def _execute(self, sql: str, params: Sequence[Any] | None = ()
                     ) -> list[tuple[Any, ...]]: ...
        def _execute_dml(self, sql: str, params: Sequence[Any] | None = ()) -> int: ...
        def schema_dict(self) -> dict[str, Any]: ...

    # -- raw SQL ---------------------------------------------------------------------------

    def _join_session(self) -> None:
        """Flush the active db_session of this database and open its transaction, so raw
        SQL sees its changes and is part of it (nothing when the ORM is not in use)."""
        context = sys.modules.get("nextorm.orm.context")
        if context is not None:
            context.join_raw_sql(self)

    def execute(self, sql: str, *args: Any) -> int:
        """Run one statement with ``?`` placeholders; return the number of rows it changed.

        The values follow the SQL (``db.execute(sql, 1, "a")``) or come as one sequence
        (``db.execute(sql, (1, "a"))``).  A constraint violation is a ``ConstraintError``.
        """
        self._join_session()
        return self._execute_dml(sql, _params(args))

    def select_raw(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        """Run a query with ``?`` placeholders; return its rows as ``{column: value}`` dicts."""
        self._join_session()
        with self._lock:
            link = self._link()
            cursor = self._run(sql, _params(args), link)
            names = [d[0] for d in cursor.description or ()]
            rows = cursor.fetchall() if cursor.description is not None else []
            self._release(link)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def get_connection(self) -> Any:
        """The calling thread's DB-API connection (``sqlite3.Connection``, psycopg's...), for
        what NextORM does not offer.  With a pool it stays this thread's until the thread's
        next statement outside a transaction."""
        return self._connection()

    # -- tables ----------------------------------------------------------------------------

    def drop_table(self, table: str | type, *, if_exists: bool = False,
                   with_all_data: bool = False) -> None:
        """Drop one table, named or given as its entity class; refuse if it holds rows
        unless ``with_all_data=True``."""
        name = table if isinstance(table, str) else _table_of(self, table)
        dialect = self._dialect()
        quoted = dialect.quote(name)
        if if_exists and name not in self.table_names():
            return
        if not with_all_data and self._execute(f"SELECT 1 FROM {quoted} LIMIT 1"):
            raise NextORMError(
                f"table {name!r} holds rows: pass with_all_data=True to drop it anyway")
        self._execute_dml(f"DROP TABLE {quoted}")

    def table_names(self) -> list[str]:
        """Names of the tables that exist in the bound database."""
        return [row[0] for row in self._execute(self._dialect().list_tables_sql())]

    def get_ddl(self) -> list[str]:
        """The SQL that creates the mapped tables on an empty database (what
        ``generate_mapping(create_tables=True)`` runs there), one statement per item."""
        from .schema.plan import create_operations
        from .schema.state import walk

        dialect = self._dialect()
        out = []
        for op, state in walk(create_operations(self.schema_dict()["tables"]), {}):
            for statement in dialect.render(op, state):  # SQLite: a deferred key rebuilds
                out.append(statement if isinstance(statement, str) else statement.sql)
        return out

    # -- objects (the ORM runtime) ---------------------------------------------------------

    def select(self, entity: type) -> Any:
        """A query of ``entity`` (``db.select(User).filter(...)``), as ``entity.select()``."""
        _table_of(self, entity)
        return entity.select()  # type: ignore[attr-defined]

    def save(self, obj: Any) -> None:
        """Write ``obj`` now: INSERT if it is new, else UPDATE its changed columns (all of
        them if none changed).  Outside a db_session it commits at once."""
        from .orm.saving import save

        save(cast("Database", self), obj, always_insert=False)

    def insert(self, obj: Any) -> None:
        """INSERT ``obj`` now, even when its primary key is set (loading data, copies)."""
        from .orm.saving import save

        save(cast("Database", self), obj, always_insert=True)

    def delete_instance(self, obj: Any) -> None:
        """DELETE ``obj``'s row now (outside a db_session: committed at once)."""
        from .orm.saving import delete_instance

        delete_instance(cast("Database", self), obj)

    def flush(self) -> None:
        """Write the pending changes of the active db_session (nothing outside one)."""
        self._session_call("flush")

    def commit(self) -> None:
        """Flush and commit the active db_session (outside one, statements commit alone)."""
        self._session_call("commit")

    def rollback(self) -> None:
        """Roll the active db_session back and empty its identity map."""
        self._session_call("rollback")

    def _session_call(self, method: str) -> None:
        context = sys.modules.get("nextorm.orm.context")
        session = context.session_of_database(self) if context is not None else None
        if session is not None:
            getattr(session, method)()


def _table_of(db: DatabaseMethods, entity: type) -> str:
    """The table of an entity class mapped in ``db``; a clear error otherwise."""
    if db.mapping is None or entity not in db.mapping:
        what = getattr(entity, "__name__", repr(entity))
        raise MappingError(f"{what} is not an entity mapped in this database: list it in "
                           f"Database(entities=...) and call db.generate_mapping()")
    return str(db.mapping[entity].table)
