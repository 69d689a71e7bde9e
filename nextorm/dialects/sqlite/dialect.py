"""SQLite: the embedded default.

SQLite keeps declared type names verbatim, so the types below read back exactly on
introspection.  It has no ``ALTER COLUMN`` and cannot add or drop constraints in place: those
changes are rendered as the table rebuild its documentation prescribes.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ...errors import BindError
from ..base import Dialect
from ..vectors import register_distances

#: Operations SQLite renders as a table rebuild (AddColumn when it needs a value and
#: DropColumn when a key or index uses the column are decided in ``rebuilds_table``).
_REBUILT = frozenset({
    "AlterColumn", "AddUnique", "DropUnique", "AddForeignKey", "DropForeignKey",
    "AlterPrimaryKey",
})

#: What ``typeof()`` returns for a value the ORM can read back, per logical type (json: any).
_STORED_AS = {
    "int": ("integer",), "bool": ("integer",), "float": ("real",),
    "decimal": ("integer", "real"), "str": ("text",), "date": ("text",),
    "datetime": ("text",), "time": ("text",), "uuid": ("text",), "bytes": ("blob",),
    "datetimetz": ("text",), "timedelta": ("integer",), "vector": ("text",),
}


def _regexp(pattern: str, value: Any) -> bool:
    """``value REGEXP pattern``, which SQLite leaves to the application to define."""
    if value is None or isinstance(value, bytes):
        return False
    return re.search(pattern, str(value)) is not None


def _constrained(table: dict[str, Any] | None, column: str) -> bool:
    """True if ``column`` is in the table's primary key or any key or index (or unknown)."""
    if table is None:
        return True
    groups = [table["primary_key"]] + [item["columns"] for section in
                                       ("uniques", "foreign_keys", "indexes")
                                       for item in table[section].values()]
    return any(column in columns for columns in groups)


