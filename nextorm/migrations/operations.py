"""Schema operations: what a migration does, as data.

Each operation is a small frozen dataclass that carries everything needed to render it on any
dialect *and* to render its reverse, so ``downgrade(db)`` can be generated from the diff alone
(a drop carries the full definition of what it drops).  Dialects turn an operation into SQL
(``Dialect.render``); templates turn it into a commented step of a migration file.

An operation lives in four small places: this dataclass, the rule in ``diff.py`` that finds it,
its SQL in ``dialects/``, and its partial in ``templates/``.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class DropTable(Operation):
    """Drop a table; carries its definition so the reverse can recreate it."""

    table: str
    definition: dict[str, Any]
    destructive: ClassVar[bool] = True

    def reverse(self) -> Operation:
        return CreateTable(self.table, self.definition)

    def describe(self) -> str:
        return f"Drop table {self.table} (DESTRUCTIVE: its rows are lost)."

    def name_fragment(self) -> str:
        return f"drop_{self.table}"


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


@dataclass(frozen=True)
class AddForeignKey(Operation):
    """Add a foreign-key constraint to an existing table."""

    table: str
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


@dataclass(frozen=True)
class DropForeignKey(Operation):
    """Drop a foreign-key constraint; carries its definition for the reverse."""

    table: str
    name: str
    definition: dict[str, Any]

    def reverse(self) -> Operation:
        return AddForeignKey(self.table, self.name, self.definition)

    def describe(self) -> str:
        return f"Drop foreign key {self.name} on {self.table}."

    def name_fragment(self) -> str:
        return f"drop_fk_{self.table}_{'_'.join(self.definition['columns'])}"
