"""SQLite's table rebuild: the way to change what ``ALTER TABLE`` cannot.

SQLite cannot alter a column, nor add or drop a constraint in place.  Its documentation
(https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes")
prescribes twelve steps; the ones that are SQL are rendered here, readable in the migration:

1. create the new table under a temporary name, from the table's new definition;
2. copy the rows, filling new columns and NULLs that must now hold a value, and check that a
   column whose type changed now holds values of that type (SQLite keeps a value that does
   not convert as it was: ``'hello'`` stays text in an INTEGER column);
3. drop the old table, rename the new one into its place;
4. recreate the indexes (dropping the table dropped them).

Foreign-key enforcement must be off while this runs (dropping a referenced table would
otherwise cascade): the migration module says ``FOREIGN_KEYS_OFF = True``, and the runner
turns enforcement off around its transaction and runs ``PRAGMA foreign_key_check`` on the
whole database before it commits (once, however many tables were rebuilt).
"""

from __future__ import annotations

from typing import Any

from ...schema.operations import CreateIndex, CreateTable, Statement
from ..checks import count_check
from ..conversions import type_words

TEMP_PREFIX = "_nextorm_new_"


def rebuild(
    dialect: Any,
    table: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    fill: dict[str, str] | None = None,
) -> list[Any]:
    """Return the statements that rebuild ``table`` from ``before`` into ``after``.

    ``fill`` maps a column to an SQL literal: the value of a new column, or the value that
    replaces NULLs of an existing one.  The renderer finds ``before`` by walking the schema's
    tables (``schema.state.walk``); None means it rendered without them.
    """
    if before is None or after is None:
        raise ValueError(f"rebuilding {table} needs its definition before and after the change: "
                         "render it with the schema's tables (schema.state.walk)")
    fill = fill or {}
    temp = TEMP_PREFIX + table
    q = dialect.quote
    stmts: list[Any] = list(dialect.render_create_table(CreateTable(temp, after)))
    names, sources = [], []
    for column, col in after["columns"].items():
        old = before["columns"].get(column)
        if old is not None:
            source = q(column) if old["type"] == col["type"] else dialect.converted(q(column), old, col)
            if column in fill:
                source = f"COALESCE({source}, {fill[column]})"
        else:
            source = fill.get(column, "NULL")
        names.append(q(column))
        sources.append(source)
    stmts.append(
        f"INSERT INTO {q(temp)} ({', '.join(names)})\n"
        f"SELECT {', '.join(sources)} FROM {q(table)}"
    )
    stmts.extend(_copied_type_checks(dialect, table, temp, before, after))
    stmts.append(f"DROP TABLE {q(table)}")
    stmts.append(f"ALTER TABLE {q(temp)} RENAME TO {q(table)}")
    for name, index in after["indexes"].items():
        op = CreateIndex(table, name, tuple(index["columns"]), index["unique"])
        stmts.extend(dialect.render_create_index(op))
    return stmts


def _copied_type_checks(dialect: Any, table: str, temp: str, before: dict[str, Any],
                        after: dict[str, Any]) -> list[Statement]:
    """Return checks that each column whose type changed holds only values of its new type.

    The checks at the start of the migration refuse values that do not convert; this one, run
    on the copy, also catches what those rules do not foresee, before the old table is dropped.
    """
    q = dialect.quote
    checks = []
    for column, col in after["columns"].items():
        old = before["columns"].get(column)
        kinds = dialect.stored_as(col["type"])
        if old is None or kinds is None or old["type"] == col["type"]:
            continue
        allowed = ", ".join(dialect.string_literal(k) for k in kinds)
        checks.append(count_check(
            f"SELECT COUNT(*) AS n FROM {q(temp)}\n"
            f"    WHERE {q(column)} IS NOT NULL AND typeof({q(column)}) NOT IN ({allowed})",
            error=f"{table}.{column}: {{bad}} row(s) did not become {type_words(col)} (SQLite "
                  f"kept them as they were); fix or delete those rows first",
            reason=f"the copied {table}.{column} values must all be {type_words(col)} now",
            in_place=True))
    return checks
