"""A migration run outside one transaction: count what committed, so it can be resumed.

Two kinds of migration run this way (``executor.py`` chooses):

- every migration on **MariaDB**, where DDL commits at once;
- a file with ``ATOMIC = False`` on **PostgreSQL** (``CREATE INDEX CONCURRENTLY``,
  ``VALIDATE CONSTRAINT`` after ``NOT VALID``, ``VACUUM``): statements that are not data
  changes run on their own, in autocommit, after an explicit ``COMMIT`` of the data changes
  before them.

Either way the tracking row's ``progress`` counts the write statements that committed, and
``migrate --retry`` resumes after them (``resume.py`` says when that is sound).  A statement
that waits for a lock longer than the lock timeout is tried again on its own, with backoff
(``lock_timeout.py``); a concurrent index build that failed leaves an INVALID index, which
the dialect drops before the statement runs again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..errors import SQLError
from .context import MigrationContext
from .lock_timeout import LockPolicy, lock_timeout_of, retrying

#: Leading words of statements MariaDB commits implicitly.
_IMPLICIT_COMMIT = ("CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMIT")
#: Leading words of statements that only read.
_READS = ("SELECT", "SHOW", "PRAGMA", "EXPLAIN", "DESCRIBE", "DESC", "WITH")
#: Leading words of data changes: in a PostgreSQL ``ATOMIC = False`` migration, these run
#: inside a transaction with their progress; every other statement runs on its own.
_DATA_CHANGES = ("INSERT", "UPDATE", "DELETE", "MERGE", "WITH")


@dataclass(frozen=True)
class Resume:
    """Where a half-done migration resumes: after ``progress`` write statements.

    ``uncertain``: the process died, so the statement after ``progress`` may have committed
    without its progress being recorded; if re-running it fails only because its effect is
    already there, it counts as done.
    """

    progress: int
    uncertain: bool


class ProgressDatabase(MigrationContext):
    """Count the write statements that committed, and skip those of a resumed run.

    A statement that ends the transaction (MariaDB: DDL, which commits implicitly; an
    ``ATOMIC = False`` PostgreSQL migration: anything but a data change, committed on its own)
    is recorded so that the count never lies:

    - until the first such statement, writes stay in one transaction (a failure there rolls
      the whole migration back, as on the other servers); that statement commits them;
    - it commits by itself; its progress is recorded right after it (if the process dies in
      between, a resumed run finds its effect already there);
    - after that, each write runs in its own transaction together with its progress, so a
      data change is never done without being counted, nor counted without being done.

    Reads (``SELECT`` ...) always run and are not counted.
    """

    def __init__(self, db: Any, resume: Resume | None,
                 on_progress: Callable[[int], None],
                 policy: LockPolicy | None = None) -> None:
        super().__init__(db)
        self._skip = resume.progress if resume else 0
        self._uncertain = bool(resume and resume.uncertain)
        self._resumed = resume is not None
        self._on_progress = on_progress
        self._policy = policy or LockPolicy(timeout=0, retries=0)
        #: PostgreSQL: DDL does not commit by itself, so the migration commits around it.
        self._explicit = bool(db.dialect.transactional_ddl)
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

    def _ends_transaction(self, sql: str) -> bool:
        words = sql.lstrip().upper()
        if self._explicit:
            return not words.startswith(_DATA_CHANGES)
        return words.startswith(_IMPLICIT_COMMIT)

    def _commit_writes(self) -> None:
        """Commit the writes before a statement that runs on its own (MariaDB: the server did
        it already, as the statement began); from then on they cannot be rolled back."""
        self._commit()
        if self.done > self._skip:
            self.committed = True

    def _write(self, method: Callable[[str, Any], Any], sql: str, params: Any,
               skipped: Any) -> Any:
        self._check(sql)
        self._seen += 1
        if self._seen <= self._skip:
            return skipped
        alone = self._ends_transaction(sql)
        if alone and self._explicit:
            self._commit_writes()
        elif not alone:
            self._begin()
        rerun = self._resumed and self._seen == self._skip + 1
        try:
            if alone:  # PostgreSQL: an INVALID index a failed concurrent build left
                self._db.dialect.prepare_rerun(self._db, sql)
            result = self._run(method, sql, params) if alone else method(sql, params)
        except SQLError as exc:
            if not (rerun and self._uncertain and alone
                    and self._db.dialect.effect_already_present(exc)):
                raise
            result = skipped  # it had committed before the process died
        self.done += 1
        if alone:
            self._in_transaction = False  # MariaDB committed everything before it, too
            self.committed = True
        self._on_progress(self.done)
        if self.committed:
            self._commit()
        return result

    def _run(self, method: Callable[[str, Any], Any], sql: str, params: Any) -> Any:
        """Run a statement that commits on its own, again after a lock timeout."""
        def timed_out(exc: BaseException) -> SQLError | None:
            error = lock_timeout_of(self._db, exc)
            if error is not None and self._in_transaction:
                self._commit_writes()  # MariaDB committed them as the statement began
            return error

        return retrying(self._db, self._policy, lambda: method(sql, params), timed_out,
                        lambda: self._db.dialect.prepare_rerun(self._db, sql))

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
