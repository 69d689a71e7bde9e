"""Operations on one column: add, drop, alter, rename, and filling existing rows."""

from __future__ import annotations

from typing import Any, ClassVar

from ..state import copied
from .base import Operation, Record, Rename, TableChange, _show, column_summary


def fill_value(col: dict[str, Any]) -> Any:
    """Return a value for existing rows when no better one is known (used by downgrades).

    The declared default if any, else a neutral value of the column's type (a ``Vec``: zeros).
    """
    if col["type"] == "vector":  # its default's floats (JSON in the schema), else zeros
        default = col.get("default")
        if isinstance(default, dict) and isinstance(default.get("json"), list):
            return [float(v) for v in default["json"]]
        return [0.0] * int(col["dimensions"])
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


class AddColumn(TableChange):
    """Add a column; ``backfill`` is the value existing rows get when the column is NOT NULL."""

    column: str
    definition: dict[str, Any]
    backfill: Any = None
    fragment = "add_{column}_to_{table}"

    def reverse(self) -> Operation:
        return DropColumn(self.table, self.column, self.definition)

    def describe(self) -> str:
        text = f"Add column {self.table}.{self.column} ({column_summary(self.definition)})."
        if self.backfill is not None and not self.definition.get("nullable"):
            text += f" Existing rows get {_show(self.backfill)}."
        return text

    def apply(self, tables: dict[str, Any]) -> None:
        tables[self.table]["columns"][self.column] = copied(self.definition)


class CallDefault(Record):
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
    changes_in_place: ClassVar[str] = ""
    fragment = "fill_{column}_on_{table}"

    def reverse_operations(self) -> list[Operation]:
        return []

    def describe(self) -> str:
        return (f"Existing rows get {self.table}.{self.column} = {self.value.expression()}, "
                "called once when this runs.")

    def apply(self, tables: dict[str, Any]) -> None:
        pass  # data only


class DropColumn(TableChange):
    """Drop a column; carries its definition so the reverse can re-add it."""

    column: str
    definition: dict[str, Any]
    destructive: ClassVar[bool] = True
    summary = "Drop column {table}.{column} (its values are lost)."
    fragment = "remove_{column}_from_{table}"
    lost = "drops column {table}.{column}: its values are lost"

    def reverse(self) -> Operation:
        return AddColumn(self.table, self.column, self.definition, fill_value(self.definition))

    def apply(self, tables: dict[str, Any]) -> None:
        del tables[self.table]["columns"][self.column]


class AlterColumn(TableChange):
    """Change a column's type, size, nullability or SQL default.

    ``backfill`` is the value NULLs get before the column becomes NOT NULL.
    """

    column: str
    old: dict[str, Any]
    new: dict[str, Any]
    backfill: Any = None
    fragment = "alter_{column}_on_{table}"

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

    def apply(self, tables: dict[str, Any]) -> None:
        tables[self.table]["columns"][self.column] = copied(self.new)


class RenameColumn(Rename):
    """Rename a column, keeping its values (keys, indexes and references follow it)."""

    table: str
    old_name: str
    new_name: str
    summary = "Rename column {table}.{old_name} to {new_name}."
    fragment = "rename_{old_name}_to_{new_name}_on_{table}"

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
