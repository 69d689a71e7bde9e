"""Checks that run first: can the data in the database take the changes that follow?

A migration must not fail half-way (MariaDB commits each DDL statement at once) nor succeed by
damaging data (SQLite keeps text in an INTEGER column, PostgreSQL cuts a narrowed VARCHAR).
So before its first DDL statement a migration counts the rows that would break a change:

- values that do not convert to a column's new type (the rules are in ``conversions.py``);
- duplicates that a new unique key, unique index or primary key would refuse;
- rows that a new foreign key would leave pointing at nothing.

A check is a query that returns one row, the number of such rows, only when there are some; the
migration then raises a one-line error naming the table, the column, the count and what to do.

The checks of a list of operations are all written against the database as it is *before the
first one*, so they can all run first: a table or column renamed earlier in the list is called
by its old name, a column added earlier is the constant it is filled with, and NULLs filled
earlier read through ``COALESCE``.  That is how undoing a dropped unique column is refused up
front: every row would get the same filler value, which the re-added unique key refuses.

Every rendered operation passes through here (``create_tables`` at an app's start too), so the
records below are plain classes, not dataclasses (``dataclasses`` pulls in ``inspect``).
"""

from __future__ import annotations

import re
from typing import Any

from ..schema.operations import Statement
from ..schema.state import walk
from .conversions import conversion, type_words

#: A value known to be the same, non-NULL, in every row (computed when the migration runs).
OPAQUE = "<one value>"


class Value:
    """What a column holds, in terms of the database before the first operation.

    ``column`` is the column it reads (None: a constant), and ``fill`` the SQL literal it holds
    instead of NULL (a column added with a filler, or NULLs filled with a backfill).  A value
    is never changed: the state maps a column to a new one.
    """

    __slots__ = ("column", "fill")

    def __init__(self, column: str | None, fill: str | None = None) -> None:
        self.column, self.fill = column, fill

    def __repr__(self) -> str:
        return f"Value({self.column!r}, {self.fill!r})"

    @property
    def constant(self) -> bool:
        return self.column is None

    @property
    def always_null(self) -> bool:
        return self.column is None and self.fill is None

    def sql(self, dialect: Any, table: str | None = None) -> str:
        """Return the value as SQL, its column qualified by ``table`` when given."""
        if self.column is None:
            return "NULL" if self.fill is None else self.fill
        name = dialect.quote(self.column)
        if table is not None:
            name = f"{dialect.quote(table)}.{name}"
        return name if self.fill is None else f"COALESCE({name}, {self.fill})"


class StartState:
    """Names and values of the tables as they were before the first operation."""

    def __init__(self) -> None:
        #: Current table name -> its name before the first operation (None: created since).
        self.tables: dict[str, str | None] = {}
        #: (current table, current column) -> what the column holds.
        self.columns: dict[tuple[str, str], Value] = {}
        #: Foreign keys dropped earlier, which the rows satisfied: (table, columns, ref,
        #: ref_cols).
        self.references: set[tuple[Any, ...]] = set()

    def table(self, name: str) -> str | None:
        return self.tables.get(name, name)

    def value(self, table: str, column: str) -> Value:
        return self.columns.get((table, column), Value(column))


