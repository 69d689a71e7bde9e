"""What a lint rule sees of one migration file, and what it reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..loader import MigrationFile, display
from .sql import REBUILD_PREFIX, Statement, created_table, renamed_table


@dataclass(frozen=True)
class Finding:
    """One rule hit: ``migrations/0003_x.py:12: NX106 statement 2 (...): message``."""

    code: str
    file: MigrationFile
    message: str
    statement: Statement | None = None
    line: int | None = None
    #: The server whose part was linted, named when one run lints several (``[postgres]``).
    server: str | None = None

    def __str__(self) -> str:
        line = self.line or (self.statement.line if self.statement else None)
        where = display(self.file.path) + (f":{line}" if line else "")
        what = (f" statement {self.statement.index} ({self.statement.short()})"
                if self.statement else "")
        server = f" [{self.server}]" if self.server else ""
        return f"{where}: {self.code}{server}{what}: {self.message}"


@dataclass
class FileView:
    """One migration's ``upgrade()`` as the rules read it.

    ``before``/``after``: the tables before and after it, from the snapshot history (None when
    unknown: hand-written files, history older than the snapshot).  ``entities``: the tables
    the current entities map (None when not read).  ``rows(table)``: the live row count, capped
    just above the threshold, or None when unknown (not connected).
    """

    file: MigrationFile
    statements: list[Statement]
    dialect: Any
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    entities: dict[str, Any] | None = None
    rows: Callable[[str], int | None] = lambda table: None
    threshold: int = 100_000
    notes: list[str] = field(default_factory=list)

    @property
    def created(self) -> set[str]:
        """Tables this file creates (a rebuild's new table counts as the rebuilt one)."""
        names = {created_table(s) for s in self.statements} - {None}
        return {str(n) for n in names if not str(n).startswith(REBUILD_PREFIX)}

    @property
    def rebuilt(self) -> set[str]:
        """Tables a SQLite-style rebuild replaces (``_nextorm_new_x`` renamed to ``x``)."""
        found = set()
        for stmt in self.statements:
            renamed = renamed_table(stmt)
            if renamed and renamed[0].startswith(REBUILD_PREFIX):
                found.add(renamed[1])
        return found

    def existing(self, table: str | None) -> bool:
        """True for a table that exists before this file runs (and may hold rows)."""
        return bool(table) and table not in self.created and not str(table).startswith(
            REBUILD_PREFIX)

    def column_before(self, table: str, column: str) -> dict[str, Any] | None:
        if self.before is None:
            return None
        definition = self.before.get(table)
        return (definition or {}).get("columns", {}).get(column)
