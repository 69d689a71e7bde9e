"""What a lint rule sees of one migration file, and what it reports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...records import Record
from ..loader import MigrationFile, display
from .sql import REBUILD_PREFIX, Statement, created_table, renamed_table


class Finding(Record):
    """One rule hit: ``migrations/0003_x.py:12: NX106 statement 2 (...): message``."""

    __slots__ = ("code", "file", "message", "statement", "line", "server")

    def __init__(self, code: str, file: MigrationFile, message: str,
                 statement: Statement | None = None, line: int | None = None,
                 server: str | None = None) -> None:
        self.code, self.file, self.message = code, file, message
        self.statement, self.line = statement, line
        #: The server whose part was linted, named when one run lints several (``[postgres]``).
        self.server = server

    def __str__(self) -> str:
        line = self.line or (self.statement.line if self.statement else None)
        where = display(self.file.path) + (f":{line}" if line else "")
        what = (f" statement {self.statement.index} ({self.statement.short()})"
                if self.statement else "")
        server = f" [{self.server}]" if self.server else ""
        return f"{where}: {self.code}{server}{what}: {self.message}"


def _unknown_rows(table: str) -> int | None:
    return None


class FileView(Record):
    """One migration's ``upgrade()`` as the rules read it.

    ``before``/``after``: the tables before and after it, from the snapshot history (None when
    unknown: hand-written files, history older than the snapshot).  ``entities``: the tables
    the current entities map (None when not read).  ``rows(table)``: the live row count, capped
    just above the threshold, or None when unknown (not connected).  ``created`` and
    ``rebuilt`` are read once per statement by several rules: computed once.
    """

    _fields = ("file", "statements", "dialect", "before", "after", "entities", "rows",
               "threshold", "notes")
    __slots__ = (*_fields, "_created", "_rebuilt")
    __hash__ = None  # type: ignore[assignment]  # (mutable, as the dataclass it was)

    def __init__(self, file: MigrationFile, statements: list[Statement], dialect: Any,
                 before: dict[str, Any] | None = None, after: dict[str, Any] | None = None,
                 entities: dict[str, Any] | None = None,
                 rows: Callable[[str], int | None] = _unknown_rows, threshold: int = 100_000,
                 notes: list[str] | None = None) -> None:
        self.file, self.statements, self.dialect = file, statements, dialect
        self.before, self.after, self.entities = before, after, entities
        self.rows, self.threshold = rows, threshold
        self.notes: list[str] = [] if notes is None else notes
        self._created: set[str] | None = None
        self._rebuilt: set[str] | None = None

    @property
    def created(self) -> set[str]:
        """Tables this file creates (a rebuild's new table counts as the rebuilt one)."""
        if self._created is None:
            names = {created_table(s) for s in self.statements} - {None}
            self._created = {str(n) for n in names if not str(n).startswith(REBUILD_PREFIX)}
        return self._created

    @property
    def rebuilt(self) -> set[str]:
        """Tables a SQLite-style rebuild replaces (``_nextorm_new_x`` renamed to ``x``)."""
        if self._rebuilt is None:
            self._rebuilt = set()
            for stmt in self.statements:
                renamed = renamed_table(stmt)
                if renamed and renamed[0].startswith(REBUILD_PREFIX):
                    self._rebuilt.add(renamed[1])
        return self._rebuilt

    def existing(self, table: str | None) -> bool:
        """True for a table that exists before this file runs (and may hold rows)."""
        return bool(table) and table not in self.created and not str(table).startswith(
            REBUILD_PREFIX)

    def column_before(self, table: str, column: str) -> dict[str, Any] | None:
        if self.before is None:
            return None
        definition = self.before.get(table)
        return (definition or {}).get("columns", {}).get(column)
