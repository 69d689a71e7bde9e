"""SQLite's table rebuild: the way to change what ``ALTER TABLE`` cannot.

SQLite cannot alter a column, nor add or drop a constraint in place.  Its documentation
(https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes")
prescribes twelve steps; the ones that are SQL are rendered here, readable in the migration:

1. create the new table under a temporary name, from the table's new definition;
2. copy the rows, filling new columns and NULLs that must now hold a value;
3. drop the old table, rename the new one into its place;
4. recreate the indexes (dropping the table dropped them);
5. ``PRAGMA foreign_key_check`` on the table, which must return no rows.

Foreign-key enforcement must be off while this runs (dropping a referenced table would
otherwise cascade): the migration module says ``FOREIGN_KEYS_OFF = True`` and the runner
turns enforcement off before its transaction.
"""

from __future__ import annotations

from typing import Any

from ..migrations.operations import CreateIndex, CreateTable, Statement

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
    replaces NULLs of an existing one.
    """
    if before is None or after is None:
        raise ValueError(f"rebuilding {table} needs its definition before and after the change")
    fill = fill or {}
    temp = TEMP_PREFIX + table
    q = dialect.quote
    stmts: list[Any] = list(dialect.render_create_table(CreateTable(temp, after)))
    names, sources = [], []
    for column in after["columns"]:
        if column in before["columns"]:
            source = q(column)
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
    stmts.append(f"DROP TABLE {q(table)}")
    stmts.append(f"ALTER TABLE {q(temp)} RENAME TO {q(table)}")
    for name, index in after["indexes"].items():
        op = CreateIndex(table, name, tuple(index["columns"]), index["unique"])
        stmts.extend(dialect.render_create_index(op))
    stmts.append(Statement(f"PRAGMA foreign_key_check({q(table)})", must_return_nothing=True))
    return stmts
