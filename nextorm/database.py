"""Database: the entity scope, the connection, and raw SQL execution.

``Database`` owns one connection (opened lazily for SQLite, so merely importing a module that
binds a file creates nothing; eagerly for servers, so a wrong URL fails at ``bind``), or with
``bind(..., pool_max=N)`` a pool from which each thread checks one out (``pool.py``).  Outside
``transaction()`` every statement commits on its own; inside, statements share one transaction
and nested blocks become savepoints.  Every call uses ``?`` placeholders whatever the server.
Each statement is timed into ``local_stats`` and reported to ``debug.py`` while something
watches.  The public methods of nextorm 0.5.1 beyond these live in ``db_methods.py``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from contextvars import ContextVar
from time import perf_counter
from typing import Any

from . import debug
from .connections import MAPPED_DATABASES, Connections, first_line, mask_password
from .db_methods import DatabaseMethods
from .debug import QueryStat, merge_stats
from .dialects import get_dialect
from .dialects.base import Dialect
from .errors import (
    BindError,
    IntegrityError,
    MappingError,
    NextORMError,
    SQLError,
    TransientError,
)
from .pool import ConnectionPool, Link, TurnLock
from .sqlparams import to_format_style
from .urls import is_url, parse_url

__all__ = ["MAPPED_DATABASES", "Database", "mask_password"]

#: While set, every ``bind()`` uses this ``(provider, args)`` instead of its own arguments
#: (its pool options stay): the CLI's ``--database-url`` / ``DATABASE_URL`` point the module's
#: Database elsewhere at import time, before it could connect to the server the module names.
BIND_OVERRIDE: ContextVar[tuple[str, tuple[Any, ...]] | None] = ContextVar(
    "nextorm_bind_override", default=None)
#: While False, ``bind()`` to a server does not connect at once (the first statement does):
#: the offline commands (``sqlmigrate``, ``lint --dialect``) learn the server from the module's
#: ``bind`` without reaching it.
CONNECT_AT_BIND: ContextVar[bool] = ContextVar("nextorm_connect_at_bind", default=True)


class Database(Connections, DatabaseMethods):
    """A set of entities bound to one database."""

    def __init__(self, entities: Sequence[type] | None = None) -> None:
        self._entities: list[type] | None = list(entities) if entities is not None else None
        self.dialect: Dialect | None = None
        self.provider: str | None = None
        self.bind_args: tuple[tuple[Any, ...], dict[str, Any]] = ((), {})
        self.mapping: dict[type, Any] | None = None
        self._schema: dict[str, Any] | None = None
        self._shared = Link()  # the connection of every thread, without a pool
        self._pool: ConnectionPool | None = None
        self._threads = threading.local()  # each thread's Link, with a pool
        self._lock: AbstractContextManager[Any] = TurnLock()
        #: The last statement sent (``?`` placeholders), for debugging.
        self.last_sql = ""
        self._stats: dict[str, QueryStat] = {}
        #: Tables ``create_tables`` made in this process (migrate explains a clash with them).
        self.created_tables: list[str] = []

    # -- entities --------------------------------------------------------------------------

    @property
    def entities(self) -> dict[str, type]:
        """``{class name: entity class}``, as nextorm 0.5.1 has it (see ``entity_classes``)."""
        return {entity.__name__: entity for entity in self.entity_classes()}

    def entity_classes(self) -> list[type]:
        """The entity classes of this database, in declaration order (every declared entity
        when none were listed): what the mapping and the migration system iterate."""
        if self._entities is None:
            from .entity import DECLARED_ENTITIES

            return list(DECLARED_ENTITIES)
        return list(self._entities)

    def register(self, *entities: type) -> None:
        """Add entities to this database (before ``generate_mapping``)."""
        if self.mapping is not None:
            raise MappingError("register() must be called before generate_mapping()")
        from .mapping import check_entities

        check_entities(entities, "db.register()")
        current = self._entities if self._entities is not None else []
        self._entities = current + [e for e in entities if e not in current]

    # -- binding ---------------------------------------------------------------------------

    def bind(self, provider: str, *args: Any, pool_min: int = 0, pool_max: int = 1,
             pool_timeout: float = 30.0, **kwargs: Any) -> None:
        """Bind to ``sqlite`` (a file name or ``:memory:``), ``postgres`` or ``mysql``, or to
        a URL alone (``db.bind("postgresql://app@db/app")``, ``db.bind(os.environ[...])``:
        the forms of ``--database-url``, ``urls.py``).

        ``pool_max > 1`` gives each thread its own connection from a pool of at most that
        many (``pool_min`` opened at once; ``PoolTimeoutError`` after ``pool_timeout``
        seconds without a free one).  With ``pool_max=1`` the threads share one connection
        and take turns: a thread waits ``pool_timeout`` seconds at most for another's
        session to end, then gets ``PoolTimeoutError``.  A ``:memory:`` SQLite database lives in one
        connection, so it cannot be pooled.
        """
        if self.dialect is not None:
            raise BindError(f"database is already bound to {self.provider}")
        override = BIND_OVERRIDE.get()
        if override is not None:
            (provider, args), kwargs = override, {}
        elif is_url(provider):
            if args:
                raise BindError(f"db.bind({mask_password(provider)!r}, ...): a URL names the "
                                "provider and the database; give it alone")
            provider, args = parse_url(provider, "db.bind():")
        dialect = get_dialect(provider)
        args, kwargs = dialect.bind_arguments(args, dict(kwargs))
        self.dialect, self.provider = dialect, dialect.name
        self.bind_args = (args, kwargs)
        # One connection for every thread: they take turns, waiting pool_timeout at most.
        self._lock = TurnLock(pool_timeout, self.describe)
        try:
            if pool_max > 1 or pool_min > 1:
                if dialect.database_file(args) is None and not dialect.supports_alter_column \
                        and str(args[0] if args else "") == ":memory:":
                    raise BindError("an SQLite ':memory:' database lives in one connection: "
                                    "it cannot be pooled (bind a file, or pool_max=1)")
                self._pool = ConnectionPool(self._connect, min_size=pool_min,
                                            max_size=pool_max, timeout=pool_timeout)
                self._lock = nullcontext()  # each thread has its own connection
                if dialect.database_file(args) is None and CONNECT_AT_BIND.get():
                    self._pool.release(self._pool.acquire())  # a server: fail now if wrong
            elif dialect.database_file(args) is None and CONNECT_AT_BIND.get():
                self._connection()  # a server (or :memory:): connect now
        except BaseException:
            self.dialect = self.provider = None
            self._pool, self._lock = None, TurnLock()
            raise

    @property
    def sqlite_filename(self) -> str | None:
        """The database file for SQLite (None for other providers and ``:memory:``)."""
        if self.dialect is None:
            return None
        return self.dialect.database_file(self.bind_args[0])

    def describe(self) -> str:
        """Name the bound database for messages (``postgres postgresql://u:***@h/db``)."""
        if self.dialect is None:
            return "an unbound database"
        args, kwargs = self.bind_args
        if args:
            return f"{self.provider} {mask_password(str(args[0]))}"
        user = f"{kwargs['user']}@" if kwargs.get("user") else ""
        port = f":{kwargs['port']}" if kwargs.get("port") else ""
        name = kwargs.get("database") or kwargs.get("dbname") or ""
        return f"{self.provider} {user}{kwargs.get('host', 'localhost')}{port}/{name}"

    # -- mapping ---------------------------------------------------------------------------

    def generate_mapping(self, create_tables: bool = False, check_tables: bool = False,
                         *, validate_relations: bool = True) -> None:
        """Resolve the entities and build the schema; optionally create missing tables.

        ``validate_relations=False`` (nextorm 0.5.1): a ``Set`` without counterpart is left
        unmapped (using it raises ``MappingError``), an ambiguous one takes its first
        candidate with a warning; by default both refuse the mapping.
        """
        from .mapping import resolve
        from .schema.model import build

        if self.mapping is None:
            mapping = resolve(self.entity_classes(), validate_relations)
            self._schema = build(mapping)
            self.mapping = mapping
            MAPPED_DATABASES.add(self)
        if create_tables:
            self.create_tables()

    @property
    def is_mapped(self) -> bool:
        return self.mapping is not None

    @property
    def schema(self) -> dict[str, Any]:
        """``{table name: table}`` of the mapped entities, empty before ``generate_mapping``
        (nextorm 0.5.1's property); the tables are those of ``schema_dict()``."""
        return self._schema["tables"] if self._schema is not None else {}

    def schema_dict(self) -> dict[str, Any]:
        """Return the schema dict of the mapped entities (see ``docs/schema-dict.md``): what
        the migration system compares and stores."""
        if self._schema is None:
            raise MappingError("entities are not mapped: call db.generate_mapping() first")
        return self._schema

    def create_tables(self) -> None:
        """Create the mapped tables that do not exist yet, with indexes and constraints."""
        from .schema.plan import create_operations
        from .schema.state import walk

        existing = set(self.table_names())
        tables = {n: t for n, t in self.schema_dict()["tables"].items() if n not in existing}
        dialect = self._dialect()
        with self.transaction():
            for op, state in walk(create_operations(tables), {}):  # SQLite: a deferred key
                for statement in dialect.render(op, state):      # rebuilds its new table
                    self._run_rendered(statement)
        self.created_tables.extend(sorted(tables))

    def _run_rendered(self, statement: Any) -> None:
        """Run one rendered statement: SQL text, or a Statement with parameters/a check."""
        if isinstance(statement, str):
            self._execute_dml(statement)
        elif getattr(statement, "must_return_nothing", False):
            rows = self._execute(statement.sql, statement.params)
            if rows:
                raise IntegrityError(f"check failed, it returned {rows[0]!r}", statement.sql)
        else:
            self._execute_dml(statement.sql, statement.params)

    def migrate(self, *, allow_destructive: bool = False) -> list[str]:
        """nextorm 0.5.1's auto-migration without files, for development only: bring the
        tables to the entities and return the SQL run (``migrations/automigrate.py``)."""
        from .migrations.automigrate import automigrate  # the migration layers, on demand

        return automigrate(self, allow_destructive=allow_destructive)

    def drop_all_tables(self, with_all_data: bool = False) -> None:
        """Drop the mapped tables; refuse if any holds rows unless ``with_all_data=True``."""
        from .schema.operations import DropForeignKey, DropTable
        from .schema.plan import creation_order

        existing = set(self.table_names())
        tables = {n: t for n, t in self.schema_dict()["tables"].items() if n in existing}
        dialect = self._dialect()
        if not with_all_data:
            for name in tables:
                if self._execute(f"SELECT 1 FROM {dialect.quote(name)} LIMIT 1"):
                    raise NextORMError(
                        f"table {name!r} holds rows: pass with_all_data=True to drop it anyway"
                    )
        order, deferred = creation_order(tables)
        # SQLite cannot drop a table of a reference cycle while enforcing foreign keys (the
        # implicit DELETE fails with "no such table" once its parent is gone); enforcement can
        # only be switched off outside a transaction.
        fk_off = not dialect.supports_alter_column and not self.in_transaction
        if fk_off:
            self._execute_dml("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction():
                if dialect.supports_alter_column:  # i.e. constraints can be dropped in place
                    for table, fk in sorted(deferred):
                        op = DropForeignKey(table, fk, tables[table]["foreign_keys"][fk])
                        try:
                            for sql in dialect.render(op):
                                self._execute_dml(sql)
                        except SQLError:
                            if dialect.transactional_ddl:
                                raise
                            # Without transactional DDL a create_tables that failed half-way
                            # leaves tables whose deferred key was never added.
                else:
                    self._execute_dml("PRAGMA defer_foreign_keys = ON")
                for name in reversed(order):
                    for sql in dialect.render(DropTable(name, tables[name])):
                        self._execute_dml(sql)
        finally:
            if fk_off:
                self._execute_dml("PRAGMA foreign_keys = ON")

    # -- execution -------------------------------------------------------------------------

    def _run(self, sql: str, params: Sequence[Any] | None, link: Link | None = None,
             many: bool = False) -> Any:
        """Run one statement on ``link``'s connection (``many``: once per row of ``params``,
        the driver's executemany); the caller reads the cursor, then ``_release(link)``."""
        if link is None:
            link = self._link()
        dialect = self._dialect()
        conn = link.conn
        if conn is None:
            conn = self._connection()
        base_error, integrity_error = dialect.driver_errors()
        args = tuple(params) if params else None
        if dialect.format_placeholders and args is not None:
            sql_to_run = to_format_style(sql, dialect.backslash_escapes)
        else:
            sql_to_run = sql
        cursor = link.cursor
        if cursor is None:
            # One cursor per connection, reused: callers hold the lock and consume each
            # result before the next statement, and a new cursor per statement cost ~10 us.
            cursor = link.cursor = conn.cursor()
        self.last_sql = sql
        if debug.WATCH.on:
            debug.report(sql, args)
        start = perf_counter()
        try:
            if many:
                dialect.run_many(cursor, sql_to_run, args or ())
            elif args is None:
                cursor.execute(sql_to_run)
            else:
                cursor.execute(sql_to_run, args)
        except integrity_error as exc:
            self._release(link)
            raise IntegrityError(first_line(exc), sql) from exc
        except base_error as exc:
            self._release(link)
            if dialect.is_constraint_error(exc):  # a driver that files CHECK elsewhere
                raise IntegrityError(first_line(exc), sql) from exc
            if dialect.is_transient_error(exc):
                raise TransientError(first_line(exc), sql) from exc
            raise SQLError(first_line(exc), sql) from exc
        seconds = perf_counter() - start
        stat = self._stats.get(sql)
        if stat is None:
            stat = self._stats[sql] = QueryStat()
        stat.add(seconds)
        return cursor

    def _execute(self, sql: str, params: Sequence[Any] | None = ()) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""
        with self._lock:
            link = self._link()
            cursor = self._run(sql, params, link)
            rows = cursor.fetchall() if cursor.description is not None else []
            self._release(link)
            return [tuple(r) for r in rows]

    def _execute_dml(self, sql: str, params: Sequence[Any] | None = ()) -> int:
        """Run a statement and return the number of rows it changed."""
        with self._lock:
            link = self._link()
            cursor = self._run(sql, params, link)
            if cursor.description is not None:
                cursor.fetchall()  # finish the statement (SQLite would keep its read lock)
            count: int = cursor.rowcount
            self._release(link)
            return count

    def _execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run a statement once per parameter row in one driver call (the ORM's batched
        flush); return the rows changed in all."""
        with self._lock:
            link = self._link()
            count = int(self._run(sql, rows, link, many=True).rowcount)
            self._release(link)
            return count

    def _insert(self, sql: str, params: Sequence[Any] | None = ()) -> Any:
        """Run an INSERT and return the new row's auto-increment id (``lastrowid``)."""
        with self._lock:
            link = self._link()
            cursor = self._run(sql, params, link)
            if cursor.description is not None:  # INSERT ... RETURNING
                rows = cursor.fetchall()
                key = rows[0][0] if rows else None
            else:
                key = cursor.lastrowid
            self._release(link)
            return key

    @property
    def local_stats(self) -> dict[str, QueryStat]:
        """``{sql: QueryStat}`` of the statements this database ran (a copy)."""
        return {sql: stat.copy() for sql, stat in self._stats.items()}

    def clear_local_stats(self) -> None:
        """Forget this database's statement statistics."""
        self._stats.clear()

    def merge_local_stats(self) -> None:
        """Add this database's statistics to ``global_stats`` and start them again (also
        done by ``close()``): one dict per statement, not two, on the execution path."""
        merge_stats(self._stats)
        self._stats.clear()
