"""Run one migration's ``upgrade`` or ``downgrade`` together with its tracking row.

Apply and undo share one path, so they share every protection:

- **Transactional DDL (SQLite, PostgreSQL):** the function and the row change (insert on
  apply, delete on undo) commit together or not at all.  A file that rebuilds SQLite tables
  (``FOREIGN_KEYS_OFF = True``) runs with foreign-key enforcement suspended, so dropping the
  old table cannot cascade into other tables, and the whole database's foreign keys are
  checked before the commit.
- **MariaDB (DDL commits at once):** the row is marked ``running`` / ``reverting`` first and its
  ``progress`` (write statements committed) is updated after each statement, so a failure or
  a killed process leaves a row that says how far it got; ``migrate --retry`` resumes from the
  first statement that did not commit (``resume.py`` decides when that is sound).

Failures become one ``MigrationError`` line naming the file, the function and the statement.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ..errors import MigrationError, MigrationFailedError, SQLError
from .context import MigrationContext
from .loader import MigrationFile, error_line, first_line
from .lock import begin_sql, recheck_needed
from .recorder import (
    APPLIED,
    FAILED,
    REVERT_FAILED,
    REVERTING,
    RUNNING,
    AppliedRecord,
    MigrationRecorder,
)

UPGRADE, DOWNGRADE = "upgrade", "downgrade"

#: Leading words of statements MariaDB commits implicitly.
_IMPLICIT_COMMIT = ("CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMIT")
#: Leading words of statements that only read.
_READS = ("SELECT", "SHOW", "PRAGMA", "EXPLAIN", "DESCRIBE", "DESC", "WITH")


@dataclass(frozen=True)
class Step:
    """One thing ``migrate`` reports: a migration starting, finished, faked, resumed...

    ``action`` is ``applying``/``unapplying`` (started), ``applied``/``unapplied``/``faked``/
    ``faked undo`` (finished), ``resuming``, ``retrying``, ``accepted edit``,
    ``forgot deleted`` or ``database`` (``name`` then describes the database).
    """

    action: str
    name: str
    seconds: float = 0.0


@dataclass(frozen=True)
class Resume:
    """Where a half-done MariaDB migration resumes: after ``progress`` write statements.

    ``uncertain``: the process died, so the statement after ``progress`` may have committed
    without its progress being recorded; if re-running it fails only because its effect is
    already there, it counts as done.
    """

    progress: int
    uncertain: bool


class StepFailed(Exception):
    """A migration function failed; the caller says whether it was rolled back."""

    def __init__(self, file: MigrationFile, direction: str, detail: str, at: str = "") -> None:
        super().__init__(detail)
        self.file, self.direction, self.detail, self.at = file, direction, detail, at

    def error(self, outcome: str, after: str = "") -> MigrationFailedError:
        """``migrations/0002_x.py line 7 upgrade failed and was rolled back: ...``."""
        return MigrationFailedError(f"{self.file.display_path}{self.at}", self.direction,
                                    outcome, self.detail, after)


_FINISHED = {(UPGRADE, False): "applied", (UPGRADE, True): "faked",
             (DOWNGRADE, False): "unapplied", (DOWNGRADE, True): "faked undo"}


class MigrationExecutor:
    """Apply or undo single migrations of one Database, recording each in the same step."""

    def __init__(self, db: Any, recorder: MigrationRecorder,
                 report: Callable[[Step], None]) -> None:
        self.db = db
        self.recorder = recorder
        self.report = report

    def run(self, file: MigrationFile, module: ModuleType | None, direction: str, *,
            resume: Resume | None = None) -> Step | None:
        """Run ``direction`` of ``file`` (``module`` None: fake it); None if already done."""
        started = time.perf_counter()
        function = None if module is None else getattr(module, direction)
        if function is not None:
            self.report(Step("applying" if direction == UPGRADE else "unapplying", file.name))
        if self.db.dialect.transactional_ddl or function is None:
            if not self._run_atomically(file, module, direction, function):
                return None  # another process did it while we waited for the lock
        else:
            self._run_with_progress(file, direction, function, resume)
        step = Step(_FINISHED[(direction, function is None)], file.name,
                    time.perf_counter() - started)
        self.report(step)
        return step

    # -- servers with transactional DDL ----------------------------------------------------

    def _run_atomically(self, file: MigrationFile, module: ModuleType | None, direction: str,
                        function: Callable[[Any], Any] | None) -> bool:
        db = self.db
        rebuilds = function is not None and bool(getattr(module, "FOREIGN_KEYS_OFF", False))
        suspended = db.dialect.foreign_keys_off(db) if rebuilds else nullcontext()
        with suspended, db.transaction(begin_sql(db)):
            if recheck_needed(db) and self.recorder.is_recorded(file.version) == (
                    direction == UPGRADE):
                return False  # done by another process while this one waited for the lock
            if function is not None:
                try:
                    call(function, MigrationContext(db), file, direction)
                except StepFailed as exc:
                    raise exc.error("failed and was rolled back") from None
            if rebuilds:
                check_foreign_keys(db, file, direction)
            self._record_done(file, direction)
        return True

    def _record_done(self, file: MigrationFile, direction: str) -> None:
        if direction == UPGRADE:
            self.recorder.record_applied(file.version, file.name, file.checksum,
                                         file.source_text())
        else:
            self.recorder.forget(file.version)

    # -- MariaDB: record progress ----------------------------------------------------------

    def _run_with_progress(self, file: MigrationFile, direction: str,
                           function: Callable[[Any], Any], resume: Resume | None) -> None:
        recorder, version = self.recorder, file.version
        running = RUNNING if direction == UPGRADE else REVERTING
        if resume is not None:
            recorder.set_status(version, running, resume.progress)
        elif direction == UPGRADE:
            recorder.record_running(version, file.name, file.checksum, file.source_text())
        else:
            recorder.set_status(version, REVERTING)
        progress = ProgressDatabase(self.db, resume,
                                    lambda done: recorder.set_progress(version, done))
        try:
            with progress.transactions():
                call(function, progress, file, direction)
                if direction == UPGRADE:
                    recorder.mark_applied(version)
                else:
                    recorder.forget(version)
        except StepFailed as exc:
            if not progress.committed:
                self._restore(file, direction)
                raise exc.error("failed and was rolled back") from None
            failed = FAILED if direction == UPGRADE else REVERT_FAILED
            recorder.mark_failed(version, progress.done, exc.detail, status=failed)
            record = AppliedRecord(version, file.name, "", file.checksum, failed, progress.done)
            raise exc.error(
                "failed", f". MariaDB had already committed {progress.done} statement(s) of it "
                f"(DDL commits at once). {recovery(record, file)}"
            ) from None
        except BaseException:  # Ctrl-C, or the connection died
            if progress.committed:
                failed = FAILED if direction == UPGRADE else REVERT_FAILED
                recorder.mark_failed(version, progress.done, "interrupted", status=failed)
            else:
                self._restore(file, direction)
            raise

    def _restore(self, file: MigrationFile, direction: str) -> None:
        """Nothing committed: put the row back as it was before the attempt."""
        if direction == UPGRADE:
            self.recorder.forget(file.version)
        else:
            self.recorder.set_status(file.version, APPLIED)


def call(function: Callable[[Any], Any], db: Any, file: MigrationFile, direction: str) -> None:
    """Run upgrade/downgrade; turn any failure into a StepFailed naming the statement."""
    try:
        function(db)
    except SQLError as exc:
        raise StepFailed(file, direction,
                         f"{first_line(exc)} (statement: {one_line(exc.sql or '')})") from None
    except MigrationError as exc:
        raise StepFailed(file, direction, str(exc)) from None
    except (Exception, SystemExit) as exc:  # sys.exit() in a migration is a failure too
        raise StepFailed(file, direction, f"{type(exc).__name__}: {first_line(exc)}",
                         error_line(exc, file.path)) from None


def check_foreign_keys(db: Any, file: MigrationFile, direction: str) -> None:
    """Fail the migration if it left rows pointing at missing parents (SQLite rebuilds)."""
    rows = db.dialect.foreign_key_violations(db)
    if rows:
        table, rowid, parent = rows[0][0], rows[0][1], rows[0][2]
        raise MigrationFailedError(
            file.display_path, direction, "failed and was rolled back",
            f"it leaves {len(rows)} row(s) violating foreign keys (first: {table} rowid "
            f"{rowid} references a missing {parent} row)"
        )


def previous_target(record: AppliedRecord) -> str:
    """The ``migrate`` target just below a migration: its number minus one, or ``zero``."""
    return f"{record.number - 1:0{len(record.version)}d}" if record.number > 1 else "zero"


def recovery(record: AppliedRecord, file: MigrationFile | None) -> str:
    """Tell how to resolve a migration that stopped half-way on MariaDB."""
    if record.reverting:
        retry, fake = f"migrate {previous_target(record)} --retry", \
            f"migrate {previous_target(record)} --fake"
        function, by_hand = DOWNGRADE, "Undo"
    else:
        retry, fake = "migrate --retry", f"migrate --fake {record.version}"
        function, by_hand = UPGRADE, "Undo"
    finish = f"or finish it by hand and run '{fake}'"
    reason = resumability(record, file, function)
    if reason is None:
        return f"Run '{retry}' to resume it from statement {record.progress + 1}, {finish}"
    return (f"{by_hand} its committed statements by hand and run '{retry}', {finish} "
            f"('--retry' cannot resume it: {reason})")


def resumability(record: AppliedRecord, file: MigrationFile | None, function: str) -> str | None:
    """Return why ``migrate --retry`` cannot resume ``record``'s migration, or None."""
    if file is None:
        return "its file is missing"
    if file.checksum != record.checksum:
        return f"{file.name} changed since it ran"
    from .resume import why_not_resumable  # the parser, only for a half-done migration

    return why_not_resumable(file.path, function)


