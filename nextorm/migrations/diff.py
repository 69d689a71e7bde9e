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
import importlib
from typing import Any

from ..schema.plan import create_operations, creation_order
from .operations import (
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
    RenameColumn,
    RenameTable,
)
from .questioner import Questioner
from .values import coerce

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
    questioner.check(new["tables"])
    old = align_columns(old, new)
    touched = changed_tables(old, new)
    if not touched:
        return []
    state = copy.deepcopy(old["tables"])
    target = new["tables"]
    phases: dict[str, list[Operation]] = {phase: [] for phase in _PHASES}

    implied = _find_table_renames(state, target, questioner, phases["rename_tables"])
    for op in phases["rename_tables"]:
        touched.add(op.new_name)  # type: ignore[attr-defined]
    state = align_columns({"tables": state}, new)["tables"]  # renamed tables: model order
    for name in sorted(touched):
        if name in state and name in target:
            _find_column_renames(name, state, target[name], questioner, implied,
                                 phases["rename_columns"])
            _diff_table(name, state[name], target[name], questioner, phases)

    added = {n: target[n] for n in target if n not in state}
    phases["create_tables"] = create_operations(added) if added else []
    dropped = {n: state[n] for n in state if n not in target}
    order, _ = creation_order(dropped)
    phases["drop_tables"] = [DropTable(n, dropped[n]) for n in reversed(order)]

    ops = [op for phase in _PHASES for op in phases[phase]]
    return annotate(ops, old)


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
    """Return the value existing rows get when ``table.column`` must become NOT NULL.

    In order: the column's SQL default; a value given with ``--default``; the declared
    default (a callable gives a ``CallDefault``, computed when the migration runs, unless the
    questioner takes a one-off value instead); '' for text; else the questioner asks.
    """
    if col.get("sql_default") is not None:
        return {"sql": col["sql_default"]}
    given, value = questioner.given_default(table, column)
    if given:
        return value
    default = col.get("default")
    if isinstance(default, dict) and "callable" in default:
        call = call_default(default["callable"])
        return _checked(questioner.ask_callable_backfill(table, column, col, why, call), col)
    if default is not None:
        return default
    if col["type"] == "str":
        return ""
    return _checked(questioner.ask_backfill(table, column, col, why), col)


def _checked(value: Any, col: dict[str, Any]) -> Any:
    """Check a questioner's answer against the column type (a subclass may skip the check)."""
    if isinstance(value, CallDefault) or isinstance(value, dict) and "sql" in value:
        return value
    return coerce(value, col)


def call_default(path: str) -> CallDefault:
    """Return ``path`` (``module.qualname`` from the schema dict) with its importable module.

    The longest importable prefix is the module (``datetime.datetime.now`` lives in
    ``datetime``); a lambda or a local function has none, as a migration file cannot call it.
    """
    parts = path.split(".")
    if any(p.startswith("<") for p in parts):
        return CallDefault(path)
    for cut in range(len(parts) - 1, 0, -1):
        module = ".".join(parts[:cut])
        try:
            target: Any = importlib.import_module(module)
        except Exception:  # not a module (ImportError), or one that fails to import
            continue
        try:
            for name in parts[cut:]:
                target = getattr(target, name)
        except AttributeError:
            return CallDefault(path)
        return CallDefault(path, module) if callable(target) else CallDefault(path)
    return CallDefault(path)


# -- renames ----------------------------------------------------------------------------------


def _find_table_renames(
    state: dict[str, Any], target: dict[str, Any], questioner: Questioner, out: list[Operation]
) -> dict[tuple[str, str], str]:
    """Find renamed tables; return the column renames they imply (in many-to-many tables).

    A hint decides first; then a table that disappeared is compared with each new table whose
    columns have the same definitions (in any order: the snapshot stores them sorted, the
    entities in declaration order), those with the same column names too first, and the
    questioner decides.  Names may differ, so a table renamed together with some of its
    columns is asked about too, and its column renames are found afterwards.  Index and key
    names that embed the table name differ after a rename; the table's own diff recreates them.
    Join tables come last: one named after a renamed table follows it without a question.
    """
    before = set(state)
    removed = [n for n in sorted(state) if n not in target]
    added = [n for n in sorted(target) if n not in state]
    hinted = {old: new for old, new in questioner.table_hints.items()
              if old in removed and new in added}
    renamed: dict[str, str] = {}
    implied: dict[tuple[str, str], str] = {}
    for old in sorted(removed, key=lambda n: (n not in hinted, _join_parts(n, before) is not None)):
        new = _followed_join_table(old, state, target, before, renamed, implied)
        if new is None:
            new = _ask_table_rename(old, state, target, added, hinted, questioner)
        if new is not None:
            _rename_table(state, old, new, out)
            added.remove(new)
            renamed[old] = new
    return implied


def _ask_table_rename(
    old: str, state: dict[str, Any], target: dict[str, Any], added: list[str],
    hinted: dict[str, str], questioner: Questioner,
) -> str | None:
    """Return the table ``old`` was renamed to, as hinted or answered; None if none."""
    if old in hinted:
        candidates = [hinted[old]]
    else:
        candidates = sorted(
            (n for n in added if n not in hinted.values() and same_shape(state[old], target[n])),
            key=lambda n: not same_columns(state[old], target[n]))
    return next((new for new in candidates if questioner.ask_rename_table(old, new)), None)


def _rename_table(state: dict[str, Any], old: str, new: str, out: list[Operation]) -> None:
    op = RenameTable(old, new)
    op.apply(state)
    out.append(op)


