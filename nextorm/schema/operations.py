"""Schema operations: what a migration does, as data.

Each operation is a small frozen dataclass that carries everything needed to render it on any
dialect *and* to render its reverse, so ``downgrade(db)`` can be generated from the diff alone
(a drop carries the full definition of what it drops).  Dialects turn an operation into SQL
(``Dialect.render``); templates turn it into a commented step of a migration file.

An operation lives in four small places: this dataclass, the rule in ``diff.py`` that finds it,
its SQL in ``dialects/``, and its partial in ``templates/``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Operation:
    """Base class: one step of a migration."""

    #: Dropping something that holds data loses it; the file marks such steps.
    destructive: ClassVar[bool] = False

    def reverse(self) -> Operation:
        """Return the operation that undoes this one."""
        raise NotImplementedError(type(self).__name__)

    def describe(self) -> str:
        """Return a short plain-words summary for comments and file docstrings."""
        raise NotImplementedError(type(self).__name__)

    def name_fragment(self) -> str:
        """Return a file-name fragment such as ``create_user`` or ``add_email_to_user``."""
        raise NotImplementedError(type(self).__name__)

    def apply(self, tables: dict[str, Any]) -> None:
        """Change ``tables`` (the schema dict's tables) as the database will change."""
        raise NotImplementedError(type(self).__name__)

    def reverse_operations(self) -> list[Operation]:
        """Return the operations that undo this one (usually just ``reverse()``)."""
        return [self.reverse()]

    def loss(self) -> str | None:
        """Return what a destructive step destroys, in words for a warning line (else None)."""
        return None


@dataclass(frozen=True)
class TableChange(Operation):
    """An operation on one existing table.

    ``table_before`` and ``table_after`` are the table's definitions around the step, filled in
    by the diff: SQLite, which cannot alter in place, rebuilds the table from them.
    """

    table: str
    table_before: dict[str, Any] | None = field(
        default=None, compare=False, repr=False, kw_only=True)
    table_after: dict[str, Any] | None = field(
        default=None, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True)
class CreateTable(Operation):
    """Create a table with its columns, primary key, unique keys and foreign keys.

    ``definition`` is the table's schema dict; its indexes are created by separate
    ``CreateIndex`` operations, and ``skip_foreign_keys`` names foreign keys added later by
    ``AddForeignKey`` (to break reference cycles).
    """

    table: str
    definition: dict[str, Any]
    skip_foreign_keys: tuple[str, ...] = ()

    def reverse(self) -> Operation:
        return DropTable(self.table, self.definition)

    def describe(self) -> str:
        return f"Create table {self.table}."

    def name_fragment(self) -> str:
        return f"create_{self.table}"

    def apply(self, tables: dict[str, Any]) -> None:
        table = copy.deepcopy(self.definition)
        table["indexes"] = {}  # created by the CreateIndex steps that follow
        for name in self.skip_foreign_keys:
            del table["foreign_keys"][name]
        tables[self.table] = table


@dataclass(frozen=True)
class DropTable(Operation):
    """Drop a table; carries its definition so the reverse can recreate it."""

    table: str
    definition: dict[str, Any]
    destructive: ClassVar[bool] = True

    def reverse(self) -> Operation:
        return CreateTable(self.table, self.definition)

    def describe(self) -> str:
        return f"Drop table {self.table} (its rows are lost)."

    def loss(self) -> str | None:
        return f"drops table {self.table}: its rows are lost"

    def name_fragment(self) -> str:
        return f"drop_{self.table}"

    def apply(self, tables: dict[str, Any]) -> None:
        del tables[self.table]

    def reverse_operations(self) -> list[Operation]:
        ops: list[Operation] = [CreateTable(self.table, self.definition)]
        for name, index in self.definition["indexes"].items():
            ops.append(CreateIndex(self.table, name, tuple(index["columns"]), index["unique"]))
        return ops


@dataclass(frozen=True)
class CreateIndex(Operation):
    """Create a (possibly unique) index."""

    table: str
    name: str
    columns: tuple[str, ...]
    unique: bool = False

    def reverse(self) -> Operation:
        return DropIndex(self.table, self.name, self.columns, self.unique)

    def describe(self) -> str:
        kind = "unique index" if self.unique else "index"
        return f"Create {kind} {self.name} on {self.table} ({', '.join(self.columns)})."

    def name_fragment(self) -> str:
        return f"add_index_{self.table}_{'_'.join(self.columns)}"

    def apply(self, tables: dict[str, Any]) -> None:
        tables[self.table]["indexes"][self.name] = {
            "columns": list(self.columns), "unique": self.unique}


@dataclass(frozen=True)
class DropIndex(Operation):
    """Drop an index; carries its columns so the reverse can recreate it."""

    table: str
    name: str
    columns: tuple[str, ...]
    unique: bool = False

    def reverse(self) -> Operation:
        return CreateIndex(self.table, self.name, self.columns, self.unique)

    def describe(self) -> str:
        return f"Drop index {self.name} on {self.table}."

    def name_fragment(self) -> str:
        return f"drop_index_{self.table}_{'_'.join(self.columns)}"

    def apply(self, tables: dict[str, Any]) -> None:
        del tables[self.table]["indexes"][self.name]


@dataclass(frozen=True)
class AddForeignKey(TableChange):
    """Add a foreign-key constraint to an existing table."""

    name: str
    definition: dict[str, Any]  # columns, ref_table, ref_columns, on_delete

    def reverse(self) -> Operation:
        return DropForeignKey(self.table, self.name, self.definition)

    def describe(self) -> str:
        d = self.definition
        return (f"Add foreign key {self.table}({', '.join(d['columns'])}) -> "
                f"{d['ref_table']}({', '.join(d['ref_columns'])}) ON DELETE {d['on_delete']}.")

    def name_fragment(self) -> str:
        return f"add_fk_{self.table}_{'_'.join(self.definition['columns'])}"

    def apply(self, tables: dict[str, Any]) -> None:
        tables[self.table]["foreign_keys"][self.name] = copy.deepcopy(self.definition)


@dataclass(frozen=True)
class DropForeignKey(TableChange):
    """Drop a foreign-key constraint; carries its definition for the reverse."""

    name: str
    definition: dict[str, Any]

    def reverse(self) -> Operation:
        return AddForeignKey(self.table, self.name, self.definition)

    def describe(self) -> str:
        return f"Drop foreign key {self.name} on {self.table}."

    def name_fragment(self) -> str:
        return f"drop_fk_{self.table}_{'_'.join(self.definition['columns'])}"

    def apply(self, tables: dict[str, Any]) -> None:
        del tables[self.table]["foreign_keys"][self.name]


# -- statements a dialect may return beside plain SQL strings ---------------------------------


@dataclass(frozen=True)
class Statement:
    """One SQL statement with parameters (``?`` placeholders), e.g. an UPDATE backfill, or a check.

    A check (``error`` set) is a query that returns a row, holding the number of bad rows, only
    when the data cannot take the change; the migration then raises ``error``, with ``{bad}``
    standing for that number.  ``reason`` is the comment above it in the file and ``loss`` what
    the change would silently destroy without it.  Checks run first, before any DDL, except an
    ``in_place`` one, which checks what the statements just before it did.
    """

    sql: str
    params: tuple[Any, ...] = ()
    error: str = ""
    reason: str = ""
    loss: str = ""
    in_place: bool = False

    @property
    def must_return_nothing(self) -> Statement | None:
        """This statement if it is a check (its query must return no rows), else None.

        The writer hands it to the templates as ``check``, so they can read its message.
        """
        return self if self.error else None


# -- helpers shared by the operations below ---------------------------------------------------



def fill_value(col: dict[str, Any]) -> Any:
    """Return a value for existing rows when no better one is known (used by downgrades).

    The declared default if any, else a neutral value of the column's type.
    """
    if "default" in col and not isinstance(col["default"], dict):
        return col["default"]
    return {
        "str": "", "int": 0, "float": 0.0, "bool": False, "decimal": "0",
        "date": "1970-01-01", "datetime": "1970-01-01 00:00:00", "time": "00:00:00",
        "uuid": "00000000-0000-0000-0000-000000000000", "bytes": {"hex": ""},
        "json": {"json": None},
    }.get(col["type"], "")


def _rename_in(columns: list[str], old: str, new: str) -> list[str]:
    return [new if c == old else c for c in columns]


@dataclass(frozen=True)
class AddColumn(TableChange):
    """Add a column; ``backfill`` is the value existing rows get when the column is NOT NULL."""

    column: str
    definition: dict[str, Any]
    backfill: Any = None

    def reverse(self) -> Operation:
        return DropColumn(self.table, self.column, self.definition)

    def describe(self) -> str:
        text = f"Add column {self.table}.{self.column} ({column_summary(self.definition)})."
        if self.backfill is not None and not self.definition.get("nullable"):
            text += f" Existing rows get {_show(self.backfill)}."
        return text

    def name_fragment(self) -> str:
        return f"add_{self.column}_to_{self.table}"

    def apply(self, tables: dict[str, Any]) -> None:
        tables[self.table]["columns"][self.column] = copy.deepcopy(self.definition)


@dataclass(frozen=True)
class CallDefault:
    """A callable default (``default=dt.datetime.now``) as the value for existing rows.

    The rule: existing rows get *one* value, computed by calling it once when the migration
    runs (not when makemigrations runs, and not once per row).  ``path`` is the schema dict's
    ``module.qualname``; ``module`` is the importable module it lives in, or None for a lambda
    or a local function, which a migration file cannot call.
    """

    path: str
    module: str | None = None

    @property
    def importable(self) -> bool:
        return self.module is not None

    def expression(self) -> str:
        """Return the Python call a migration file makes, e.g. ``datetime.datetime.now()``."""
        return f"{self.path}()"


@dataclass(frozen=True)
class FillNulls(Operation):
    """Give the NULLs of a column one value computed when the migration runs.

    Used for a callable default: the column is added (or kept) nullable, filled with one
    parameter by an UPDATE, then made NOT NULL by an ``AlterColumn``.  PostgreSQL's DDL cannot
    take a parameter, so the value cannot be a ``DEFAULT`` of ``ADD COLUMN``.  Undoing it is
    nothing: the steps around it undo the column.
    """

    table: str
    column: str
    value: CallDefault
    definition: dict[str, Any]

    def reverse_operations(self) -> list[Operation]:
        return []

    def describe(self) -> str:
        return (f"Existing rows get {self.table}.{self.column} = {self.value.expression()}, "
                "called once when this runs.")

    def name_fragment(self) -> str:
        return f"fill_{self.column}_on_{self.table}"

    def apply(self, tables: dict[str, Any]) -> None:
        pass  # data only


@dataclass(frozen=True)
class DropColumn(TableChange):
    """Drop a column; carries its definition so the reverse can re-add it."""

    column: str
    definition: dict[str, Any]
    destructive: ClassVar[bool] = True

    def reverse(self) -> Operation:
        return AddColumn(self.table, self.column, self.definition, fill_value(self.definition))

    def describe(self) -> str:
        return f"Drop column {self.table}.{self.column} (its values are lost)."

    def loss(self) -> str | None:
        return f"drops column {self.table}.{self.column}: its values are lost"

    def name_fragment(self) -> str:
        return f"remove_{self.column}_from_{self.table}"

    def apply(self, tables: dict[str, Any]) -> None:
        del tables[self.table]["columns"][self.column]


@dataclass(frozen=True)
class AlterColumn(TableChange):
    """Change a column's type, size, nullability or SQL default.

    ``backfill`` is the value NULLs get before the column becomes NOT NULL.
    """

    column: str
    old: dict[str, Any]
    new: dict[str, Any]
    backfill: Any = None

    def reverse(self) -> Operation:
        backfill = fill_value(self.old) if self.new.get("nullable") and not self.old.get(
            "nullable") else None
        return AlterColumn(self.table, self.column, self.new, self.old, backfill)

    @property
    def sets_not_null(self) -> bool:
        return bool(self.old.get("nullable")) and not self.new.get("nullable")

    def describe(self) -> str:
        text = (f"Change column {self.table}.{self.column} from {column_summary(self.old)} "
                f"to {column_summary(self.new)}.")
        if self.sets_not_null and self.backfill is not None:
            text += f" NULLs become {_show(self.backfill)}."
        return text

    def name_fragment(self) -> str:
        return f"alter_{self.column}_on_{self.table}"

    def apply(self, tables: dict[str, Any]) -> None:
        tables[self.table]["columns"][self.column] = copy.deepcopy(self.new)


@dataclass(frozen=True)
class RenameColumn(TableChange):
    """Rename a column, keeping its values (keys, indexes and references follow it)."""

    old_name: str
    new_name: str

    def reverse(self) -> Operation:
        return RenameColumn(self.table, self.new_name, self.old_name)

    def describe(self) -> str:
        return f"Rename column {self.table}.{self.old_name} to {self.new_name}."

    def name_fragment(self) -> str:
        return f"rename_{self.old_name}_to_{self.new_name}_on_{self.table}"

    def apply(self, tables: dict[str, Any]) -> None:
        old, new = self.old_name, self.new_name
        table = tables[self.table]
        table["columns"] = {new if k == old else k: v for k, v in table["columns"].items()}
        table["primary_key"] = _rename_in(table["primary_key"], old, new)
        for section in ("indexes", "uniques", "foreign_keys"):
            for item in table[section].values():
                item["columns"] = _rename_in(item["columns"], old, new)
        for other in tables.values():
            for fk in other["foreign_keys"].values():
                if fk["ref_table"] == self.table:
                    fk["ref_columns"] = _rename_in(fk["ref_columns"], old, new)


@dataclass(frozen=True)
class RenameTable(Operation):
    """Rename a table, keeping its rows (foreign keys that reference it follow it)."""

    old_name: str
    new_name: str

    def reverse(self) -> Operation:
        return RenameTable(self.new_name, self.old_name)

    def describe(self) -> str:
        return f"Rename table {self.old_name} to {self.new_name}."

    def name_fragment(self) -> str:
        return f"rename_{self.old_name}_to_{self.new_name}"

    def apply(self, tables: dict[str, Any]) -> None:
        tables[self.new_name] = tables.pop(self.old_name)
        for other in tables.values():
            for fk in other["foreign_keys"].values():
                if fk["ref_table"] == self.old_name:
                    fk["ref_table"] = self.new_name


@dataclass(frozen=True)
class AddUnique(TableChange):
    """Add a unique key (fails if existing rows hold duplicates)."""

    name: str
    columns: tuple[str, ...]

    def reverse(self) -> Operation:
        return DropUnique(self.table, self.name, self.columns)

    def describe(self) -> str:
        return f"Add unique key {self.name} on {self.table} ({', '.join(self.columns)})."

    def name_fragment(self) -> str:
        return f"add_unique_{self.table}_{'_'.join(self.columns)}"

    def apply(self, tables: dict[str, Any]) -> None:
        tables[self.table]["uniques"][self.name] = {"columns": list(self.columns)}


@dataclass(frozen=True)
class DropUnique(TableChange):
    """Drop a unique key; carries its columns for the reverse."""

    name: str
    columns: tuple[str, ...]

    def reverse(self) -> Operation:
        return AddUnique(self.table, self.name, self.columns)

    def describe(self) -> str:
        return f"Drop unique key {self.name} on {self.table}."

    def name_fragment(self) -> str:
        return f"drop_unique_{self.table}_{'_'.join(self.columns)}"

    def apply(self, tables: dict[str, Any]) -> None:
        del tables[self.table]["uniques"][self.name]


@dataclass(frozen=True)
class AlterPrimaryKey(TableChange):
    """Change which columns form a table's primary key."""

    old_columns: tuple[str, ...]
    new_columns: tuple[str, ...]

    def reverse(self) -> Operation:
        return AlterPrimaryKey(self.table, self.new_columns, self.old_columns)

    def describe(self) -> str:
        return (f"Change the primary key of {self.table} from ({', '.join(self.old_columns)}) "
                f"to ({', '.join(self.new_columns)}).")

    def name_fragment(self) -> str:
        return f"alter_primary_key_on_{self.table}"

    def apply(self, tables: dict[str, Any]) -> None:
        tables[self.table]["primary_key"] = list(self.new_columns)


def column_summary(col: dict[str, Any]) -> str:
    """Return ``str(80) NOT NULL``-style words for a column dict."""
    text = col["type"]
    if col["type"] == "str" and col.get("max_len"):
        text += f"({col['max_len']})"
    elif col["type"] == "decimal":
        text += f"({col['precision']},{col['scale']})"
    text += " NULL" if col.get("nullable") else " NOT NULL"
    if col.get("sql_default") is not None:
        text += f" DEFAULT {col['sql_default']}"
    return text


def _show(value: Any) -> str:
    if isinstance(value, dict) and "sql" in value:
        return value["sql"]
    return repr(value)


def apply_operations(ops: list[Operation], schema: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``schema`` with ``ops`` applied in order (what the database will hold)."""
    result = copy.deepcopy(schema)
    for op in ops:
        op.apply(result["tables"])
    return result
