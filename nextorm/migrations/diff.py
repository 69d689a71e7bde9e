"""Compare two schema dicts and return the operations that turn one into the other.

DeepDiff finds which tables changed (the dicts are keyed by name, so its paths are clean and
declaration order never shows as a change); each changed table is then compared section by
section.  Operations come out in an order every server accepts: renames first, then what must
go before columns change (foreign keys, unique keys, indexes), new tables in foreign-key order,
column changes, then the new keys and indexes, and dropped tables last.

Anything that could lose data without the user meaning it, a rename that looks like a drop and
an add or a NOT NULL column whose existing rows need a value, is decided by the questioner.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from ..errors import MigrationError
from ..schema.plan import create_operations, creation_order
from .operations import (
    AddColumn,
    AddForeignKey,
    AddUnique,
    AlterColumn,
    AlterPrimaryKey,
    CreateIndex,
    DropColumn,
    DropForeignKey,
    DropIndex,
    DropTable,
    DropUnique,
    Operation,
    RenameColumn,
    RenameTable,
)
from .questioner import Questioner

#: Column keys that exist in the database; ``default`` and ``empty_default`` live only in the model.
PHYSICAL_KEYS = ("type", "max_len", "precision", "scale", "nullable", "sql_default", "auto")

_PHASES = (
    "rename_tables", "rename_columns", "early_indexes", "early_uniques", "drop_fks", "drop_uniques", "drop_indexes",
    "create_tables", "add_columns", "alter_columns", "alter_pks", "drop_columns",
    "add_uniques", "add_indexes", "add_fks", "drop_tables",
)


def changed_tables(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    """Return the names of tables DeepDiff finds added, removed or changed.

    Tables that compare equal are left out before DeepDiff walks the rest: a no-change run on
    200 tables then costs a dict comparison, not a deep walk.
    """
    from deepdiff import DeepDiff

    old_tables, new_tables = old["tables"], new["tables"]
    differing = {n for n in old_tables.keys() | new_tables.keys()
                 if old_tables.get(n) != new_tables.get(n)}
    if not differing:
        return set()
    report = DeepDiff({n: old_tables[n] for n in sorted(differing) if n in old_tables},
                      {n: new_tables[n] for n in sorted(differing) if n in new_tables},
                      view="tree")
    names: set[str] = set()
    for levels in report.values():
        for level in levels:
            path = level.path(output_format="list")
            if path:
                names.add(path[0])
            else:  # one side has none of them: DeepDiff reports the whole dict
                names.update(differing)
    return names


def diff_schemas(
    old: dict[str, Any], new: dict[str, Any], questioner: Questioner | None = None
) -> list[Operation]:
    """Return the ordered operations that turn schema ``old`` into schema ``new``."""
    questioner = questioner or Questioner()
    check_hints(questioner, new)
    old = align_columns(old, new)
    touched = changed_tables(old, new)
    if not touched:
        return []
    state = copy.deepcopy(old["tables"])
    target = new["tables"]
    phases: dict[str, list[Operation]] = {phase: [] for phase in _PHASES}

    _find_table_renames(state, target, questioner, phases["rename_tables"])
    for op in phases["rename_tables"]:
        touched.add(op.new_name)  # type: ignore[attr-defined]
    for name in sorted(touched):
        if name in state and name in target:
            _find_column_renames(name, state, target[name], questioner, phases["rename_columns"])
            _diff_table(name, state[name], target[name], questioner, phases)

    added = {n: target[n] for n in target if n not in state}
    phases["create_tables"] = create_operations(added) if added else []
    dropped = {n: state[n] for n in state if n not in target}
    order, _ = creation_order(dropped)
    phases["drop_tables"] = [DropTable(n, dropped[n]) for n in reversed(order)]

    ops = [op for phase in _PHASES for op in phases[phase]]
    return annotate(ops, old)


def check_hints(questioner: Questioner, new: dict[str, Any]) -> None:
    """Refuse a rename hint whose new name the entities do not have (a typo)."""
    tables = new["tables"]
    for (table, old), name in questioner.column_hints.items():
        if name not in tables.get(table, {}).get("columns", {}):
            raise MigrationError(
                f"--rename {table}.{old}={name}: the entities have no column {table}.{name}")
    for old, name in questioner.table_hints.items():
        if name not in tables:
            raise MigrationError(f"--rename-table {old}={name}: the entities have no table {name!r}")


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


def reverse_operations(ops: list[Operation], new: dict[str, Any]) -> list[Operation]:
    """Return the operations that undo ``ops``, starting from schema ``new``."""
    undo = [r for op in reversed(ops) for r in op.reverse_operations()]
    dropped_after: set[str] = set()
    kept: list[Operation] = []
    for op in reversed(undo):  # indexes and keys of a table dropped later go with it
        if isinstance(op, DropTable):
            dropped_after.add(op.table)
        if isinstance(op, DropIndex | DropUnique) and op.table in dropped_after:
            continue
        kept.append(op)
    return annotate(list(reversed(kept)), new)


def annotate(ops: list[Operation], start: dict[str, Any]) -> list[Operation]:
    """Fill each table change's ``table_before``/``table_after`` by replaying ``ops``."""
    tables = copy.deepcopy(start["tables"])
    result = []
    for op in ops:
        if hasattr(op, "table_before"):
            before = copy.deepcopy(tables[op.table])  # type: ignore[attr-defined]
            op.apply(tables)
            after = copy.deepcopy(tables[op.table])  # type: ignore[attr-defined]
            op = dataclasses.replace(op, table_before=before, table_after=after)
        else:
            op.apply(tables)
        result.append(op)
    return result


