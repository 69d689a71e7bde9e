"""The ``_nextorm_migrations`` table: which migrations ran, when, and from which file text.

One row per applied migration: ``version`` (the file's number), ``name`` (its file name),
``applied_at`` (UTC, ISO-8601 to the second), ``checksum`` (SHA-256 of the file with
normalised line endings: the cheap "nothing changed" test) and ``source_text`` (the file as it
ran: when the bytes differ, the code of both is compared, so a reformatted or re-commented
file is not "edited", and the comparison never depends on the Python version that applied
it).  Rows written before ``source_text`` existed have it NULL; ``ensure_table`` adds the
column in place.

On MariaDB, where DDL commits implicitly, a migration's row is written *before* it runs with
``status = 'running'`` (``'reverting'`` for a downgrade) and its ``progress`` (write
statements committed so far) is updated after each statement; the row becomes ``'applied'``
(or is deleted) at the end.  A row left ``running``/``reverting``, or ``failed``/
``revert-failed`` with ``error``, blocks later runs until the user resolves it
(``migrate --retry`` resumes it).  Reading never creates the table.

nextorm 0.5.1's table, ``(version TEXT PRIMARY KEY, applied_at TEXT)`` with the file's stem as
``version``, is recognised (``LegacyHistory``) and upgraded in place by ``adopt_legacy``: the
missing columns are added and each row rewritten, in one transaction where DDL can be
rolled back; on MariaDB each step can be repeated, so a crash half-way is finished by the next
run (``source_text`` comes last, and rows without it are completed by ``migrate``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import MigrationError, SQLError, TrackingTableError
from ..records import Record

TABLE = "_nextorm_migrations"
APPLIED, RUNNING, FAILED = "applied", "running", "failed"
REVERTING, REVERT_FAILED = "reverting", "revert-failed"
#: Statuses of a row whose migration stopped half-way, by direction.
UPGRADE_BROKEN = (RUNNING, FAILED)
DOWNGRADE_BROKEN = (REVERTING, REVERT_FAILED)
KNOWN_STATUSES = (APPLIED, *UPGRADE_BROKEN, *DOWNGRADE_BROKEN)
#: The columns ``records()`` reads (``source_text`` stays in the table until asked for).
_COLUMNS = "version, name, applied_at, checksum, status, progress, error"


class AppliedRecord(Record):
    """One row of the tracking table.

    A plain class with ``__slots__`` (``records()`` makes one per applied migration on every
    run); constructor, equality, hash and repr are a frozen dataclass's.
    """

    __slots__ = ("version", "name", "applied_at", "checksum", "status", "progress", "error",
                 "source_text", "_table")
    _fields = __slots__[:-1]

    def __init__(self, version: str, name: str, applied_at: str, checksum: str,
                 status: str = APPLIED, progress: int = 0, error: str | None = None,
                 source_text: str | None = None) -> None:
        self.version = version
        self.name = name
        self.applied_at = applied_at
        self.checksum = checksum
        self.status = status
        self.progress = progress
        self.error = error
        self.source_text = source_text
        #: The recorder whose table keeps this row's ``source_text``: ``records()`` leaves
        #: the text in the table (only a file whose bytes changed needs it) and sets this
        #: when the row has one.
        self._table: MigrationRecorder | None = None

    @property
    def has_source(self) -> bool:
        """True if the row keeps the text that ran (rows of early versions have none)."""
        return self.source_text is not None or self._table is not None

    def text(self) -> str | None:
        """The text that ran: kept on the record, or read from the tracking table now."""
        if self.source_text is None and self._table is not None:
            return self._table.source_text(self.version)
        return self.source_text

    @property
    def number(self) -> int:
        return int(self.version)

    @property
    def reverting(self) -> bool:
        """True if the row belongs to a downgrade that stopped half-way."""
        return self.status in DOWNGRADE_BROKEN

    @property
    def interrupted(self) -> bool:
        """True if the process died mid-way (the last statement may or may not have run)."""
        return self.status in (RUNNING, REVERTING)


def now_iso() -> str:
    """Return the current UTC time as ``YYYY-MM-DDTHH:MM:SS``."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")


