"""Database: the entity scope, the connection, and raw SQL execution.

``Database`` owns one connection (opened lazily for SQLite, so merely importing a module that
binds a file creates nothing; eagerly for servers, so a wrong URL fails at ``bind``).  Outside
``transaction()`` every statement commits on its own; inside, statements share one transaction
and nested blocks become savepoints.  Every call uses ``?`` placeholders whatever the server.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from .dialects import get_dialect
from .dialects.base import Dialect
from .errors import BindError, IntegrityError, MappingError, NextORMError, NotBoundError, SQLError
from .sqlparams import to_format_style

#: Every Database on which generate_mapping() ran: a bare ``db_session`` picks from these.
MAPPED_DATABASES: weakref.WeakSet[Database] = weakref.WeakSet()


class Database:
    """A set of entities bound to one database."""

    def __init__(self, entities: Sequence[type] | None = None) -> None:
        self._entities: list[type] | None = list(entities) if entities is not None else None
        self.dialect: Dialect | None = None
        self.provider: str | None = None
        self.bind_args: tuple[tuple[Any, ...], dict[str, Any]] = ((), {})
        self.mapping: dict[type, Any] | None = None
        self._schema: dict[str, Any] | None = None
        self._conn: Any = None
        self._cursor: Any = None
        self._lock = threading.RLock()
        self._tx_depth = 0
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
        current = self._entities if self._entities is not None else []
        self._entities = current + [e for e in entities if e not in current]

    # -- binding ---------------------------------------------------------------------------

    def bind(self, provider: str, *args: Any, **kwargs: Any) -> None:
        """Bind to ``sqlite`` (a file name or ``:memory:``), ``postgres`` or ``mysql``."""
        if self.dialect is not None:
            raise BindError(f"database is already bound to {self.provider}")
        dialect = get_dialect(provider)
        args, kwargs = dialect.bind_arguments(args, dict(kwargs))
        self.dialect, self.provider = dialect, dialect.name
        self.bind_args = (args, kwargs)
        if dialect.database_file(args) is None:  # a server (or :memory:): connect now
            try:
                self._connection()
            except BaseException:
                self.dialect = self.provider = None
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

    def _connection(self) -> Any:
        if self.dialect is None:
            raise NotBoundError("database is not bound: call db.bind(provider, ...) first")
        if self._conn is None:
            args, kwargs = self.bind_args
            try:
                self._conn = self.dialect.connect(*args, **kwargs)
            except NextORMError:
                raise
            except Exception as exc:
                where = mask_password(str(args[0] if args else kwargs.get("host", "")))
                raise BindError(
                    f"cannot connect to {self.provider} {where}: {_first_line(exc)}"
                ) from exc
        return self._conn

    def disconnect(self) -> None:
        """Close the connection; the next statement opens a new one."""
        with self._lock:
            if self._conn is not None:
                if self._cursor is not None:
                    self._cursor.close()
                self._conn.close()
                self._conn = self._cursor = None
                self._tx_depth = 0

    close = disconnect

    # -- mapping ---------------------------------------------------------------------------

    def generate_mapping(self, create_tables: bool = False, check_tables: bool = False) -> None:
        """Resolve the entities and build the schema; optionally create missing tables."""
        from .mapping import resolve
        from .schema.model import build

        if self.mapping is None:
            mapping = resolve(self.entity_classes())
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

    def table_names(self) -> list[str]:
        """Names of the tables that exist in the bound database."""
        return [row[0] for row in self._execute(self._dialect().list_tables_sql())]

    def create_tables(self) -> None:
        """Create the mapped tables that do not exist yet, with indexes and constraints."""
        from .schema.plan import create_operations

        existing = set(self.table_names())
        tables = {n: t for n, t in self.schema_dict()["tables"].items() if n not in existing}
        dialect = self._dialect()
        with self.transaction():
            for op in create_operations(tables):
                for statement in dialect.render(op):
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

    def _dialect(self) -> Dialect:
        if self.dialect is None:
            raise NotBoundError("database is not bound: call db.bind(provider, ...) first")
        return self.dialect

    def _run(self, sql: str, params: Sequence[Any] | None, many: bool = False) -> Any:
        """Run one statement (``many``: once per row of ``params``, the driver's executemany)."""
        dialect = self._dialect()
        conn = self._connection()
        base_error, integrity_error = dialect.driver_errors()
        args = tuple(params) if params else None
        if dialect.format_placeholders and args is not None:
            sql_to_run = to_format_style(sql, dialect.backslash_escapes)
        else:
            sql_to_run = sql
        if self._cursor is None:
            # One cursor per connection, reused: callers hold the lock and consume each
            # result before the next statement, and a new cursor per statement cost ~10 us.
            self._cursor = conn.cursor()
        cursor = self._cursor
        try:
            if many:
                dialect.run_many(cursor, sql_to_run, args or ())
            elif args is None:
                cursor.execute(sql_to_run)
            else:
                cursor.execute(sql_to_run, args)
        except integrity_error as exc:
            raise IntegrityError(_first_line(exc), sql) from exc
        except base_error as exc:
            raise SQLError(_first_line(exc), sql) from exc
        return cursor

    def _execute(self, sql: str, params: Sequence[Any] | None = ()) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""
        with self._lock:
            cursor = self._run(sql, params)
            rows = cursor.fetchall() if cursor.description is not None else []
            return [tuple(r) for r in rows]

    def _execute_dml(self, sql: str, params: Sequence[Any] | None = ()) -> int:
        """Run a statement and return the number of rows it changed."""
        with self._lock:
            cursor = self._run(sql, params)
            if cursor.description is not None:
                cursor.fetchall()  # finish the statement (SQLite would keep its read lock)
            return cursor.rowcount

    def _execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run a statement once per parameter row in one driver call (the ORM's batched
        flush); return the rows changed in all."""
        with self._lock:
            return int(self._run(sql, rows, many=True).rowcount)

    def _insert(self, sql: str, params: Sequence[Any] | None = ()) -> Any:
        """Run an INSERT and return the new row's auto-increment id (``lastrowid``)."""
        with self._lock:
            cursor = self._run(sql, params)
            if cursor.description is not None:  # INSERT ... RETURNING
                rows = cursor.fetchall()
                return rows[0][0] if rows else None
            return cursor.lastrowid

    # -- transactions ----------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._tx_depth > 0

    @contextmanager
    def transaction(self, begin_sql: str = "BEGIN") -> Iterator[Database]:
        """Run the block in one transaction; a nested block is a savepoint.

        ``begin_sql`` lets a caller take a stronger lock up front (``BEGIN IMMEDIATE`` on
        SQLite).
        """
        with self._lock:
            depth = self._tx_depth
            savepoint = f"nextorm_sp_{depth}"
            self._execute_dml(begin_sql if depth == 0 else f"SAVEPOINT {savepoint}")
            self._tx_depth += 1
            try:
                yield self
            except BaseException:
                self._tx_depth = depth
                if self._conn is not None:
                    try:
                        self._execute_dml(
                            "ROLLBACK" if depth == 0 else f"ROLLBACK TO SAVEPOINT {savepoint}"
                        )
                    except SQLError:
                        pass  # the connection is gone or the server already rolled back
                raise
            else:
                self._tx_depth = depth
                if depth == 0:
                    self._execute_dml("COMMIT")
                else:
                    self._execute_dml(f"RELEASE SAVEPOINT {savepoint}")


def mask_password(text: str) -> str:
    """Hide the password of a URL: logs and shared screens must never show it."""
    return re.sub(r"(://[^/@:]*):[^/@]*@", r"\1:***@", text)


def _first_line(exc: BaseException) -> str:
    text = str(exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], str) else exc)
    text = text.strip()
    return text.splitlines()[0] if text else type(exc).__name__
