"""The operation base classes, the statements dialects return beside SQL text, and helpers."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Operation:
    """Base class: one step of a migration."""

    #: Dropping something that holds data loses it; the file marks such steps.
    destructive: ClassVar[bool] = False

    def reverse(self) -> Operation:
        """Return the operation that undoes this one."""
        raise NotImplementedError(type(self).__name__)

    def describe(self) -> str:
        """Return a short plain-words summary for comments and file docstrings."""
        raise NotImplementedError(type(self).__name__)

    def name_fragment(self) -> str:
        """Return a file-name fragment such as ``create_user`` or ``add_email_to_user``."""
        raise NotImplementedError(type(self).__name__)

    def apply(self, tables: dict[str, Any]) -> None:
        """Change ``tables`` (the schema dict's tables) as the database will change."""
        raise NotImplementedError(type(self).__name__)

    def reverse_operations(self) -> list[Operation]:
        """Return the operations that undo this one (usually just ``reverse()``)."""
        return [self.reverse()]

    def loss(self) -> str | None:
        """Return what a destructive step destroys, in words for a warning line (else None)."""
        return None


@dataclass(frozen=True)
class TableChange(Operation):
    """An operation on one existing table.

    ``table_before`` and ``table_after`` are the table's definitions around the step, filled in
    by the diff: SQLite, which cannot alter in place, rebuilds the table from them.
    """

    table: str
    table_before: dict[str, Any] | None = field(
        default=None, compare=False, repr=False, kw_only=True)
    table_after: dict[str, Any] | None = field(
        default=None, compare=False, repr=False, kw_only=True)


# -- statements a dialect may return beside plain SQL strings ---------------------------------


@dataclass(frozen=True)
class Statement:
    """One SQL statement with parameters (``?`` placeholders), e.g. an UPDATE backfill, or a check.

    A check (``error`` set) is a query that returns a row, holding the number of bad rows, only
    when the data cannot take the change; the migration then raises ``error``, with ``{bad}``
    standing for that number.  ``reason`` is the comment above it in the file and ``loss`` what
    the change would silently destroy without it.  Checks run first, before any DDL, except an
    ``in_place`` one, which checks what the statements just before it did.
    """

    sql: str
    params: tuple[Any, ...] = ()
    error: str = ""
    reason: str = ""
    loss: str = ""
    in_place: bool = False

    @property
    def must_return_nothing(self) -> Statement | None:
        """This statement if it is a check (its query must return no rows), else None.

        The writer hands it to the templates as ``check``, so they can read its message.
        """
        return self if self.error else None


def column_summary(col: dict[str, Any]) -> str:
    """Return ``str(80) NOT NULL``-style words for a column dict."""
    text = col["type"]
    if col["type"] == "str" and col.get("max_len"):
        text += f"({col['max_len']})"
    elif col["type"] == "decimal":
        text += f"({col['precision']},{col['scale']})"
    text += " NULL" if col.get("nullable") else " NOT NULL"
    if col.get("sql_default") is not None:
        text += f" DEFAULT {col['sql_default']}"
    return text


def _show(value: Any) -> str:
    if isinstance(value, dict) and "sql" in value:
        return value["sql"]
    return repr(value)


def apply_operations(ops: list[Operation], schema: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``schema`` with ``ops`` applied in order (what the database will hold)."""
    result = copy.deepcopy(schema)
    for op in ops:
        op.apply(result["tables"])
    return result
