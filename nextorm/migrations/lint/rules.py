"""The lint rules: one function per danger, listed in ``RULES`` (code, title, check).

A check reads a ``FileView`` and yields ``(statement or None, message)``; ``run.py`` turns
those into findings and applies the file's silences.  To add a rule, write a check and add
a line to ``RULES`` and a section to ``docs/lint.md`` (the fix).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ...dialects.added_defaults import added_default_cost, default_of
from ...dialects.conversions import conversion, type_words
from ...records import Record
from .model import FileView
from .sql import (
    REBUILD_PREFIX,
    Statement,
    added_columns,
    altered_table,
    created_index,
    dropped_columns,
    dropped_table,
    renamed_column,
    renamed_table,
    type_change,
)

Hit = tuple[Statement | None, str]
DOCS = "docs/lint.md"


class Rule(Record):
    """A lint rule: its code (``NX104``), its title, and the check that finds it."""

    __slots__ = ("code", "title", "check")

    def __init__(self, code: str, title: str, check: Callable[[FileView], Iterator[Hit]]
                 ) -> None:
        self.code, self.title, self.check = code, title, check


def table_rewrite(view: FileView) -> Iterator[Hit]:
    for stmt in view.statements:
        table = altered_table(stmt)
        new = stmt.search(rf"^CREATE\s+TABLE\s+\S*{REBUILD_PREFIX}(\w+)")
        if new:
            yield stmt, (f"rebuilds table {new.group(1)}: every row is copied into a new table "
                         "while the table is locked")
        elif stmt.search(r"\bALGORITHM\s*=?\s*COPY\b"):
            yield stmt, f"copies table {table} (ALGORITHM=COPY) while writes wait"
        elif stmt.search(r"^(VACUUM\s+FULL|CLUSTER)\b"):
            yield stmt, "rewrites the table under an exclusive lock"
        elif (change := type_change(stmt)) and view.existing(change[0]):
            yield from _type_rewrite(view, stmt, *change)


def _type_rewrite(view: FileView, stmt: Statement, table: str, column: str,
                  sql_type: str) -> Iterator[Hit]:
    if stmt.search(r"\bALGORITHM\s*=?\s*(INSTANT|INPLACE)\b"):
        return  # MariaDB refuses it rather than copy
    old, new = view.column_before(table, column), _parse(view, sql_type)
    if old and new and old["type"] == new["type"] == "str" and (
            new.get("max_len") is None or (old.get("max_len") or 0) <= new["max_len"]):
        if stmt.search(r"\bTYPE\b"):  # PostgreSQL: a wider varchar/text keeps the rows
            return
    yield stmt, (f"changes the type of {table}.{column} to {sql_type}: the server rewrites "
                 "(or copies) the table, and writes wait until it is done")


def _parse(view: FileView, sql_type: str) -> dict[str, Any] | None:
    try:
        return dict(view.dialect.parse_type(sql_type))
    except Exception:  # noqa: BLE001 - a type this dialect does not know: no comparison
        return None


def exclusive_lock(view: FileView) -> Iterator[Hit]:
    for stmt in view.statements:
        table = altered_table(stmt)
        if stmt.search(r"^LOCK\s+TABLES?\b"):
            yield stmt, "locks tables explicitly for the rest of the migration"
        if not view.existing(table) or table in view.rebuilt:
            continue
        if stmt.search(r"\bADD\s+(CONSTRAINT\s+\S+\s+)?(FOREIGN\s+KEY|CHECK)\b") \
                and not stmt.has("NOT", "VALID"):
            kind = "foreign key" if stmt.has("FOREIGN") else "check constraint"
            yield stmt, (f"adds a {kind} to {table} and scans every row to validate it while "
                         "holding a lock that blocks writes")
        elif stmt.search(r"\bADD\s+(CONSTRAINT\s+\S+\s+)?(UNIQUE|PRIMARY\s+KEY)\b") \
                and not stmt.search(r"\bUSING\s+INDEX\b"):
            yield stmt, (f"builds a unique index on {table} inside ALTER TABLE: writes wait "
                         "until it is built")


def volatile_default(view: FileView) -> Iterator[Hit]:
    """A column added to a table with rows whose default the server must compute per row
    (or, on SQLite, cannot add at all): which ones is each server's (``added_defaults``)."""
    for stmt in view.statements:
        table = altered_table(stmt)
        if not view.existing(table):
            continue
        for column, definition in added_columns(stmt):
            cost = added_default_cost(view.dialect, definition, stmt.text)
            if cost:
                default = default_of(definition)
                what = f" with DEFAULT {default}" if default else f" ({definition.strip()})"
                yield stmt, f"adds {table}.{column}{what}: {cost}"


def type_narrowing(view: FileView) -> Iterator[Hit]:
    seen: set[tuple[str, str]] = set()
    for stmt in view.statements:
        change = type_change(stmt)
        if change is None:
            continue
        table, column, sql_type = change
        old, new = view.column_before(table, column), _parse(view, sql_type)
        if old and new and _narrows(old, new):
            seen.add((table, column))
            yield stmt, _narrow_message(table, column, old, new)
    if view.before is None or view.after is None:
        return
    for table, definition in view.after.items():
        old_table = view.before.get(table)
        if old_table is definition or old_table is None:
            continue  # the same object before and after (the file left it alone), or new
        for column, new in (definition or {}).get("columns", {}).items():
            old = view.column_before(table, column)
            if old and (table, column) not in seen and _narrows(old, new):
                yield _mentioning(view, table), _narrow_message(table, column, old, new)