def physical(col: dict[str, Any]) -> dict[str, Any]:
    """Return the part of a column dict the database stores."""
    return {k: col[k] for k in PHYSICAL_KEYS if k in col and not (k == "nullable" and not col[k])}


def backfill_value(
    table: str, column: str, col: dict[str, Any], why: str, questioner: Questioner
) -> Any:
    """Return the value existing rows get: the declared default, '' for text, else ask."""
    if col.get("sql_default") is not None:
        return {"sql": col["sql_default"]}
    default = col.get("default")
    if default is not None and not (isinstance(default, dict) and "callable" in default):
        return default
    if col["type"] == "str":
        return ""
    value = questioner.ask_backfill(table, column, col, why)
    if col["type"] == "bool" and isinstance(value, int | float) and not isinstance(value, bool):
        value = bool(value)  # "0" typed for a boolean: PostgreSQL wants FALSE
    return value


# -- renames ----------------------------------------------------------------------------------


def _find_table_renames(
    state: dict[str, Any], target: dict[str, Any], questioner: Questioner, out: list[Operation]
) -> None:
    removed = [n for n in sorted(state) if n not in target]
    added = [n for n in sorted(target) if n not in state]
    for old in removed:
        hinted = questioner.table_hints.get(old)
        candidates = [hinted] if hinted in added else [
            n for n in added if _same_columns(state[old], target[n])]
        for new in candidates:
            if questioner.ask_rename_table(old, new):
                op = RenameTable(old, new)
                op.apply(state)
                added.remove(new)
                out.append(op)
                break


def _find_column_renames(
    name: str, state: dict[str, Any], table: dict[str, Any], questioner: Questioner,
    out: list[Operation],
) -> None:
    columns = state[name]["columns"]
    removed = [c for c in columns if c not in table["columns"]]
    added = [c for c in table["columns"] if c not in columns]
    for old in removed:
        hinted = questioner.column_hints.get((name, old))
        candidates = [hinted] if hinted in added else [
            c for c in added if physical(columns[old]) == physical(table["columns"][c])]
        for new in candidates:
            if questioner.ask_rename_column(name, old, new):
                op = RenameColumn(name, old, new)
                op.apply(state)
                added.remove(new)
                out.append(op)
                break


def _same_columns(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if list(a["columns"]) != list(b["columns"]):
        return False
    return all(physical(a["columns"][c]) == physical(b["columns"][c]) for c in a["columns"])


# -- one table ---------------------------------------------------------------------------------


def _diff_table(
    name: str, old: dict[str, Any], new: dict[str, Any], questioner: Questioner,
    phases: dict[str, list[Operation]],
) -> None:
    for fk_name, fk in sorted(old["foreign_keys"].items()):
        if new["foreign_keys"].get(fk_name) != fk:
            phases["drop_fks"].append(DropForeignKey(name, fk_name, fk))
    for fk_name, fk in sorted(new["foreign_keys"].items()):
        if old["foreign_keys"].get(fk_name) != fk:
            phases["add_fks"].append(AddForeignKey(name, fk_name, fk))
    for key, unique in sorted(old["uniques"].items()):
        if new["uniques"].get(key) != unique:
            phases["drop_uniques"].append(DropUnique(name, key, tuple(unique["columns"])))
    # A new key or index on columns that already exist is created before anything is dropped:
    # MariaDB refuses to drop the index a foreign key uses until another one can take over.
    def phase(kind: str, key: str, section: dict, columns: list[str]) -> str:
        early = key not in section and all(c in old["columns"] for c in columns)
        return f"early_{kind}" if early else f"add_{kind}"

    for key, unique in sorted(new["uniques"].items()):
        if old["uniques"].get(key) != unique:
            phases[phase("uniques", key, old["uniques"], unique["columns"])].append(
                AddUnique(name, key, tuple(unique["columns"])))
    for key, index in sorted(old["indexes"].items()):
        if new["indexes"].get(key) != index:
            phases["drop_indexes"].append(
                DropIndex(name, key, tuple(index["columns"]), index["unique"]))
    for key, index in sorted(new["indexes"].items()):
        if old["indexes"].get(key) != index:
            phases[phase("indexes", key, old["indexes"], index["columns"])].append(
                CreateIndex(name, key, tuple(index["columns"]), index["unique"]))
    if old["primary_key"] != new["primary_key"]:
        phases["alter_pks"].append(
            AlterPrimaryKey(name, tuple(old["primary_key"]), tuple(new["primary_key"])))
    for col_name, col in new["columns"].items():
        before = old["columns"].get(col_name)
        if before is None:
            backfill = None
            if not col.get("nullable") and col.get("sql_default") is None:
                backfill = backfill_value(
                    name, col_name, col, "is added to a table that may hold rows", questioner)
            phases["add_columns"].append(AddColumn(name, col_name, col, backfill))
        elif physical(before) != physical(col):
            backfill = None
            if before.get("nullable") and not col.get("nullable"):
                backfill = backfill_value(
                    name, col_name, col, "was nullable (its NULLs need a value)", questioner)
            phases["alter_columns"].append(AlterColumn(name, col_name, before, col, backfill))
    for col_name, col in old["columns"].items():
        if col_name not in new["columns"]:
            phases["drop_columns"].append(DropColumn(name, col_name, col))
