"""Indexes, unique keys and foreign keys: named items of one section of a table.

Each kind comes as a pair, one that adds the item and one that drops it, with the same fields,
so each undoes the other.  What differs between the kinds is data: the section of the table
that holds them, their name in words and in file names, and what the section stores.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..state import copied
from .base import Operation, TableChange


class KeyChange(TableChange):
    """Add (``adds``) or drop the item ``name`` of one section of a table."""

    name: str
    #: The table's section holding these items, e.g. ``"uniques"``.
    section: ClassVar[str]
    #: The kind in words (``unique key``) and in file names (``unique``).
    noun: ClassVar[str]
    word: ClassVar[str]
    adds: ClassVar[bool]
    #: The operation with the same fields that undoes this one (set by ``_pair``).
    opposite: ClassVar[type[KeyChange]]

    @property
    def key_columns(self) -> list[str] | tuple[str, ...]:
        raise NotImplementedError(type(self).__name__)

    def item(self) -> dict[str, Any]:
        """What the table's section stores for this item."""
        raise NotImplementedError(type(self).__name__)

    def reverse(self) -> Operation:
        return self.opposite(*self._values())

    def describe(self) -> str:
        if not self.adds:
            return f"Drop {self.noun} {self.name} on {self.table}."
        return f"Add {self.noun} {self.name} on {self.table} ({', '.join(self.key_columns)})."

    def name_fragment(self) -> str:
        verb = "add" if self.adds else "drop"
        return f"{verb}_{self.word}_{self.table}_{'_'.join(self.key_columns)}"

    def apply(self, tables: dict[str, Any]) -> None:
        items = tables[self.table][self.section]
        if self.adds:
            items[self.name] = self.item()
        else:
            del items[self.name]


def _pair(add: type[KeyChange], drop: type[KeyChange]) -> None:
    add.adds, drop.adds = True, False
    add.opposite, drop.opposite = drop, add


class _IndexFields(KeyChange):
    columns: tuple[str, ...]
    unique: bool = False
    section, noun, word = "indexes", "index", "index"

    @property
    def key_columns(self) -> tuple[str, ...]:
        return self.columns

    def item(self) -> dict[str, Any]:
        return {"columns": list(self.columns), "unique": self.unique}


class CreateIndex(_IndexFields):
    """Create a (possibly unique) index."""

    def describe(self) -> str:
        kind = "unique index" if self.unique else "index"
        return f"Create {kind} {self.name} on {self.table} ({', '.join(self.columns)})."


class DropIndex(_IndexFields):
    """Drop an index; carries its columns so the reverse can recreate it."""


class _UniqueFields(KeyChange):
    columns: tuple[str, ...]
    section, noun, word = "uniques", "unique key", "unique"

    @property
    def key_columns(self) -> tuple[str, ...]:
        return self.columns

    def item(self) -> dict[str, Any]:
        return {"columns": list(self.columns)}


class AddUnique(_UniqueFields):
    """Add a unique key (fails if existing rows hold duplicates)."""


class DropUnique(_UniqueFields):
    """Drop a unique key; carries its columns for the reverse."""


class _ForeignKeyFields(KeyChange):
    definition: dict[str, Any]  # columns, ref_table, ref_columns, on_delete
    section, noun, word = "foreign_keys", "foreign key", "fk"

    @property
    def key_columns(self) -> list[str]:
        return list(self.definition["columns"])

    def item(self) -> dict[str, Any]:
        return copied(self.definition)


class AddForeignKey(_ForeignKeyFields):
    """Add a foreign-key constraint to an existing table."""

    def describe(self) -> str:
        d = self.definition
        return (f"Add foreign key {self.table}({', '.join(d['columns'])}) -> "
                f"{d['ref_table']}({', '.join(d['ref_columns'])}) ON DELETE {d['on_delete']}.")


class DropForeignKey(_ForeignKeyFields):
    """Drop a foreign-key constraint; carries its definition for the reverse."""


_pair(CreateIndex, DropIndex)
_pair(AddUnique, DropUnique)
_pair(AddForeignKey, DropForeignKey)