def _narrows(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return conversion(old, new).converts is not None or not conversion(old, new).exists


def _narrow_message(table: str, column: str, old: dict[str, Any], new: dict[str, Any]) -> str:
    return (f"narrows {table}.{column} from {type_words(old)} to {type_words(new)}: values "
            "that do not fit make it fail, or are cut")


def _mentioning(view: FileView, table: str) -> Statement | None:
    return next((s for s in view.statements if table in s.text), None)


def drops_mapped(view: FileView) -> Iterator[Hit]:
    if view.entities is None:
        return
    renamed_back = {r[1] for s in view.statements if (r := renamed_table(s))}
    for stmt in view.statements:
        table = dropped_table(stmt)
        if table and table in view.entities and table not in renamed_back:
            yield stmt, (f"drops table {table}, which the entities still map: the running "
                         "app fails on it")
        table = altered_table(stmt)
        mapped = view.entities.get(table or "") or {}
        for column in dropped_columns(stmt):
            if column in mapped.get("columns", {}):
                yield stmt, (f"drops column {table}.{column}, which the entities still map: "
                             "the running app fails on it")


def breaking_rename(view: FileView) -> Iterator[Hit]:
    for stmt in view.statements:
        table = renamed_table(stmt)
        if table and not table[0].startswith(REBUILD_PREFIX):
            yield stmt, (f"renames table {table[0]} to {table[1]}: the running version of "
                         "the app still uses the old name; use expand/contract")
        column = renamed_column(stmt)
        if column:
            yield stmt, (f"renames column {column[0]}.{column[1]} to {column[2]}: the running "
                         "version of the app still uses the old name; use expand/contract")


def index_without_concurrently(view: FileView) -> Iterator[Hit]:
    for stmt in view.statements:
        index = created_index(stmt)
        if index is None or stmt.has("CONCURRENTLY") or stmt.search(r"\bLOCK\s*=?\s*NONE\b"):
            continue
        name, table = index
        if not view.existing(table) or table in view.rebuilt:
            continue
        rows = view.rows(table)
        if rows is None:
            view.notes.append(f"{view.file.name}: NX107 skipped for index {name} on {table}: "
                              "table sizes are unknown (not connected)")
        elif rows > view.threshold:
            yield stmt, (f"builds index {name} on {table} (over {view.threshold} rows) without "
                         "CONCURRENTLY: writes to it wait until the index is built")


def not_null_unsafe(view: FileView) -> Iterator[Hit]:
    validated: set[str] = set()
    for stmt in view.statements:
        table = altered_table(stmt)
        if stmt.has("VALIDATE", "CONSTRAINT"):
            validated.add(str(table))
        if not view.existing(table) or table in view.rebuilt:
            continue
        set_not_null = stmt.search(r"\bALTER\s+(?:COLUMN\s+)?(\S+)\s+SET\s+NOT\s+NULL\b")
        if set_not_null and table not in validated:
            yield stmt, (f"sets NOT NULL on {table}.{set_not_null.group(1).strip(chr(34))} "
                         "without a validated CHECK (... IS NOT NULL): every row is scanned "
                         "while writes wait")
        for column, definition in added_columns(stmt):
            if re.search(r"\bNOT\s+NULL\b", definition, re.IGNORECASE) and not re.search(
                    r"\bDEFAULT\b", definition, re.IGNORECASE):
                yield stmt, (f"adds {table}.{column} NOT NULL without a DEFAULT: it fails on "
                             "a table that has rows")
        change = type_change(stmt)
        if change and stmt.search(r"\bNOT\s+NULL\b") and not stmt.search(r"\bTYPE\b"):
            old = view.column_before(change[0], change[1])
            if old is not None and old.get("nullable"):
                yield stmt, (f"makes {change[0]}.{change[1]} NOT NULL in place: every row is "
                             "checked while the table is locked")
    yield from _rebuilt_not_null(view)


def _rebuilt_not_null(view: FileView) -> Iterator[Hit]:
    if view.before is None or view.after is None:
        return
    for table in view.rebuilt:
        for column, new in (view.after.get(table) or {}).get("columns", {}).items():
            old = view.column_before(table, column)
            if old and old.get("nullable") and not new.get("nullable"):
                yield _mentioning(view, REBUILD_PREFIX + table), (
                    f"makes {table}.{column} NOT NULL by rebuilding {table}: the copy fails "
                    "on NULLs, and writes wait while it runs")


RULES: list[Rule] = [
    Rule("NX101", "table rewrite", table_rewrite),
    Rule("NX102", "long exclusive lock", exclusive_lock),
    Rule("NX103", "volatile default on an existing table", volatile_default),
    Rule("NX104", "type narrowing", type_narrowing),
    Rule("NX105", "drop of something the entities map", drops_mapped),
    Rule("NX106", "rename that breaks the running app", breaking_rename),
    Rule("NX107", "index without CONCURRENTLY on a large table", index_without_concurrently),
    Rule("NX108", "NOT NULL without the safe pattern", not_null_unsafe),
]
#: Findings about the file itself rather than a statement.
NOT_COLLECTED, BAD_SILENCE = "NX001", "NX002"
CODES = {rule.code for rule in RULES} | {NOT_COLLECTED, BAD_SILENCE}
