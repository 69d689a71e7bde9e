"""The ``_nextorm_migrations`` table: which migrations ran, when, and from which file text.

One row per applied migration: ``version`` (the file's number), ``name`` (its file name),
``applied_at`` (UTC, ISO-8601 to the second), ``checksum`` (SHA-256 of the file with
normalised line endings, so an edited applied file is noticed).  On MariaDB, where DDL commits
implicitly, a migration's row is written *before* it runs with ``status = 'running'`` and
becomes ``'applied'`` at the end; a row left ``'running'`` or ``'failed'`` (with ``progress``,
the number of statements that completed, and ``error``) blocks later runs until the user
resolves it.  Reading never creates the table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..errors import MigrationError, SQLError

TABLE = "_nextorm_migrations"
APPLIED, RUNNING, FAILED = "applied", "running", "failed"


@dataclass(frozen=True)
class AppliedRecord:
    """One row of the tracking table."""

    version: str
    name: str
    applied_at: str
    checksum: str
    status: str = APPLIED
    progress: int = 0
    error: str | None = None

    @property
    def number(self) -> int:
        return int(self.version)


def now_iso() -> str:
    """Return the current UTC time as ``YYYY-MM-DDTHH:MM:SS``."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")


class MigrationRecorder:
    """Read and write the tracking table through a Database (or a stand-in)."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.table = db.dialect.quote(TABLE)

    def table_exists(self) -> bool:
        """Return whether the tracking table exists (a read-only check)."""
        return TABLE in self.db.table_names()

    def _check_schema_selected(self) -> None:
        """PostgreSQL: a search_path naming no existing schema is an error, not "no history"."""
        if self.db.provider == "postgres" and self.db._execute("SELECT current_schema()")[0][0] is None:
            raise MigrationError(
                "the PostgreSQL search_path names no existing schema, so there is no "
                f"{TABLE} table to read: create the schema or fix the search_path in the "
                "connection URL"
            )

    def ensure_table(self) -> None:
        """Create the tracking table if it is missing (call with the migrate lock held)."""
        self._check_schema_selected()
        self.db._execute_dml(
            f"CREATE TABLE IF NOT EXISTS {self.table} ("
            "version VARCHAR(32) NOT NULL PRIMARY KEY, "
            "name VARCHAR(255) NOT NULL, "
            "applied_at VARCHAR(19) NOT NULL, "
            "checksum VARCHAR(64) NOT NULL, "
            f"status VARCHAR(16) NOT NULL DEFAULT '{APPLIED}', "
            "progress INTEGER NOT NULL DEFAULT 0, "
            "error TEXT)"
        )

    def records(self) -> dict[int, AppliedRecord]:
        """Return every row keyed by migration number (empty when the table is missing)."""
        if not self.table_exists():
            self._check_schema_selected()
            return {}
        try:
            rows = self.db._execute(
                "SELECT version, name, applied_at, checksum, status, progress, error "
                f"FROM {self.table}"
            )
            records = [AppliedRecord(*(row[:5]), int(row[5] or 0), row[6]) for row in rows]
            return {r.number: r for r in records}
        except (SQLError, ValueError, TypeError) as exc:
            # Another tool's table of the same name, or rows edited by hand.
            raise MigrationError(
                f"the tracking table {TABLE} is not in NextORM's format ({exc}): rename or "
                "repair it, then run migrate again"
            ) from None

    def record_applied(self, version: str, name: str, checksum: str) -> None:
        """Record that a migration was applied (inside the migration's transaction)."""
        self.db._execute_dml(
            f"INSERT INTO {self.table} (version, name, applied_at, checksum, status, progress) "
            "VALUES (?, ?, ?, ?, ?, 0)",
            [version, name, now_iso(), checksum, APPLIED],
        )

    def record_running(self, version: str, name: str, checksum: str) -> None:
        """Record that a migration has started (MariaDB: survives a failure half-way)."""
        self.db._execute_dml(
            f"INSERT INTO {self.table} (version, name, applied_at, checksum, status, progress) "
            "VALUES (?, ?, ?, ?, ?, 0)",
            [version, name, now_iso(), checksum, RUNNING],
        )

    def mark_applied(self, version: str) -> None:
        """Turn a running or failed row into an applied one."""
        self.db._execute_dml(
            f"UPDATE {self.table} SET status = ?, applied_at = ?, progress = 0, error = NULL "
            "WHERE version = ?",
            [APPLIED, now_iso(), version],
        )

    def mark_failed(self, version: str, progress: int, error: str) -> None:
        """Record how far a migration got before it failed."""
        self.db._execute_dml(
            f"UPDATE {self.table} SET status = ?, progress = ?, error = ? WHERE version = ?",
            [FAILED, progress, error[:2000], version],
        )

    def forget(self, version: str) -> None:
        """Delete a migration's row (after a downgrade, or to retry a failed one)."""
        self.db._execute_dml(f"DELETE FROM {self.table} WHERE version = ?", [version])

    def is_recorded(self, version: str) -> bool:
        """Return whether a row exists for ``version`` (re-checked inside a transaction)."""
        rows = self.db._execute(f"SELECT status FROM {self.table} WHERE version = ?", [version])
        return bool(rows)
