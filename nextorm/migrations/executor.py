"""Run one migration's ``upgrade`` or ``downgrade`` together with its tracking row.

Apply and undo share one path, so they share every protection:

- **Transactional DDL (SQLite, PostgreSQL):** the function and the row change (insert on
  apply, delete on undo) commit together or not at all.  A file that rebuilds SQLite tables
  (``FOREIGN_KEYS_OFF = True``) runs with foreign-key enforcement suspended, so dropping the
  old table cannot cascade into other tables, and the whole database's foreign keys are
  checked before the commit.
- **MariaDB (DDL commits at once), and files with ``ATOMIC = False``** (PostgreSQL's
  ``CREATE INDEX CONCURRENTLY``, ``VACUUM``...): the row is marked ``running`` /
  ``reverting`` first and its ``progress`` (write statements committed) is updated after each
  statement (``progress.py``), so a failure or a killed process leaves a row that says how far
  it got; ``migrate --retry`` resumes from the first statement that did not commit
  (``resume.py`` decides when that is sound).
- **Lock timeouts** (``lock_timeout.py``): on PostgreSQL and MariaDB every statement runs with
  a lock timeout.  A statement that times out is tried again with backoff; in an atomic
  PostgreSQL migration the timeout aborts the transaction, so the whole migration (its
  transaction, with its row) is rolled back and run again from its first statement.

Failures become one ``MigrationError`` line naming the file, the function and the statement.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..errors import MigrationError, MigrationFailedError, SQLError
from .loader import MigrationFile, error_line, first_line
from .lock import begin_sql, recheck_needed
from .lock_timeout import LockPolicy, lock_timeout_of, retrying, session_timeout
from .recorder import (
    APPLIED,
    FAILED,
    REVERT_FAILED,
    REVERTING,
    RUNNING,
    AppliedRecord,
    MigrationRecorder,
)
from .steps import Step

if TYPE_CHECKING:
    from .progress import Resume

UPGRADE, DOWNGRADE = "upgrade", "downgrade"
__all__ = ["DOWNGRADE", "UPGRADE", "MigrationExecutor", "Step", "StepFailed", "call"]


class StepFailed(Exception):
    """A migration function failed; the caller says whether it was rolled back."""

    def __init__(self, file: MigrationFile, direction: str, detail: str, at: str = "",
                 cause: BaseException | None = None) -> None:
        super().__init__(detail)
        self.file, self.direction, self.detail, self.at = file, direction, detail, at
        self.cause = cause  # the SQLError, if a statement failed (a lock timeout is retried)

    def error(self, outcome: str, after: str = "") -> MigrationFailedError:
        """``migrations/0002_x.py line 7 upgrade failed and was rolled back: ...``."""
        return MigrationFailedError(f"{self.file.display_path}{self.at}", self.direction,
                                    outcome, self.detail, after)


_FINISHED = {(UPGRADE, False): "applied", (UPGRADE, True): "faked",
             (DOWNGRADE, False): "unapplied", (DOWNGRADE, True): "faked undo"}


class MigrationExecutor:
    """Apply or undo single migrations of one Database, recording each in the same step."""

    def __init__(self, db: Any, recorder: MigrationRecorder,
                 report: Callable[[Step], None], lock_policy: LockPolicy | None = None) -> None:
        self.db = db
        self.recorder = recorder
        self.report = report
        self.lock_policy = lock_policy or LockPolicy()
        self._timeout_set = False

    @contextmanager
    def lock_timeouts(self) -> Iterator[None]:
        """Set the session's lock timeout once for a run of migrations, restored at the end
        (per migration it cost two round trips each: 500 migrations paid ~15% on PostgreSQL)."""
        with session_timeout(self.db, self.lock_policy):
            self._timeout_set = True
            try:
                yield
            finally:
                self._timeout_set = False

    def _lock_timeout(self) -> AbstractContextManager[None]:
        return nullcontext() if self._timeout_set else session_timeout(self.db, self.lock_policy)

    def run(self, file: MigrationFile, module: ModuleType | None, direction: str, *,
            resume: Resume | None = None) -> Step | None:
        """Run ``direction`` of ``file`` (``module`` None: fake it); None if already done."""
        started = time.perf_counter()
        function = None if module is None else getattr(module, direction)
        if function is not None:
            self.report(Step("applying" if direction == UPGRADE else "unapplying", file.name))
        if function is None:
            if not self._run_atomically(file, module, direction, None):
                return None  # another process did it while we waited for the lock
        elif self.db.dialect.transactional_ddl and getattr(module, "ATOMIC", True) is not False:
            with self._lock_timeout():
                if not self._retry_atomically(file, module, direction, function):
                    return None
        else:
            with self._lock_timeout():
                self._run_with_progress(file, direction, function, resume)
        step = Step(_FINISHED[(direction, function is None)], file.name,
                    time.perf_counter() - started)
        self.report(step)
        return step

    # -- servers with transactional DDL ----------------------------------------------------

    def _retry_atomically(self, file: MigrationFile, module: ModuleType | None, direction: str,
                          function: Callable[[Any], Any]) -> bool:
        """Run the migration's transaction; after a lock timeout (which aborted it: rolled
        back, row included), run the whole transaction again from its first statement."""
        def timed_out(exc: BaseException) -> Any:
            return lock_timeout_of(self.db, exc.cause) if isinstance(exc, StepFailed) else None

        try:
            return retrying(self.db, self.lock_policy,
                            lambda: self._run_atomically(file, module, direction, function),
                            timed_out)
        except StepFailed as exc:
            detail = getattr(exc, "give_up", None)
            if detail:
                exc.detail = f"{detail} (statement: {one_line(exc.cause.sql or '')})"  # type: ignore[union-attr]
            raise exc.error("failed and was rolled back") from None

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
                from .context import MigrationContext  # a no-op migrate runs no file

                call(function, MigrationContext(db), file, direction)  # StepFailed: rolled back
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
        from .progress import ProgressDatabase  # MariaDB and ATOMIC = False files only

        progress = ProgressDatabase(self.db, resume,
                                    lambda done: recorder.set_progress(version, done),
                                    self.lock_policy)
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
            said = (f"{progress.done} statement(s) of it had already committed (its file "
                    "says ATOMIC = False)" if self.db.dialect.transactional_ddl else
                    f"MariaDB had already committed {progress.done} statement(s) of it (DDL "
                    "commits at once)")
            how = recovery(record, file, self.db.provider)
            raise exc.error("failed", f". {said}. {how}") from None
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
        said = getattr(exc, "give_up", None) or first_line(exc)  # a lock timeout: who blocked
        raise StepFailed(file, direction, f"{said} (statement: {one_line(exc.sql or '')})",
                         cause=exc) from None
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


def recovery(record: AppliedRecord, file: MigrationFile | None,
             provider: str | None = None) -> str:
    """Tell how to resolve a migration that stopped half-way on MariaDB (``provider``: the
    server whose part of a multi-server file ran)."""
    if record.reverting:
        retry, fake = f"migrate {previous_target(record)} --retry", \
            f"migrate {previous_target(record)} --fake"
        function, by_hand = DOWNGRADE, "Undo"
    else:
        retry, fake = "migrate --retry", f"migrate --fake {record.version}"
        function, by_hand = UPGRADE, "Undo"
    finish = f"or finish it by hand and run '{fake}'"
    reason = resumability(record, file, function, provider)
    if reason is None:
        return f"Run '{retry}' to resume it from statement {record.progress + 1}, {finish}"
    return (f"{by_hand} its committed statements by hand and run '{retry}', {finish} "
            f"('--retry' cannot resume it: {reason})")


def resumability(record: AppliedRecord, file: MigrationFile | None, function: str,
                 provider: str | None = None) -> str | None:
    """Return why ``migrate --retry`` cannot resume ``record``'s migration, or None."""
    if file is None:
        return "its file is missing"
    if file.checksum != record.checksum:
        return f"{file.name} changed since it ran"
    from .multiserver import part_name
    from .resume import why_not_resumable  # the parser, only for a half-done migration

    return why_not_resumable(file.path, part_name(file.path, function, provider))


def one_line(sql: str, limit: int = 240) -> str:
    """Collapse a statement to one line, shortened for messages."""
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
