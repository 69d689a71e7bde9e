"""Compare two schema dicts and return the operations that turn one into the other.

``diff_schemas`` runs these steps (``docs/diff.md`` tells why):

1. nothing differs: return at once, on a dict comparison (DeepDiff is not even imported);
2. renamed tables, asked through the questioner (``renames.py``);
3. DeepDiff, tree view, over the tables that differ, its report cut into the changed entries
   of each table (``changes.py``);
4. table by table, by name: renamed columns (``renames.py``), then the comparators, one per kind
   of change, in a fixed order (``comparators.py``); then the tables created and dropped;
5. the operations, phase by phase, in the order of ``comparators.PHASES``.

Anything that could lose data without the user meaning it, a rename that looks like a drop and
an add or a NOT NULL column whose existing rows need a value, is decided by the questioner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..schema.columns import PHYSICAL_KEYS, column_identity
from ..schema.state import copied
from .questioner import Questioner

if TYPE_CHECKING:
    from ..schema.operations import Operation

__all__ = [
    "PHYSICAL_KEYS", "align_columns", "column_identity", "copied", "diff_schemas",
    "reverse_operations", "working_copy",
]


def diff_schemas(
    old: dict[str, Any], new: dict[str, Any], questioner: Questioner | None = None
) -> list[Operation]:
    """Return the ordered operations that turn schema ``old`` into schema ``new``."""
    questioner = questioner or Questioner()
    questioner.check(new["tables"])
    old = align_columns(old, new)
    if old["tables"] == new["tables"]:
        return []
    # Imported only when something differs: DeepDiff, the comparators and the operations.
    from .changes import read_changes
    from .comparators import PHASES, TABLE_COMPARATORS, created_tables, dropped_tables
    from .renames import find_column_renames, find_table_renames

    target = new["tables"]
    state = working_copy(old["tables"], target)
    phases: dict[str, list[Operation]] = {phase: [] for phase in PHASES}
    implied = find_table_renames(state, target, questioner, phases["rename_tables"])
    state = align_columns({"tables": state}, new)["tables"]  # renamed tables: model order
    changes = read_changes(state, target)
    for table in changes.changed_tables():
        find_column_renames(table.name, state, target[table.name], questioner, implied,
                            phases["rename_columns"])
        for comparator in TABLE_COMPARATORS:
            for phase, op in comparator(table, questioner):
                phases[phase].append(op)
    phases["create_tables"] = created_tables(changes)
    phases["drop_tables"] = dropped_tables(changes)
    return [op for phase in PHASES for op in phases[phase]]


def working_copy(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Return ``old``'s tables with a copy of each one the renames may edit, the rest shared.

    A rename edits the table renamed or holding the column, which differs from ``new``, and the
    foreign keys that reference it; a table equal in both that references none of those is
    never edited, so a one-column change on 200 tables copies one or two tables, not 200.
    """
    differing = {name for name, table in old.items() if new.get(name) != table}
    return {name: copied(table)
            if name in differing
            or any(fk["ref_table"] in differing for fk in table["foreign_keys"].values())
            else table for name, table in old.items()}


def align_columns(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Return ``old`` with each table's columns in the model's order where they are shared.

    The snapshot stores keys sorted (stable bytes), which loses declaration order; a SQLite
    rebuild creates columns in this order, so it follows the entities, not the alphabet.
    """
    tables = {}
    for name, table in old["tables"].items():
        model = new["tables"].get(name)
        if model is not None:
            cols = table["columns"]
            order = [c for c in model["columns"] if c in cols] + [
                c for c in cols if c not in model["columns"]]
            table = {**table, "columns": {c: cols[c] for c in order}}
        tables[name] = table
    return {**old, "tables": tables}


def reverse_operations(ops: list[Operation], new: dict[str, Any] | None = None) -> list[Operation]:
    """Return the operations that undo ``ops`` (which lead to schema ``new``: unused now, the
    renderer walks the schema itself)."""
    from ..schema.operations import DropIndex, DropTable, DropUnique
    undo = [r for op in reversed(ops) for r in op.reverse_operations()]
    dropped_after: set[str] = set()
    kept: list[Operation] = []
    for op in reversed(undo):  # indexes and keys of a table dropped later go with it
        if isinstance(op, DropTable):
            dropped_after.add(op.table)
        if isinstance(op, DropIndex | DropUnique) and op.table in dropped_after:
            continue
        kept.append(op)
    return list(reversed(kept))


def __getattr__(name: str) -> Any:
    """``backfill_value`` and ``call_default`` (``migrations/columns.py``), imported when asked
    for: a makemigrations that finds nothing changed never needs them."""
    if name in ("backfill_value", "call_default"):
        from . import columns

        return getattr(columns, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