def one_line(sql: str, limit: int = 240) -> str:
    """Collapse a statement to one line, shortened for messages."""
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ProgressDatabase(MigrationContext):
    """MariaDB: count the write statements that committed, and skip those of a resumed run.

    DDL commits at once and cannot be undone, so progress is recorded so that it never lies:

    - until the first DDL statement, writes stay in one transaction (a failure there rolls
      the whole migration back, as on the other servers); the DDL commits them together;
    - a DDL statement commits by itself; its progress is recorded right after it (if the
      process dies in between, a resumed run finds its effect already there);
    - after that, each write runs in its own transaction together with its progress, so a
      data change is never done without being counted, nor counted without being done.

    Reads (``SELECT`` ...) always run and are not counted.
    """

    def __init__(self, db: Any, resume: Resume | None,
                 on_progress: Callable[[int], None]) -> None:
        super().__init__(db)
        self._skip = resume.progress if resume else 0
        self._uncertain = bool(resume and resume.uncertain)
        self._on_progress = on_progress
        self._seen = 0
        self._in_transaction = False
        self.done = self._skip
        self.committed = self._skip > 0

    @contextmanager
    def transactions(self) -> Iterator[None]:
        """Open the first transaction; commit what is open at the end, roll it back on error."""
        self._begin()
        try:
            yield
        except BaseException:
            if self._in_transaction:
                self._in_transaction = False
                self._db._execute_dml("ROLLBACK")
            raise
        self._commit()

    def _begin(self) -> None:
        if not self._in_transaction:
            self._db._execute_dml("BEGIN")
            self._in_transaction = True

    def _commit(self) -> None:
        if self._in_transaction:
            self._in_transaction = False
            self._db._execute_dml("COMMIT")

    def _write(self, method: Callable[[str, Any], Any], sql: str, params: Any,
               skipped: Any) -> Any:
        self._check(sql)
        self._seen += 1
        if self._seen <= self._skip:
            return skipped
        ddl = sql.lstrip().upper().startswith(_IMPLICIT_COMMIT)
        if not ddl:
            self._begin()
        try:
            result = method(sql, params)
        except SQLError as exc:
            first_rerun = self._uncertain and self._seen == self._skip + 1
            if not (first_rerun and ddl and self._db.dialect.effect_already_present(exc)):
                raise
            result = skipped  # it had committed before the process died
        self.done += 1
        if ddl:
            self._in_transaction = False  # the server committed everything before it, too
            self.committed = True
        self._on_progress(self.done)
        if self.committed:
            self._commit()
        return result

    def _execute_dml(self, sql: str, params: Any = ()) -> int:
        return self._write(self._db._execute_dml, sql, params, 0)

    def _insert(self, sql: str, params: Any = ()) -> Any:
        return self._write(self._db._insert, sql, params, None)

    def _execute(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        if sql.lstrip().upper().startswith(_READS):
            if self._seen < self._skip:
                # A check the first run passed before writes that have committed since; it
                # may name what they renamed, so it is not asked again (resume.py allows
                # reads only in such checks).
                return []
            return self._db._execute(sql, params)
        return self._write(self._db._execute, sql, params, [])
