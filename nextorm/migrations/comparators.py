"""The comparators: one small function per kind of change, from DeepDiff's entries to operations.

Each table comparator reads the entries DeepDiff reported in one section of one table
(``changes.ChangedTable``) and yields ``(phase, operation)`` pairs; the diff runs them table by
table in the order of ``TABLE_COMPARATORS`` and concatenates the phases in the order of
``PHASES``, an order every server accepts:

1. renames first, so everything after them speaks of the new names;
2. new unique keys and indexes on columns that already exist (``early_*``): MariaDB refuses to
   drop the index a foreign key uses until another one can take over;
3. foreign keys, unique keys and indexes that change or go, before the columns they name change;
4. new tables, in foreign-key order (``schema.plan``);
5. columns added, changed (a NOT NULL column filled first), primary keys, columns dropped;
6. the new unique keys, indexes and foreign keys, once their columns and tables exist;
7. dropped tables last, referencing tables before the tables they reference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..schema.columns import column_identity, needs_value
from ..schema.operations import (
    AddColumn,
    AddForeignKey,
    AddUnique,
    AlterColumn,
    AlterPrimaryKey,
    CallDefault,
    CreateIndex,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropTable,
    DropUnique,
    FillNulls,
    Operation,
)
from ..schema.plan import create_operations, creation_order
from .columns import backfill_value
from .questioner import Questioner

if TYPE_CHECKING:
    from .changes import ChangedTable, SchemaChanges

PHASES = (
    "rename_tables", "rename_columns", "early_indexes", "early_uniques", "drop_fks",
    "drop_uniques", "drop_indexes", "create_tables", "add_columns", "alter_columns", "alter_pks",
    "drop_columns", "add_uniques", "add_indexes", "add_fks", "drop_tables",
)

#: What a table comparator yields: the phase an operation runs in, and the operation.
Found = Iterator[tuple[str, Operation]]


def foreign_keys(table: ChangedTable, questioner: Questioner) -> Found:
    """Drop each reported foreign key that changed or went; add each that changed or came."""
    for key, before, after in table.changed("foreign_keys"):
        if before is not None:
            yield "drop_fks", DropForeignKey(table.name, key, before)
        if after is not None:
            yield "add_fks", AddForeignKey(table.name, key, after)


def unique_keys(table: ChangedTable, questioner: Questioner) -> Found:
    """Drop each reported unique key that changed or went; add each that changed or came."""
    for key, before, after in table.changed("uniques"):
        if before is not None:
            yield "drop_uniques", DropUnique(table.name, key, tuple(before["columns"]))
        if after is not None:
            yield (_add_phase("uniques", table, before, after),
                   AddUnique(table.name, key, tuple(after["columns"])))


def indexes(table: ChangedTable, questioner: Questioner) -> Found:
    """Drop each reported index that changed or went; create each that changed or came."""
    for key, before, after in table.changed("indexes"):
        if before is not None:
            yield "drop_indexes", DropIndex(table.name, key, tuple(before["columns"]),
                                            before["unique"])
        if after is not None:
            yield (_add_phase("indexes", table, before, after),
                   CreateIndex(table.name, key, tuple(after["columns"]), after["unique"]))


def _add_phase(section: str, table: ChangedTable, before: Any, after: dict[str, Any]) -> str:
    """Return ``early_<section>`` for a new key on columns that exist already, else ``add_``."""
    early = before is None and all(c in table.before["columns"] for c in after["columns"])
    return f"early_{section}" if early else f"add_{section}"


def primary_key(table: ChangedTable, questioner: Questioner) -> Found:
    """Change the primary key when DeepDiff reported it and it still differs."""
    before, after = table.before["primary_key"], table.after["primary_key"]
    if table.reported("primary_key") and before != after:
        yield "alter_pks", AlterPrimaryKey(table.name, tuple(before), tuple(after))


def new_and_changed_columns(table: ChangedTable, questioner: Questioner) -> Found:
    """Add or change each reported column whose stored part differs, in the model's order.

    The model's order is the order a SQLite rebuild creates columns in, and the order the
    questioner asks in.
    """
    reported = table.reported("columns")
    for column, col in table.after["columns"].items():
        if column not in reported:
            continue
        before = table.before["columns"].get(column)
        if before is None:
            yield from added_column(table.name, column, col, questioner)
        elif column_identity(before) != column_identity(col):
            yield from changed_column(table.name, column, before, col, questioner)


def dropped_columns(table: ChangedTable, questioner: Questioner) -> Found:
    """Drop each reported column the new table does not have, in the old table's order."""
    reported = table.reported("columns")
    for column, col in table.before["columns"].items():
        if column in reported and column not in table.after["columns"]:
            yield "drop_columns", DropColumn(table.name, column, col)


def added_column(table: str, column: str, col: dict[str, Any], questioner: Questioner) -> Found:
    """Add a column; a NOT NULL one gets a value for the rows the table may hold."""
    if not needs_value(col):
        yield "add_columns", AddColumn(table, column, col)
        return
    value = backfill_value(table, column, col, "is added to a table that may hold rows",
                           questioner)
    if not isinstance(value, CallDefault):
        yield "add_columns", AddColumn(table, column, col, value)
        return
    loose = {**col, "nullable": True}
    yield "add_columns", AddColumn(table, column, loose)
    yield from _filled(table, column, loose, col, value)


def changed_column(
    table: str, column: str, before: dict[str, Any], col: dict[str, Any], questioner: Questioner
) -> Found:
    """Change a column; one that becomes NOT NULL gets a value for its NULLs first."""
    if not (before.get("nullable") and not col.get("nullable")):
        yield "alter_columns", AlterColumn(table, column, before, col)
        return
    value = backfill_value(table, column, col, "was nullable (its NULLs need a value)",
                           questioner)
    if not isinstance(value, CallDefault):
        yield "alter_columns", AlterColumn(table, column, before, col, value)
        return
    loose = {**col, "nullable": True}
    if column_identity(before) != column_identity(loose):  # a new type too: change it first, still nullable
        yield "alter_columns", AlterColumn(table, column, before, loose)
    yield from _filled(table, column, loose, col, value)


def _filled(
    table: str, column: str, loose: dict[str, Any], col: dict[str, Any], value: CallDefault
) -> Found:
    """Fill a nullable column's NULLs by calling ``value`` per row, then make it NOT NULL."""
    yield "alter_columns", FillNulls(table, column, value, col)
    yield "alter_columns", AlterColumn(table, column, loose, col)


#: The table comparators, in the order they run on each table.
TABLE_COMPARATORS: tuple[Callable[[ChangedTable, Questioner], Found], ...] = (
    foreign_keys, unique_keys, indexes, primary_key, new_and_changed_columns, dropped_columns,
)


def created_tables(changes: SchemaChanges) -> list[Operation]:
    """Create the tables DeepDiff reported added, referenced tables first."""
    added = {name: t for name, t in changes.new.items() if name in changes.added}
    return create_operations(added) if added else []


def dropped_tables(changes: SchemaChanges) -> list[Operation]:
    """Drop the tables DeepDiff reported removed, referencing tables first."""
    dropped = {name: t for name, t in changes.old.items() if name in changes.removed}
    order, _ = creation_order(dropped)
    return [DropTable(name, dropped[name]) for name in reversed(order)]
