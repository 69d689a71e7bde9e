"""Operations on tables and their keys: create, drop, rename; indexes, unique, foreign and
primary keys."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, ClassVar

from .base import Operation, TableChange


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
