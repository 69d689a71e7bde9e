"""Find renamed tables and columns before the diff compares what is left.

A table or column that disappeared while one of the same definition appeared may have been
renamed or dropped and added: only the user knows, and a wrong guess loses data, so the
questioner decides (a hint, a scripted answer or a question on the terminal).  Each rename found
is applied to the working copy of the old schema, so the comparators then see the table or
column under its new name and compare its definition only.
"""

from __future__ import annotations

from typing import Any

from ..schema.columns import column_identity
from ..schema.operations import Operation, RenameColumn, RenameTable
from .questioner import Questioner


def find_table_renames(
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
    mapped = {columns[c]: column_identity(col) for c, col in state[old]["columns"].items()}
    if mapped != {c: column_identity(col) for c, col in target[new]["columns"].items()}:
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


def find_column_renames(
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
                          and column_identity(columns[old]) == column_identity(table["columns"][c])]
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
            and {c: column_identity(col) for c, col in a["columns"].items()}
            == {c: column_identity(col) for c, col in b["columns"].items()})


def same_shape(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """True if two tables' columns, and their primary keys, have the same definitions.

    Names are left out: a table renamed along with some of its columns has the same shape.
    """
    def shape(table: dict[str, Any], columns: Any) -> list[str]:
        return sorted(repr(sorted(column_identity(table["columns"][c]).items())) for c in columns)

    return (shape(a, a["columns"]) == shape(b, b["columns"])
            and shape(a, a["primary_key"]) == shape(b, b["primary_key"]))

