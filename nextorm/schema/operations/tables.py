"""Operations on whole tables: create, drop, rename, and the primary key."""

from __future__ import annotations

from typing import Any, ClassVar

from ..state import copied
from .base import Operation, Rename, TableChange
from .keys import CreateIndex


class CreateTable(Operation):
    """Create a table with its columns, primary key, unique keys and foreign keys.

    ``definition`` is the table's schema dict; its indexes are created by separate
    ``CreateIndex`` operations, and ``skip_foreign_keys`` names foreign keys added later by
    ``AddForeignKey`` (to break reference cycles).
    """

    table: str
    definition: dict[str, Any]
    skip_foreign_keys: tuple[str, ...] = ()
    changes_in_place: ClassVar[str] = ""
    summary, fragment = "Create table {table}.", "create_{table}"

    def reverse(self) -> Operation:
        return DropTable(self.table, self.definition)

    def apply(self, tables: dict[str, Any]) -> None:
        table = copied(self.definition)
        table["indexes"] = {}  # created by the CreateIndex steps that follow
        for name in self.skip_foreign_keys:
            del table["foreign_keys"][name]
        tables[self.table] = table


class DropTable(Operation):
    """Drop a table; carries its definition so the reverse can recreate it."""

    table: str
    definition: dict[str, Any]
    destructive: ClassVar[bool] = True
    changes_in_place: ClassVar[str] = ""
    summary, fragment = "Drop table {table} (its rows are lost).", "drop_{table}"
    lost = "drops table {table}: its rows are lost"

    def reverse(self) -> Operation:
        return CreateTable(self.table, self.definition)

    def apply(self, tables: dict[str, Any]) -> None:
        del tables[self.table]

    def reverse_operations(self) -> list[Operation]:
        ops: list[Operation] = [CreateTable(self.table, self.definition)]
        for name, index in self.definition["indexes"].items():
            ops.append(CreateIndex(self.table, name, tuple(index["columns"]), index["unique"]))
        return ops


class RenameTable(Rename):
    """Rename a table, keeping its rows (foreign keys that reference it follow it)."""

    old_name: str
    new_name: str
    summary = "Rename table {old_name} to {new_name}."
    fragment = "rename_{old_name}_to_{new_name}"

    def apply(self, tables: dict[str, Any]) -> None:
        tables[self.new_name] = tables.pop(self.old_name)
        for other in tables.values():
            for fk in other["foreign_keys"].values():
                if fk["ref_table"] == self.old_name:
                    fk["ref_table"] = self.new_name


class AlterPrimaryKey(TableChange):
    """Change which columns form a table's primary key."""

    old_columns: tuple[str, ...]
    new_columns: tuple[str, ...]
    fragment = "alter_primary_key_on_{table}"

    def reverse(self) -> Operation:
        return AlterPrimaryKey(self.table, self.new_columns, self.old_columns)

    def describe(self) -> str:
        return (f"Change the primary key of {self.table} from ({', '.join(self.old_columns)}) "
                f"to ({', '.join(self.new_columns)}).")

    def apply(self, tables: dict[str, Any]) -> None:
        tables[self.table]["primary_key"] = list(self.new_columns)
