"""Dialect: everything that differs between database servers.

A dialect quotes identifiers, maps logical column types to SQL, renders operations to SQL
statements, opens connections, and states its capabilities as class flags
(``transactional_ddl``, ``supports_alter_column``...) so callers never write
``if provider == ...`` chains.  Dialects know nothing of files or templates.

Rendering dispatches on the operation's class: ``render(CreateTable(...))`` calls
``render_create_table``.  Adding an operation means adding one such method here (or in a
subclass where a server needs different SQL).

Every bind imports this module and its mixins (``typemap``, ``online``, ``ormsql``,
``vectors``, ``checksql``: small classes of flags and methods), so none of them imports more
than the standard library that binding needs: what only rendering, checking, introspecting or
locking needs (``checks.py``, ``conversions.py``, ``schema/``, each server's ``introspect``,
``lock``, ``online``, ``rebuild``; ``json``, ``copy``) is imported inside the method that uses
it, on its first call.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

from .checksql import CheckSql
from .online import OnlineDDL
from .ormsql import OrmSql
from .typemap import TypeMap

if TYPE_CHECKING:  # only annotations: migrate/showmigrations need not import the dataclasses
    from ..schema.operations import Operation


class Dialect(TypeMap, OnlineDDL, OrmSql, CheckSql):
    """Base dialect; subclasses set the flags and override what their server does differently."""

    name: str = ""
    #: DDL can be rolled back inside a transaction.
    transactional_ddl: bool = True
    #: ``ALTER TABLE ... ALTER COLUMN`` exists (SQLite must rebuild the table instead).
    supports_alter_column: bool = True
    #: Identifier quote character.
    quote_char: str = '"'
    #: Longest identifier the server accepts, in bytes.
    max_identifier_length: int = 63
    #: The driver uses ``%s`` placeholders (psycopg, PyMySQL) rather than ``?`` (sqlite3).
    format_placeholders: bool = True

    # -- identifiers and types -------------------------------------------------------------

    def quote(self, identifier: str) -> str:
        """Quote an identifier, always (``user``, ``order`` and ``group`` are reserved)."""
        q = self.quote_char
        return q + identifier.replace(q, q + q) + q

    def quote_list(self, identifiers: Any) -> str:
        return ", ".join(self.quote(i) for i in identifiers)

    def column_sql(self, name: str, col: dict[str, Any], *, inline_pk: bool = False) -> str:
        """Return ``"name" TYPE [NOT NULL] [DEFAULT ...]`` for a CREATE TABLE or ADD COLUMN."""
        parts = [self.quote(name), self.declared_type(col)]
        if inline_pk:
            parts.append(self.auto_pk_clause())
        elif not col.get("nullable"):
            parts.append("NOT NULL")
        if col.get("sql_default") is not None:
            parts.append(f"DEFAULT {col['sql_default']}")
        return " ".join(parts)

    def auto_pk_clause(self) -> str:
        """Clause that makes a single int column an auto-increment primary key."""
        raise NotImplementedError

    # -- rendering operations --------------------------------------------------------------

    def render(self, op: Operation, tables: dict[str, Any] | None = None) -> list[Any]:
        """Render one operation as SQL statements, its data checks (``checks.py``) first.

        ``tables`` are the schema's tables just before ``op`` (``schema.state.walk``), None if
        unknown: the checks read them, and SQLite rebuilds a table from them.
        """
        method = getattr(self, "render_" + _snake(type(op).__name__), None)
        if method is None:
            raise NotImplementedError(f"{self.name} cannot render {type(op).__name__}")
        return self.checks([op], tables) + method(op)

    def checks(self, ops: list[Operation], tables: dict[str, Any] | None = None) -> list[Any]:
        """Return the checks that must find no bad rows before ``ops`` run (see ``checks.py``).

        They are written against the database before the first of ``ops`` (whose schema
        ``tables`` are, None if unknown), so a migration can run them all before its first DDL
        statement.
        """
        from .checks import CheckPlanner

        return CheckPlanner(self).checks(ops, tables)

    def render_create_table(self, op: Any) -> list[str]:
        table = op.definition
        pk = table["primary_key"]
        lines = []
        for col_name, col in table["columns"].items():
            inline = col.get("auto", False) and pk == [col_name]
            lines.append(self.column_sql(col_name, col, inline_pk=inline))
        if pk and not any(table["columns"][c].get("auto") for c in pk if c in table["columns"]):
            lines.append(f"PRIMARY KEY ({self.quote_list(pk)})")
        for name, unique in sorted(table["uniques"].items()):
            lines.append(f"CONSTRAINT {self.quote(name)} UNIQUE ({self.quote_list(unique['columns'])})")
        for name, fk in sorted(table["foreign_keys"].items()):
            if name not in op.skip_foreign_keys:
                lines.append(self.foreign_key_clause(name, fk))
        body = ",\n    ".join(lines)
        return [f"CREATE TABLE {self.quote(op.table)} (\n    {body}\n){self.table_options()}"]

    def table_options(self) -> str:
        return ""

    def foreign_key_clause(self, name: str, fk: dict[str, Any]) -> str:
        return (
            f"CONSTRAINT {self.quote(name)} FOREIGN KEY ({self.quote_list(fk['columns'])}) "
            f"REFERENCES {self.quote(fk['ref_table'])} ({self.quote_list(fk['ref_columns'])}) "
            f"ON DELETE {fk['on_delete']}"
        )

    def render_drop_table(self, op: Any) -> list[str]:
        return [f"DROP TABLE {self.quote(op.table)}"]

    def render_create_index(self, op: Any) -> list[str]:
        unique = "UNIQUE " if op.unique else ""
        return [
            f"CREATE {unique}INDEX {self.quote(op.name)} ON {self.quote(op.table)} "
            f"({self.quote_list(op.columns)})"
        ]

    def render_drop_index(self, op: Any) -> list[str]:
        return [f"DROP INDEX {self.quote(op.name)}"]

    def render_add_foreign_key(self, op: Any) -> list[str]:
        return [f"ALTER TABLE {self.quote(op.table)} ADD {self.foreign_key_clause(op.name, op.definition)}"]

    def render_drop_foreign_key(self, op: Any) -> list[str]:
        return [f"ALTER TABLE {self.quote(op.table)} DROP CONSTRAINT {self.quote(op.name)}"]

    # -- altering existing tables (used by makemigrations; SQLite overrides with rebuilds) ---

    def rebuilds_table(self, op: Operation, tables: dict[str, Any] | None = None) -> bool:
        """True if this dialect renders ``op`` (``tables`` before it) as a table rebuild."""
        return False

    def literal(self, value: Any) -> str:
        """Render a backfill value as an SQL literal, quoted and escaped for this server."""
        if value is None:
            return "NULL"
        if isinstance(value, dict):
            if "sql" in value:
                return str(value["sql"])
            if "hex" in value:
                return self.bytes_literal(str(value["hex"]))
            if "json" in value:
                import json

                return self.string_literal(json.dumps(value["json"], sort_keys=True))
            raise ValueError(f"cannot render {value!r} as an SQL literal")
        if isinstance(value, list):  # a ``Vec``'s floats (``vectors.py``)
            return self.vector_literal(value)
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int | float):
            return repr(value)
        return self.string_literal(str(value))

    def string_literal(self, text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    def bytes_literal(self, hex_digits: str) -> str:
        return f"X'{hex_digits}'"

    def backfill_statement(self, table: str, column: str, value: Any) -> Any:
        """Return the UPDATE that gives NULLs of ``table.column`` the value ``value``."""
        from ..schema.operations import Statement

        where = f"UPDATE {self.quote(table)} SET {self.quote(column)} = "
        cond = f" WHERE {self.quote(column)} IS NULL"
        if isinstance(value, dict):  # SQL expressions, bytes, JSON: rendered as literals
            return where + self.literal(value) + cond
        return Statement(where + "?" + cond, (value,))

    def render_add_column(self, op: Any) -> list[Any]:
        from ..schema.columns import needs_value

        table, column = self.quote(op.table), self.quote(op.column)
        add = f"ALTER TABLE {table} ADD COLUMN {self.column_sql(op.column, op.definition)}"
        if not needs_value(op.definition) or op.backfill is None:
            return [add]
        return [
            f"{add} DEFAULT {self.literal(op.backfill)}",
            f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT",
        ]

    def step_notes(self, op: Operation) -> list[str]:
        """Why-comments for a step whose SQL is not self-explaining (templates print them)."""
        from ..schema.columns import needs_value

        if self.rebuilds_table(op):
            return []
        kind = type(op).__name__
        if (kind == "AddColumn" and op.backfill is not None  # type: ignore[attr-defined]
                and needs_value(op.definition)):  # type: ignore[attr-defined]
            return ["The temporary DEFAULT fills existing rows so NOT NULL holds; dropping it "
                    "then means every new row must give a value."]
        if kind == "AlterColumn" and op.sets_not_null and op.backfill is not None:  # type: ignore[attr-defined]
            return ["Existing NULLs get a value first, so the NOT NULL constraint can be added."]
        return []

    def render_drop_column(self, op: Any) -> list[Any]:
        return [f"ALTER TABLE {self.quote(op.table)} DROP COLUMN {self.quote(op.column)}"]

    def render_alter_column(self, op: Any) -> list[Any]:
        table, column = self.quote(op.table), self.quote(op.column)
        alter = f"ALTER TABLE {table} ALTER COLUMN {column}"
        old, new = op.old, op.new
        stmts: list[Any] = []
        if self.column_type(old) != self.column_type(new):
            new_type = self.column_type(new)
            stmts.append(f"{alter} TYPE {new_type} USING {self.converted_value(column, old, new)}")
        if op.sets_not_null and op.backfill is not None:  # after the type change: the value
            stmts.append(self.backfill_statement(op.table, op.column, op.backfill))
        if bool(old.get("nullable")) != bool(new.get("nullable")):
            stmts.append(f"{alter} DROP NOT NULL" if new.get("nullable") else f"{alter} SET NOT NULL")
        if old.get("sql_default") != new.get("sql_default"):
            if new.get("sql_default") is None:
                stmts.append(f"{alter} DROP DEFAULT")
            else:
                stmts.append(f"{alter} SET DEFAULT {new['sql_default']}")
        return stmts

    def converted_value(self, column: str, old: dict[str, Any], new: dict[str, Any]) -> str:
        """Return the SQL for the new value of ``column`` when its type changes (``USING``)."""
        return f"{column}::{self.column_type(new)}"

    def render_rename_column(self, op: Any) -> list[Any]:
        return [f"ALTER TABLE {self.quote(op.table)} RENAME COLUMN {self.quote(op.old_name)} "
                f"TO {self.quote(op.new_name)}"]

    def render_rename_table(self, op: Any) -> list[Any]:
        return [f"ALTER TABLE {self.quote(op.old_name)} RENAME TO {self.quote(op.new_name)}"]

    def render_add_unique(self, op: Any) -> list[Any]:
        return [f"ALTER TABLE {self.quote(op.table)} ADD CONSTRAINT {self.quote(op.name)} "
                f"UNIQUE ({self.quote_list(op.columns)})"]

    def render_drop_unique(self, op: Any) -> list[Any]:
        return [f"ALTER TABLE {self.quote(op.table)} DROP CONSTRAINT {self.quote(op.name)}"]

    def render_alter_primary_key(self, op: Any) -> list[Any]:
        table = self.quote(op.table)
        stmts = []
        if op.old_columns:
            pkey = self.quote(self.primary_key_name(op.table))
            stmts.append(f"ALTER TABLE {table} DROP CONSTRAINT {pkey}")
        if op.new_columns:
            stmts.append(f"ALTER TABLE {table} ADD PRIMARY KEY ({self.quote_list(op.new_columns)})")
        return stmts

    def primary_key_name(self, table: str) -> str:
        """Return the name the server gives the primary key of ``table`` (to drop it)."""
        raise NotImplementedError(f"{self.name} does not drop primary keys by name")

    # -- what the migration runner needs to know ------------------------------------------

    #: A lock held by the session exists (the runner need not re-check inside each migration).
    session_lock: bool = True
    #: The statement that opens a migration's transaction.
    begin_migration_sql: str = "BEGIN"

    # -- what db_session needs to know -----------------------------------------------------

    def begin_session_sql(self, immediate: bool, serializable: bool) -> tuple[str, ...]:
        """The statements that open a db_session's transaction (``immediate``: lock or take
        the snapshot at once; ``serializable``: that isolation level)."""
        return ("BEGIN ISOLATION LEVEL SERIALIZABLE",) if serializable else ("BEGIN",)

    def is_transient_error(self, exc: BaseException) -> bool:
        """True if the driver error says the transaction may succeed when run again
        (deadlock, serialization failure, lock timeout): ``db_session(retry=N)`` retries."""
        return False

    def is_constraint_error(self, exc: BaseException) -> bool:
        """True if a driver error outside its IntegrityError class is a constraint violation
        (``driver_errors()`` names that class): it becomes a ``ConstraintError`` too."""
        return False

    def single_connection(self, args: tuple[Any, ...]) -> bool:
        """True if the database lives in its one connection (it cannot be pooled)."""
        return False

    def migrate_lock(self, db: Any) -> AbstractContextManager[None]:
        """Hold the one-migrate-at-a-time lock of the bound database (its ``lock.py``)."""
        return self._module("lock").migrate_lock(db)

    def schema_missing(self, db: Any) -> bool:
        """True if the connection names no existing schema (so there is no history to read)."""
        return False

    def introspect_tables(self, db: Any) -> dict[str, Any]:
        """Read every table of the bound database into schema-dict tables (``introspect.py``)."""
        return self._module("introspect").read_tables(db)

    def parse_type(self, sql_type: str) -> dict[str, Any]:
        """The logical type of an SQL type: the reverse of ``column_type``."""
        return self._module("introspect").parse_type(sql_type)

    def _module(self, name: str) -> Any:
        """A module of this dialect's package, imported when first needed (``migrate`` must
        not pay for introspection, nor the ORM for the lock)."""
        import importlib

        package = type(self).__module__.rpartition(".")[0]
        return importlib.import_module(f"{package}.{name}")

    def foreign_keys_off(self, db: Any) -> AbstractContextManager[None]:
        """Suspend foreign-key enforcement around a migration that rebuilds tables (SQLite)."""
        return nullcontext()

    def foreign_key_violations(self, db: Any) -> list[tuple[Any, ...]]:
        """Rows that reference missing parents, as (table, rowid, parent) (SQLite check)."""
        return []

    def effect_already_present(self, error: BaseException) -> bool:
        """True if re-running a DDL statement failed only because it had already run."""
        return False

    # -- connections -----------------------------------------------------------------------

    #: String literals treat a backslash as an escape (MariaDB), for the placeholder lexer.
    backslash_escapes: bool = False

    def bind_arguments(self, args: tuple[Any, ...],
                       kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Check and normalise ``db.bind(provider, *args, **kwargs)``'s arguments."""
        return args, kwargs

    def database_file(self, args: tuple[Any, ...]) -> str | None:
        """The file holding the database (embedded servers), else None: connect at bind time."""
        return None

    def connect(self, *args: Any, **kwargs: Any) -> Any:
        """Open a DB-API connection in autocommit mode."""
        raise NotImplementedError

    #: The DB-API driver's module, imported on first use (the error classes come from it).
    driver_module: str = ""
    #: The SQL naming the schema (database) a connection works in, for information_schema.
    current_schema_sql: str = "current_schema()"

    #: ``driver_errors()``'s answer, found on its first call.
    _driver_errors: tuple[type[BaseException], type[BaseException]] | None = None

    def driver_errors(self) -> tuple[type[BaseException], type[BaseException]]:
        """Return (the driver's base Error class, its IntegrityError class): looked up once,
        as every statement asks (``Database._run``)."""
        found = self._driver_errors
        if found is None:
            import importlib

            driver = importlib.import_module(self.driver_module)
            found = self._driver_errors = (driver.Error, driver.IntegrityError)
        return found

    def list_tables_sql(self) -> str:
        """SQL returning one row per user table name in the bound database/schema."""
        return ("SELECT table_name FROM information_schema.tables "
                f"WHERE table_schema = {self.current_schema_sql} AND table_type = 'BASE TABLE' "
                "ORDER BY table_name")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
