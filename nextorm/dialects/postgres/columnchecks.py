"""PostgreSQL's CHECK of one column: ``unsigned`` ints and the length of a ``Vec``.

PostgreSQL has no unsigned ints and does not enforce an array's declared size, so both rules
are a CHECK on the column, which introspection reads back (``introspect.py``).  A CREATE TABLE
or ADD COLUMN writes it inline, and PostgreSQL names it ``<table>_<column>_check``
(``check_name``).  An ALTER COLUMN leaves a CHECK alone, so a change of the rule drops the
constraint by that name before the column changes and adds the new rule under it after; a
rename of the table or the column renames the constraint too, so that a later change finds
it by the name of the table and column it then has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any


def _clip(text: str, size: int) -> str:
    """The longest prefix of ``text`` of at most ``size`` bytes, cut at a character boundary."""
    return text.encode("utf-8")[:size].decode("utf-8", errors="ignore")


class ColumnChecks:
    """The CHECK that holds a column's ``unsigned`` or ``Vec`` rule, and its changes."""

    max_identifier_length: int

    if TYPE_CHECKING:  # the Dialect's
        def quote(self, identifier: str) -> str: ...

    def column_check(self, name: str, col: dict[str, Any]) -> str | None:
        """The ``CHECK (...)`` clause of column ``name``, None when it has none (a column
        with the user's ``sql_type`` is written as given)."""
        if col.get("sql_type"):
            return None
        if col.get("unsigned"):
            return f"CHECK ({self.quote(name)} >= 0)"  # PostgreSQL has no unsigned types
        if col["type"] == "vector":
            # An array's declared size is not enforced (nor kept): the CHECK holds the length.
            return f"CHECK (cardinality({self.quote(name)}) = {int(col['dimensions'])})"
        return None

    def check_name(self, table: str, column: str) -> str:
        """The name PostgreSQL gives a column's inline CHECK (``makeObjectName``): the
        longer of the table and column parts is shortened, a byte at a time, until
        ``<table>_<column>_check`` fits ``max_identifier_length``."""
        room = self.max_identifier_length - len("__check")
        table_size, column_size = len(table.encode()), len(column.encode())
        while table_size + column_size > room:
            if table_size > column_size:
                table_size -= 1
            else:
                column_size -= 1
        return f"{_clip(table, table_size)}_{_clip(column, column_size)}_check"

    def changed_check(self, op: Any) -> tuple[list[str], list[str]]:
        """The statements that drop the column's old CHECK (before an ALTER COLUMN) and add
        its new one (after it), when ``op`` changes the rule; ([], []) when it does not."""
        old, new = self.column_check(op.column, op.old), self.column_check(op.column, op.new)
        if old == new:
            return [], []
        table, name = self.quote(op.table), self.quote(self.check_name(op.table, op.column))
        drop = [f"ALTER TABLE {table} DROP CONSTRAINT {name}"] if old else []
        return drop, [f"ALTER TABLE {table} ADD CONSTRAINT {name} {new}"] if new else []

    def renamed_checks(self, op: Any, tables: dict[str, Any]) -> list[str]:
        """Rename the CHECKs of a renamed table or column (``tables``: before ``op``)."""
        kind = type(op).__name__
        if kind == "RenameTable":
            old_table, new_table = op.old_name, op.new_name
            columns = [(c, c) for c in tables.get(old_table, {}).get("columns", {})]
        elif kind == "RenameColumn":
            old_table = new_table = op.table
            columns = [(op.old_name, op.new_name)]
        else:
            return []
        defined = tables.get(old_table, {}).get("columns", {})
        stmts = []
        for old, new in columns:
            if old not in defined or self.column_check(old, defined[old]) is None:
                continue
            before, after = self.check_name(old_table, old), self.check_name(new_table, new)
            if before != after:
                stmts.append(f"ALTER TABLE {self.quote(new_table)} RENAME CONSTRAINT "
                             f"{self.quote(before)} TO {self.quote(after)}")
        return stmts