class SQLiteDialect(Dialect):
    name = "sqlite"
    transactional_ddl = True
    supports_alter_column = False
    max_identifier_length = 1024
    format_placeholders = False
    like_as_glob = True
    row_locks = False
    # A batch is one executemany (an INSERT per row, in order) in a transaction holding the
    # write lock; SQLite gives a row without key max(rowid)+1 (AUTOINCREMENT: or the largest
    # ever used +1; https://sqlite.org/autoinc.html), so the rows got consecutive keys ending
    # at last_insert_rowid(). Only when the largest rowid is taken does SQLite pick random
    # ones: then the last key is not the largest, which orm/batch.py checks.
    batch_keys = "last"
    batch_keys_sql = "SELECT last_insert_rowid(), MAX({column}) FROM {table}"
    max_params = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
    type_names = {
        "int": "INTEGER",
        "float": "REAL",
        "bool": "BOOLEAN",
        "bytes": "BLOB",
        "decimal": "DECIMAL",
        "datetime": "DATETIME",
        "date": "DATE",
        "time": "TIME",
        "uuid": "UUID",
        "json": "JSON",
        "datetimetz": "TIMESTAMPTZ",
        "timedelta": "INTERVAL",
    }
    value_forms = {"bool": "int", "decimal": "text", "datetime": "text", "datetimetz": "text",
                   "date": "text", "time": "text", "timedelta": "micros", "uuid": "text",
                   "json": "text", "vector": "text"}

    def auto_pk_clause(self) -> str:
        return "PRIMARY KEY AUTOINCREMENT"

    def column_sql(self, name: str, col: dict[str, Any], *, inline_pk: bool = False) -> str:
        if inline_pk:  # AUTOINCREMENT needs the type spelled INTEGER (always 64 bits here)
            col = {k: v for k, v in col.items() if k not in ("size", "unsigned", "sql_type")}
        return super().column_sql(name, col, inline_pk=inline_pk)

    # -- changes SQLite cannot make in place: the table rebuild (rebuild.py) ----------------

    def rebuilds_table(self, op: Any, tables: dict[str, Any] | None = None) -> bool:
        from ...schema.columns import needs_value

        name = type(op).__name__
        if name == "AddColumn":
            return needs_value(op.definition)
        if name == "DropColumn":  # DROP COLUMN works unless a key or index still uses it
            return _constrained((tables or {}).get(op.table), op.column)
        return name in _REBUILT

    def render(self, op: Any, tables: dict[str, Any] | None = None) -> list[Any]:
        if self.rebuilds_table(op, tables):
            return self.render_rebuild([op], tables)
        return super().render(op, tables)

    def rebuild_fill(self, op: Any) -> dict[str, str]:
        """Return the values a rebuild copies into new columns or NULLs (column -> literal)."""
        name = type(op).__name__
        if name == "AddColumn" and op.backfill is not None:
            return {op.column: self.literal(op.backfill)}
        if name == "AlterColumn" and op.sets_not_null and op.backfill is not None:
            return {op.column: self.literal(op.backfill)}
        return {}

    def render_rebuild(self, ops: list[Any], tables: dict[str, Any] | None = None) -> list[Any]:
        """Render consecutive changes of one table as a single rebuild, their checks first.

        ``tables`` are the schema's tables before the first of ``ops``: the rebuild copies the
        table as it is there into the table as ``ops`` leave it.
        """
        from ...schema.state import table_after
        from .rebuild import rebuild

        fill: dict[str, str] = {}
        for op in ops:
            fill.update(self.rebuild_fill(op))
        table = ops[0].table
        before = (tables or {}).get(table)
        after = None if before is None else table_after(ops, table, before)
        return self.checks(ops, tables) + rebuild(self, table, before, after, fill)

    def stored_as(self, ltype: str) -> tuple[str, ...] | None:
        """Return what ``typeof()`` gives for a valid value of ``ltype`` (None: anything)."""
        return _STORED_AS.get(ltype)

    def converted(self, source: str, old: dict[str, Any], new: dict[str, Any]) -> str:
        """Return the SQL that copies ``source`` into a column whose type changed.

        Column affinity converts numbers and numeric text by itself, but keeps every digit of
        a decimal, which the other servers round to the column's scale; dates are text in the
        ORM's fixed-width forms (``convert.py``), so a datetime keeps only its date and a date
        gains a midnight.
        """
        kinds = (old["type"], new["type"])
        if new["type"] == "decimal":
            return f"ROUND({source}, {new['scale']})"
        if kinds == ("datetime", "date"):
            return f"date({source})"
        if kinds == ("date", "datetime"):
            return f"{source} || ' 00:00:00.000000'"
        return source

    # -- SQL pieces of the data checks ----------------------------------------------------

    int_range = (-9223372036854775808, 9223372036854775807)

    char_length_sql = "length({})"
    whole_part_sql = "CAST({} AS INTEGER)"
    is_midnight_sql = "strftime('%H:%M:%f', {}) = '00:00:00.000'"

    session_lock = False
    begin_migration_sql = "BEGIN IMMEDIATE"

    def begin_session_sql(self, immediate: bool, serializable: bool) -> tuple[str, ...]:
        # SQLite transactions are always serializable; IMMEDIATE takes the write lock now.
        return ("BEGIN IMMEDIATE",) if immediate else ("BEGIN",)

    def is_transient_error(self, exc: BaseException) -> bool:
        return getattr(exc, "sqlite_errorcode", None) in (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED

    def single_connection(self, args: tuple[Any, ...]) -> bool:
        return args[0] == ":memory:"


    @contextmanager
    def foreign_keys_off(self, db: Any) -> Iterator[None]:
        # The pragma is a no-op inside a transaction, so it wraps the migration's transaction.
        db._execute_dml("PRAGMA foreign_keys = OFF")
        try:
            yield
        finally:
            db._execute_dml("PRAGMA foreign_keys = ON")

    def foreign_key_violations(self, db: Any) -> list[tuple[Any, ...]]:
        return [tuple(row[:3]) for row in db._execute("PRAGMA foreign_key_check")]

    def bind_arguments(self, args: tuple[Any, ...],
                       kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        if len(args) > 1 or (args and not isinstance(args[0], str)):
            raise BindError("bind('sqlite', FILENAME) takes one file name or ':memory:'")
        filename = args[0] if args else kwargs.pop("filename", ":memory:")
        return (filename,), kwargs

    def database_file(self, args: tuple[Any, ...]) -> str | None:
        # A file connects lazily, so binding creates no file; :memory: lives in its connection.
        return None if args[0] == ":memory:" else str(args[0])

    def connect(self, filename: str = ":memory:", **kwargs: Any) -> sqlite3.Connection:
        # isolation_level=None: the driver never opens transactions behind our back; the
        # Database issues BEGIN/COMMIT itself, so DDL is transactional too.
        conn = sqlite3.connect(filename, isolation_level=None, check_same_thread=False, **kwargs)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.create_function("regexp", 2, _regexp, deterministic=True)  # for the data checks
        register_distances(conn)  # dist_l2 and its kin (dialects/vectors.py)
        return conn

    driver_module = "sqlite3"

    def list_tables_sql(self) -> str:
        return ("SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name")