class CheckPlanner:
    """Walk operations in order and write their checks against the starting database."""

    def __init__(self, dialect: Any) -> None:
        self.dialect = dialect
        self.state = StartState()
        #: The schema's tables just before the operation being checked ({}: unknown).
        self.tables: dict[str, Any] = {}

    def checks(self, ops: list[Any], tables: dict[str, Any] | None = None) -> list[Statement]:
        """Return the checks of ``ops``, in order; each op then updates the state.

        ``tables`` are the schema's tables before the first of ``ops`` (None: unknown, so no
        check is left out because a key already guarantees it).
        """
        found: list[Statement] = []
        for op, self.tables in walk(ops, tables) if tables is not None else (
                (op, {}) for op in ops):
            handle = getattr(self, "_" + _snake(type(op).__name__), None)
            if handle is not None:
                found.extend(handle(op))
        return found

    def _table_before(self, op: Any) -> dict[str, Any] | None:
        return self.tables.get(op.table)

    # -- what each operation checks, then changes in the state ----------------------------

    def _rename_table(self, op: Any) -> list[Statement]:
        self.state.tables[op.new_name] = self.state.tables.pop(op.old_name, op.old_name)
        for table, column in [key for key in self.state.columns if key[0] == op.old_name]:
            self.state.columns[(op.new_name, column)] = self.state.columns.pop((table, column))
        return []

    def _rename_column(self, op: Any) -> list[Statement]:
        self.state.columns[(op.table, op.new_name)] = self.state.value(op.table, op.old_name)
        self.state.columns.pop((op.table, op.old_name), None)
        return []

    def _create_table(self, op: Any) -> list[Statement]:
        self.state.tables[op.table] = None
        return []

    def _add_column(self, op: Any) -> list[Statement]:
        definition = op.definition
        if definition.get("sql_default") is not None:
            fill: str | None = str(definition["sql_default"])
        elif not definition.get("nullable") and op.backfill is not None:
            fill = self.dialect.literal(op.backfill)
        else:
            fill = None
        self.state.columns[(op.table, op.column)] = Value(None, fill)
        return []

    def _fill_nulls(self, op: Any) -> list[Statement]:
        value = self.state.value(op.table, op.column)
        if value.always_null:  # every row gets the one value computed when it runs
            self.state.columns[(op.table, op.column)] = Value(None, OPAQUE)
        return []

    def _alter_column(self, op: Any) -> list[Statement]:
        found = self._conversion_check(op)
        self.state.references = {r for r in self.state.references
                                 if not (r[0] == op.table and op.column in r[1])}
        if op.sets_not_null and op.backfill is not None:  # its NULLs get the backfill
            value = self.state.value(op.table, op.column)
            self.state.columns[(op.table, op.column)] = Value(
                value.column, value.fill or self.dialect.literal(op.backfill))
        return found

    def _add_unique(self, op: Any) -> list[Statement]:
        return self._distinct_check(op, op.columns, f"unique key {op.name}")

    def _create_index(self, op: Any) -> list[Statement]:
        if not op.unique:
            return []
        return self._distinct_check(op, op.columns, f"unique index {op.name}")

    def _alter_primary_key(self, op: Any) -> list[Statement]:
        if not op.new_columns:
            return []
        return self._distinct_check(op, op.new_columns, f"the new primary key of {op.table}")

    def _drop_foreign_key(self, op: Any) -> list[Statement]:
        self.state.references.add(_reference(op.table, op.definition))
        return []

    def _add_foreign_key(self, op: Any) -> list[Statement]:
        held = {_reference(op.table, fk) for fk in
                (self._table_before(op) or {}).get("foreign_keys", {}).values()}
        if _reference(op.table, op.definition) in held | self.state.references:
            return []  # the rows satisfy this reference already (only ON DELETE changes)
        return self._reference_check(op)

    # -- the checks ------------------------------------------------------------------------

    def _conversion_check(self, op: Any) -> list[Statement]:
        table, value = self.state.table(op.table), self.state.value(op.table, op.column)
        rule = conversion(op.old, op.new)
        if table is None or value.constant or rule.converts is None:
            return []
        expr = value.sql(self.dialect)
        converts = rule.converts(self.dialect, expr)
        if converts is None:
            return []
        where = f"{expr} IS NOT NULL AND NOT COALESCE({converts}, FALSE)"
        target = type_words(op.new)
        reason = f"every {op.table}.{op.column} value must convert to {target}"
        if rule.loss:
            reason += f"; otherwise {rule.loss}"
        return [self._count(
            f"SELECT COUNT(*) AS n FROM {self.dialect.quote(table)}\n    WHERE {where}",
            f"{op.table}.{op.column}: {{bad}} row(s) {rule.problem}, so the column cannot "
            f"become {target}; {rule.fix}",
            reason, rule.loss)]

    def _distinct_check(self, op: Any, columns: tuple[str, ...], what: str) -> list[Statement]:
        table_name = op.table
        table = self.state.table(table_name)
        values = [self.state.value(table_name, c) for c in columns]
        if table is None or any(v.always_null for v in values):
            return []  # a new table is empty; NULLs never collide
        if _already_distinct(self._table_before(op), columns):
            return []
        where = f"{table_name}({', '.join(columns)})" if len(columns) > 1 else (
            f"{table_name}.{columns[0]}")
        keys = [v.sql(self.dialect) for v in values if not v.constant]
        q = self.dialect.quote
        if not keys:  # every row gets the same filler value
            fills = ", ".join(_shown(v.fill) for v in values)
            return [self._count(
                f"SELECT CASE WHEN COUNT(*) > 1 THEN COUNT(*) ELSE 0 END AS n FROM {q(table)}",
                f"{where}: all {{bad}} rows would hold the same value {fills}, but {what} "
                f"allows each value once; edit this migration to give each row its own value, "
                f"or delete rows first",
                f"{what} needs distinct {where} values, and every row gets {fills}")]
        not_null = " AND ".join(f"{k} IS NOT NULL" for k in keys)
        grouped = (f"SELECT COUNT(*) AS dup FROM {q(table)} WHERE {not_null}\n"
                   f"        GROUP BY {', '.join(keys)} HAVING COUNT(*) > 1")
        return [self._count(
            f"SELECT SUM(dup) AS n FROM (\n        {grouped}\n    ) AS duplicated",
            f"{where}: {{bad}} row(s) share their value with another row, so {what} cannot be "
            f"added; make the values unique or delete those rows first",
            f"{what} needs distinct {where} values")]

    def _reference_check(self, op: Any) -> list[Statement]:
        fk = op.definition
        child, parent = self.state.table(op.table), self.state.table(fk["ref_table"])
        values = [self.state.value(op.table, c) for c in fk["columns"]]
        refs = [self.state.value(fk["ref_table"], c) for c in fk["ref_columns"]]
        if (child is None or any(v.always_null or v.fill == OPAQUE for v in values)
                or any(r.constant for r in refs)):
            return []
        q = self.dialect.quote
        keys = [v.sql(self.dialect, "child") for v in values]
        matches = " AND ".join(f"{r.sql(self.dialect, 'parent')} = {k}"
                               for r, k in zip(refs, keys, strict=True))
        where = " AND ".join(f"{k} IS NOT NULL" for k in keys)
        if parent is not None:
            where += (f"\n    AND NOT EXISTS (SELECT 1 FROM {q(parent)} AS {q('parent')} "
                      f"WHERE {matches})")
        columns = ", ".join(fk["columns"])
        target = f"{fk['ref_table']}({', '.join(fk['ref_columns'])})"
        return [self._count(
            f"SELECT COUNT(*) AS n FROM {q(child)} AS {q('child')}\n    WHERE {where}",
            f"{op.table}({columns}): {{bad}} row(s) point at no {target} row, so foreign key "
            f"{op.name} cannot be added; fix or delete those rows first",
            f"every {op.table}({columns}) must point at a {target} row")]

    def _count(self, counting: str, error: str, reason: str, loss: str = "") -> Statement:
        return count_check(counting, error=error, reason=reason, loss=loss)


def count_check(counting: str, *, error: str, reason: str, loss: str = "",
                in_place: bool = False) -> Statement:
    """Return a check from a query counting bad rows as ``n``: it returns a row only if n > 0.

    ``error`` is the message, with ``{bad}`` standing for the count.
    """
    sql = f"SELECT n FROM (\n    {counting}\n) AS counted WHERE n > 0"
    return Statement(sql, error=error, reason=reason, loss=loss, in_place=in_place)


def _already_distinct(table: dict[str, Any] | None, columns: tuple[str, ...]) -> bool:
    """True if a key the table has already makes ``columns`` distinct (a subset is unique)."""
    if table is None:
        return False
    keys = [table["primary_key"]] + [u["columns"] for u in table["uniques"].values()]
    keys += [i["columns"] for i in table["indexes"].values() if i["unique"]]
    return any(key and set(key) <= set(columns) for key in keys)


def _reference(table: str, fk: dict[str, Any]) -> tuple[Any, ...]:
    return (table, tuple(fk["columns"]), fk["ref_table"], tuple(fk["ref_columns"]))


def _shown(literal: str | None) -> str:
    return "one value computed when it runs" if literal == OPAQUE else str(literal)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