def _followed_join_table(
    old: str, state: dict[str, Any], target: dict[str, Any], before: set[str],
    renamed: dict[str, str], implied: dict[tuple[str, str], str],
) -> str | None:
    """Return the new name of a many-to-many table named after a renamed table, if it is one.

    ``post_tag(post_id, tag_id)`` follows ``post`` → ``article`` to
    ``article_tag(article_id, tag_id)``: both names are derived from the table's name, so the
    rename already answered implies them (added to ``implied``); dropping the join table would
    lose every link.
    """
    parts = _join_parts(old, before)
    if parts is None or not renamed.keys() & set(parts):
        return None
    new = "_".join(sorted(renamed.get(p, p) for p in parts))
    if new in state or new not in target:
        return None
    columns = {c: _renamed_column(c, renamed) for c in state[old]["columns"]}
    mapped = {columns[c]: physical(col) for c, col in state[old]["columns"].items()}
    if mapped != {c: physical(col) for c, col in target[new]["columns"].items()}:
        return None
    implied.update({(new, c): n for c, n in columns.items() if c != n})
    return new


def _join_parts(name: str, before: set[str]) -> tuple[str, str] | None:
    """Return the two tables a join table's name is made of (``first_second``, sorted)."""
    for first in sorted(before):
        second = name[len(first) + 1:]
        if name.startswith(first + "_") and second in before and first <= second:
            return first, second
    return None


def _renamed_column(column: str, renamed: dict[str, str]) -> str:
    """Return a join table's key column after renames (``post_id`` → ``article_id``)."""
    for old, new in renamed.items():
        if column.startswith(old + "_"):
            return new + column[len(old):]
    return column


def _find_column_renames(
    name: str, state: dict[str, Any], table: dict[str, Any], questioner: Questioner,
    implied: dict[tuple[str, str], str], out: list[Operation],
) -> None:
    """Find renamed columns of one table: implied and hinted first, then asked.

    A column that disappeared is compared with every new column of the same definition;
    the order they are declared in plays no part.
    """
    columns = state[name]["columns"]
    removed = [c for c in columns if c not in table["columns"]]
    added = [c for c in table["columns"] if c not in columns]
    known: dict[str, str] = {}
    for old in removed:
        new = implied.get((name, old)) or questioner.column_hints.get((name, old))
        if new is not None and new in added:
            known[old] = new
    for old in sorted(removed, key=lambda c: c not in known):
        if old in known:
            candidates = [known[old]]
        else:
            candidates = [c for c in added if c not in known.values()
                          and physical(columns[old]) == physical(table["columns"][c])]
        for new in candidates:
            if (name, old) in implied or questioner.ask_rename_column(name, old, new):
                op = RenameColumn(name, old, new)
                op.apply(state)
                added.remove(new)
                out.append(op)
                break


def same_columns(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True if two tables have the same columns and primary key, whatever their order."""
    return (a["primary_key"] == b["primary_key"]
            and {c: physical(col) for c, col in a["columns"].items()}
            == {c: physical(col) for c, col in b["columns"].items()})


def same_shape(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True if two tables' columns, and their primary keys, have the same definitions.

    Names are left out: a table renamed along with some of its columns has the same shape.
    """
    def shape(table: dict[str, Any], columns: Any) -> list[str]:
        return sorted(repr(sorted(physical(table["columns"][c]).items())) for c in columns)

    return (shape(a, a["columns"]) == shape(b, b["columns"])
            and shape(a, a["primary_key"]) == shape(b, b["primary_key"]))


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
            _add_column(name, col_name, col, questioner, phases)
        elif physical(before) != physical(col):
            _alter_column(name, col_name, before, col, questioner, phases)
    for col_name, col in old["columns"].items():
        if col_name not in new["columns"]:
            phases["drop_columns"].append(DropColumn(name, col_name, col))


def _add_column(
    table: str, column: str, col: dict[str, Any], questioner: Questioner,
    phases: dict[str, list[Operation]],
) -> None:
    """Add a column; a NOT NULL one gets a value for the rows the table may hold."""
    if col.get("nullable") or col.get("sql_default") is not None:
        phases["add_columns"].append(AddColumn(table, column, col))
        return
    value = backfill_value(table, column, col, "is added to a table that may hold rows",
                           questioner)
    if not isinstance(value, CallDefault):
        phases["add_columns"].append(AddColumn(table, column, col, value))
        return
    loose = {**col, "nullable": True}
    phases["add_columns"].append(AddColumn(table, column, loose))
    phases["alter_columns"] += [FillNulls(table, column, value, col),
                                AlterColumn(table, column, loose, col)]


def _alter_column(
    table: str, column: str, before: dict[str, Any], col: dict[str, Any],
    questioner: Questioner, phases: dict[str, list[Operation]],
) -> None:
    """Change a column; one that becomes NOT NULL gets a value for its NULLs first."""
    if not (before.get("nullable") and not col.get("nullable")):
        phases["alter_columns"].append(AlterColumn(table, column, before, col))
        return
    value = backfill_value(table, column, col, "was nullable (its NULLs need a value)",
                           questioner)
    if not isinstance(value, CallDefault):
        phases["alter_columns"].append(AlterColumn(table, column, before, col, value))
        return
    loose = {**col, "nullable": True}
    if physical(before) != physical(loose):  # a new type too: change it first, still nullable
        phases["alter_columns"].append(AlterColumn(table, column, before, loose))
    phases["alter_columns"] += [FillNulls(table, column, value, col),
                                AlterColumn(table, column, loose, col)]