class LegacyHistory(TrackingTableError):
    """The tracking table is nextorm 0.5.1's; ``rows`` are its ``(file stem, applied_at)``."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.rows = rows
        super().__init__(
            f"the tracking table {TABLE} was written by nextorm 0.5.1: run 'migrate' (it "
            "adopts the history) or 'adopt-0.5.1' once"
        )


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
        if self.db.dialect.schema_missing(self.db):
            raise MigrationError(
                "the PostgreSQL search_path names no existing schema, so there is no "
                f"{TABLE} table to read: create the schema or fix the search_path in the "
                "connection URL"
            )

    def ensure_table(self) -> None:
        """Create the tracking table if it is missing (call with the migrate lock held)."""
        self._check_schema_selected()
        self.db._execute_dml(self.create_table_sql())
        self._add_source_column()

    def _columns(self) -> list[tuple[str, str]]:
        """The tracking table's columns and their definitions, in order."""
        return [
            ("version", "VARCHAR(32) NOT NULL PRIMARY KEY"),
            ("name", "VARCHAR(255) NOT NULL"),
            ("applied_at", "VARCHAR(19) NOT NULL"),
            ("checksum", "VARCHAR(64) NOT NULL"),
            ("status", f"VARCHAR(16) NOT NULL DEFAULT '{APPLIED}'"),
            ("progress", "INTEGER NOT NULL DEFAULT 0"),
            ("error", "TEXT"),
            ("source_text", self.db.dialect.column_type({"type": "str"})),
        ]

    def create_table_sql(self) -> str:
        """The statement that creates the tracking table if it is missing (offline scripts too)."""
        columns = ", ".join(f"{name} {definition}" for name, definition in self._columns())
        return f"CREATE TABLE IF NOT EXISTS {self.table} ({columns})"

    def _add_source_column(self) -> None:
        """Upgrade a table written by an earlier NextORM: add ``source_text`` in place.

        A table without it may be nextorm 0.5.1's: that is raised (``LegacyHistory``) for the
        caller to adopt with the files' checksums, never altered blindly.
        """
        if not self._has_column("source_text"):
            legacy = self.legacy_rows()
            if legacy is not None:
                raise LegacyHistory(legacy)
            self._add_column("source_text")

    def _has_column(self, column: str) -> bool:
        try:
            self.db._execute(f"SELECT {column} FROM {self.table} WHERE 1 = 0")
        except SQLError:
            return False
        return True

    def _add_column(self, column: str) -> None:
        definition = dict(self._columns())[column]
        if "NOT NULL" in definition and "DEFAULT" not in definition:
            definition += " DEFAULT ''"  # rows exist: each gets its real value right after
        self.db._execute_dml(f"ALTER TABLE {self.table} ADD COLUMN {column} {definition}")

    def legacy_rows(self) -> list[tuple[str, str]] | None:
        """nextorm 0.5.1's rows ``(file stem, applied_at)`` if the table is (still) 0.5.1's.

        0.5.1's table has no ``name`` column; one upgraded half-way (MariaDB) still has rows
        whose version is a file stem, which this NextORM never writes.
        """
        try:
            rows = [(str(v), str(a or "")) for v, a in
                    self.db._execute(f"SELECT version, applied_at FROM {self.table}")]
        except SQLError:
            return None
        if not self._has_column("name"):
            return rows
        stems = [row for row in rows if not row[0].isdigit()]
        return stems or None

    def adopt_legacy(self, records: list[AppliedRecord], stems: list[str]) -> None:
        """Upgrade 0.5.1's table in place: add the columns, rewrite each row as ``records``.

        ``stems[i]`` is the 0.5.1 version ``records[i]`` replaces.  One transaction on
        SQLite and PostgreSQL; on MariaDB every step can be repeated after a crash.
        """
        present = {name for name, _ in self._columns() if self._has_column(name)}
        with self.db.transaction(str(self.db.dialect.begin_migration_sql)):
            for column, _ in self._columns():
                if column not in present and column != "source_text":
                    self._add_column(column)
            for stem, record in zip(stems, records, strict=True):
                self.db._execute_dml(
                    f"UPDATE {self.table} SET version = ?, name = ?, applied_at = ?, "
                    "checksum = ?, status = ?, progress = 0 WHERE version = ?",
                    [record.version, record.name, record.applied_at, record.checksum, APPLIED,
                     stem])
            if "source_text" not in present:
                self._add_column("source_text")
            for record in records:
                if record.source_text is not None:
                    self.set_source(record.version, record.checksum, record.source_text)

    def records(self) -> dict[int, AppliedRecord]:
        """Return every row keyed by migration number (empty when the table is missing).

        Each row's ``source_text`` stays in the table: whether it has one is read, and
        ``AppliedRecord.text()`` reads it when a file's bytes changed (the no-op ``migrate``
        compares checksums only).
        """
        if not self.table_exists():
            self._check_schema_selected()
            return {}
        try:
            try:
                rows = self.db._execute(f"SELECT {_COLUMNS}, source_text IS NOT NULL "
                                        f"FROM {self.table}")
            except SQLError:  # a table of an earlier NextORM, not upgraded yet
                rows = [(*r, False) for r in
                        self.db._execute(f"SELECT {_COLUMNS} FROM {self.table}")]
            return self._as_records(rows)
        except (SQLError, ValueError, TypeError) as exc:
            legacy = self.legacy_rows()
            if legacy is not None:
                raise LegacyHistory(legacy) from None
            # Another tool's table of the same name, or rows edited by hand.
            raise TrackingTableError(
                f"the tracking table {TABLE} is not in NextORM's format ({exc}): rename or "
                "repair it, then run migrate again"
            ) from None

    def current_records(self) -> dict[int, AppliedRecord] | None:
        """The rows, when the table exists in this NextORM's format; None otherwise (the
        caller then runs ``ensure_table()`` and ``records()``, which create, upgrade or
        refuse it).

        With the table in place, what ``ensure_table()`` checks is known from two statements
        (the table list, the SELECT naming every column): ``migrate`` with nothing to do
        sends those alone, not also the CREATE TABLE IF NOT EXISTS, the schema and column
        checks (each a round trip to a server).
        """
        if not self.table_exists():
            return None
        try:
            rows = self.db._execute(f"SELECT {_COLUMNS}, source_text IS NOT NULL "
                                    f"FROM {self.table}")
            return self._as_records(rows)
        except (SQLError, ValueError, TypeError):
            return None

    def _as_records(self, rows: list[tuple[Any, ...]]) -> dict[int, AppliedRecord]:
        records = {}
        for row in rows:
            version = str(row[0])
            record = records[int(version)] = AppliedRecord(
                version, row[1], row[2], row[3], row[4], int(row[5] or 0), row[6])
            if row[7]:
                record._table = self
        return records

    def source_text(self, version: str) -> str | None:
        """The text of the file that ran as ``version`` (None: the row keeps none)."""
        rows = self.db._execute(f"SELECT source_text FROM {self.table} WHERE version = ?",
                                [version])
        return rows[0][0] if rows else None

    def record_applied(self, version: str, name: str, checksum: str,
                       source_text: str | None = None, *, status: str = APPLIED) -> None:
        """Record that a migration was applied (or, with ``status``, that it has started)."""
        self.db._execute_dml(*self.record_applied_sql(version, name, checksum, source_text,
                                                      status=status))

    def record_applied_sql(self, version: str, name: str, checksum: str,
                           source_text: str | None = None, *,
                           status: str = APPLIED) -> tuple[str, list[Any]]:
        """The INSERT of ``record_applied`` as (statement, parameters), run or printed."""
        return (f"INSERT INTO {self.table} "
                "(version, name, applied_at, checksum, status, progress, source_text) "
                "VALUES (?, ?, ?, ?, ?, 0, ?)",
                [version, name, now_iso(), checksum, status, source_text])

    def record_running(self, version: str, name: str, checksum: str,
                       source_text: str | None = None) -> None:
        """Record that a migration has started (MariaDB: survives a failure half-way)."""
        self.record_applied(version, name, checksum, source_text, status=RUNNING)

    def mark_applied(self, version: str) -> None:
        """Turn a running, failed or reverting row into an applied one."""
        self.db._execute_dml(*self.mark_applied_sql(version))

    def mark_applied_sql(self, version: str) -> tuple[str, list[Any]]:
        """The UPDATE of ``mark_applied`` as (statement, parameters)."""
        return (f"UPDATE {self.table} SET status = ?, applied_at = ?, progress = 0, "
                "error = NULL WHERE version = ?", [APPLIED, now_iso(), version])

    def set_status(self, version: str, status: str, progress: int = 0) -> None:
        """Set a row's status and progress: a (resumed) start, or a row put back as it was."""
        self.db._execute_dml(*self.set_status_sql(version, status, progress))

    def set_status_sql(self, version: str, status: str,
                       progress: int = 0) -> tuple[str, list[Any]]:
        """The UPDATE of ``set_status`` as (statement, parameters)."""
        return (f"UPDATE {self.table} SET status = ?, progress = ?, error = NULL "
                "WHERE version = ?", [status, progress, version])

    def set_progress(self, version: str, progress: int) -> None:
        """Record how many write statements of a running migration have committed."""
        self.db._execute_dml(*self.set_progress_sql(version, progress))

    def set_progress_sql(self, version: str, progress: int) -> tuple[str, list[Any]]:
        """The UPDATE of ``set_progress`` as (statement, parameters)."""
        return f"UPDATE {self.table} SET progress = ? WHERE version = ?", [progress, version]

    def mark_failed(self, version: str, progress: int, error: str, *,
                    status: str = FAILED) -> None:
        """Record how far a migration (or, with ``REVERT_FAILED``, its undo) got before failing."""
        self.db._execute_dml(
            f"UPDATE {self.table} SET status = ?, progress = ?, error = ? WHERE version = ?",
            [status, progress, error[:2000], version],
        )

    def set_source(self, version: str, checksum: str, source_text: str) -> None:
        """Store a file's checksum and text (an accepted or cosmetic edit, a pre-0.2 row)."""
        self.db._execute_dml(
            f"UPDATE {self.table} SET checksum = ?, source_text = ? WHERE version = ?",
            [checksum, source_text, version],
        )

    def forget(self, version: str) -> None:
        """Delete a migration's row (after a downgrade, or to retry a failed one)."""
        self.db._execute_dml(*self.forget_sql(version))

    def forget_sql(self, version: str) -> tuple[str, list[Any]]:
        """The DELETE of ``forget`` as (statement, parameters)."""
        return f"DELETE FROM {self.table} WHERE version = ?", [version]

    def is_recorded(self, version: str) -> bool:
        """Return whether a row exists for ``version`` (re-checked inside a transaction)."""
        rows = self.db._execute(f"SELECT status FROM {self.table} WHERE version = ?", [version])
        return bool(rows)
