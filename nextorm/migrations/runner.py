"""MigrationRunner: apply, fake, undo and list migrations, each exactly once.

``migrate`` takes the migrate lock, re-reads the tracking table, refuses to run over an
edited, deleted or half-failed history unless told otherwise, imports the files it is about
to run (never the applied ones), and runs each migration in its own transaction together with
its row in ``_nextorm_migrations``.  Where DDL is not transactional (MariaDB) the row records
progress instead, so a failure says what already ran and how to recover.

Statuses and step results are small dataclasses; the CLI only formats them.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import MigrationError, SQLError
from .loader import MigrationFile, discover, error_line, first_line, import_migration
from .lock import begin_sql, migrate_lock, recheck_needed
from .recorder import APPLIED, RUNNING, AppliedRecord, MigrationRecorder

#: Leading words of statements MariaDB commits implicitly.
_IMPLICIT_COMMIT = ("CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMIT")
#: Statements that would end the transaction a migration runs in (savepoints are fine).
_TRANSACTION_CONTROL = re.compile(
    r"\s*(COMMIT|END|BEGIN|START\s+TRANSACTION|ROLLBACK(?!.*\bTO\b))\b", re.IGNORECASE | re.DOTALL
)


@dataclass(frozen=True)
class MigrationStatus:
    """The state of one migration: a file, a tracking row, or both.

    ``state`` is ``applied``, ``pending``, ``edited`` (applied, but the file changed since),
    ``missing`` (applied, but the file is gone), ``failed`` (MariaDB: stopped half-way) or
    ``running`` (MariaDB: being applied now, or its process died).
    """

    name: str
    version: str
    applied: bool
    applied_at: str | None
    state: str

    def __str__(self) -> str:
        return format_statuses([self])[0]


@dataclass(frozen=True)
class Step:
    """What ``migrate`` did to one migration: applied, faked, unapplied or accepted."""

    action: str
    name: str
    seconds: float


def format_statuses(statuses: list[MigrationStatus]) -> list[str]:
    """Return the guide's lines: ``[x] 0001_initial.py  (2025-03-10T14:22:00)``."""
    width = max((len(s.name) for s in statuses), default=0)
    lines = []
    for s in statuses:
        mark = {"applied": "x", "edited": "x", "missing": "x", "failed": "!",
                "running": "~"}.get(s.state, " ")
        line = f"[{mark}] {s.name}"
        if s.applied_at:
            line = f"{line.ljust(width + 4)} ({s.applied_at})"
        note = {"edited": "edited since applied", "missing": "file missing",
                "failed": "FAILED half-way, see migrate",
                "running": "running now, or interrupted"}.get(s.state)
        if note:
            line += f"  {note}"
        lines.append(line)
    return lines


def parse_target(target: str | int | None, files: list[MigrationFile],
                 records: dict[int, AppliedRecord]) -> int | None:
    """Turn ``zero``, ``2``, ``0002`` or ``0002_name.py`` into a migration number."""
    if target is None:
        return None
    text = str(target).strip()
    if text.lower() == "zero":
        return 0
    digits = text.split("_", 1)[0]
    if not digits.isdigit():
        raise MigrationError(
            f"migration target {text!r} is not a number, a file name or 'zero'"
        )
    number = int(digits)
    if number not in {f.number for f in files} and number not in records:
        raise MigrationError(f"no migration numbered {digits} (target {text!r})")
    if digits != text:  # a file name: it must be this number's file, not a stale one
        names = {f.name for f in files if f.number == number}
        names |= {r.name for n, r in records.items() if n == number}
        if text not in names and text.removesuffix(".py") + ".py" not in names:
            raise MigrationError(
                f"no migration file {text!r}: number {digits} is {', '.join(sorted(names))}"
            )
    return number


class MigrationRunner:
    """Apply and inspect the migrations of one directory against one Database."""

    def __init__(self, db: Any, directory: str | os.PathLike[str] = "migrations/",
                 *, report: Callable[[Step], None] | None = None) -> None:
        self.db = db
        self.directory = Path(directory)
        self.report = report or (lambda step: None)

    # -- reading ---------------------------------------------------------------------------

    def files(self) -> list[MigrationFile]:
        """The migration files, in ascending-number order."""
        return discover(self.directory)

    def _read_records(self) -> dict[int, AppliedRecord]:
        """Read the tracking table without creating anything (not even a SQLite file)."""
        filename = self.db.sqlite_filename
        if filename is not None and not os.path.exists(filename):
            return {}
        return MigrationRecorder(self.db).records()

    def showmigrations(self) -> list[MigrationStatus]:
        """Return every migration's status, files and tracking rows merged by number."""
        files = {f.number: f for f in self.files()}
        records = self._read_records()
        statuses = []
        for number in sorted(set(files) | set(records)):
            file, record = files.get(number), records.get(number)
            if record is None:
                statuses.append(MigrationStatus(file.name, file.version, False, None, "pending"))
                continue
            if record.status != APPLIED:
                state = "running" if record.status == RUNNING else "failed"
            elif file is None:
                state = "missing"
            elif file.checksum != record.checksum:
                state = "edited"
            else:
                state = "applied"
            name = file.name if file else record.name
            applied = state in ("applied", "edited", "missing")
            statuses.append(MigrationStatus(name, record.version, applied, record.applied_at,
                                            state))
        return statuses

    # -- migrating -------------------------------------------------------------------------

    def migrate(self, target: str | int | None = None, *, fake: bool = False,
                accept_changed: bool = False, retry: bool = False) -> list[Step]:
        """Move the database to ``target`` (default: the newest migration); see the module doc."""
        files = self.files()
        steps: list[Step] = []
        if target is not None:  # a mistyped target must not create the tracking table
            parse_target(target, files, self._read_records())
        with migrate_lock(self.db):
            recorder = MigrationRecorder(self.db)
            recorder.ensure_table()
            records = recorder.records()
            number = parse_target(target, files, records)
            records = self._resolve_failed(recorder, records, fake=fake, retry=retry)
            steps += self._check_history(recorder, records, files, accept_changed)
            backward = sorted((r for n, r in records.items() if number is not None and n > number),
                              key=lambda r: -r.number)
            forward = [f for f in files if f.number not in records
                       and (number is None or f.number <= number)]
            by_number = {f.number: f for f in files}
            undo = [(by_number.get(r.number), r) for r in backward]
            undo_modules = [self._downgradable(file, record) for file, record in undo]
            do_modules = [import_migration(f, self.db.provider) for f in forward]
            for (file, _), module in zip(undo, undo_modules, strict=True):
                undone = self._unapply(recorder, file, module, fake)
                if undone is not None:
                    steps.append(undone)
            for file, module in zip(forward, do_modules, strict=True):
                step = self._apply(recorder, file, None if fake else module)
                if step is not None:
                    steps.append(step)
        return steps

    def _resolve_failed(self, recorder: MigrationRecorder, records: dict[int, AppliedRecord],
                        *, fake: bool, retry: bool) -> dict[int, AppliedRecord]:
        """Refuse to run past a migration that stopped half-way, unless told how to resolve."""
        broken = [r for r in records.values() if r.status != APPLIED]
        if not broken:
            return records
        record = min(broken, key=lambda r: r.number)
        if retry:
            recorder.forget(record.version)
            self.report(Step("retrying", record.name, 0.0))
            return {n: r for n, r in records.items() if n != record.number}
        if fake:
            recorder.mark_applied(record.version)
            self.report(Step("faked", record.name, 0.0))
            return recorder.records()
        how = ("was interrupted (the process died)" if record.status == RUNNING
               else f"failed after {record.progress} statement(s) had been committed: "
                    f"{record.error}")
        raise MigrationError(f"{record.name} {how}. {recovery(record.version)}")

    def _check_history(self, recorder: MigrationRecorder, records: dict[int, AppliedRecord],
                       files: list[MigrationFile], accept_changed: bool) -> list[Step]:
        """Refuse to migrate over applied files that were edited or deleted (unless accepted)."""
        by_number = {f.number: f for f in files}
        edited = [by_number[n] for n, r in records.items()
                  if n in by_number and by_number[n].checksum != r.checksum]
        missing = [r for n, r in records.items() if n not in by_number]
        if not edited and not missing:
            return []
        if not accept_changed:
            parts = []
            if edited:
                parts.append("edited since applied: " + ", ".join(f.name for f in edited))
            if missing:
                parts.append("applied but missing: " + ", ".join(r.name for r in missing))
            raise MigrationError(
                "migration history changed (" + "; ".join(parts) + "): restore the files, or "
                "run 'migrate --accept-changed' to accept the directory as it is now"
            )
        steps = []
        with self.db.transaction():
            for file in edited:
                self.db._execute_dml(
                    f"UPDATE {recorder.table} SET checksum = ? WHERE version = ?",
                    [file.checksum, records[file.number].version],
                )
                steps.append(Step("accepted edit", file.name, 0.0))
            for record in missing:
                recorder.forget(record.version)
                records.pop(record.number)
                steps.append(Step("forgot deleted", record.name, 0.0))
        for step in steps:
            self.report(step)
        return steps

    def _downgradable(self, file: MigrationFile | None, record: AppliedRecord) -> ModuleType:
        """Import an applied migration that must be undone; it needs a file and downgrade()."""
        if file is None:
            raise MigrationError(
                f"cannot undo {record.name}: its file is missing from {self.directory}"
            )
        module = import_migration(file, self.db.provider)
        if not callable(getattr(module, "downgrade", None)):
            raise MigrationError(
                f"cannot undo {file.display_path}: it has no downgrade(db) function; "
                "write one, or choose a later target"
            )
        return module

    def _apply(self, recorder: MigrationRecorder, file: MigrationFile,
               module: ModuleType | None) -> Step | None:
        started = time.perf_counter()
        if self.db.dialect.transactional_ddl or module is None:
            if not self._apply_atomically(recorder, file, module):
                return None  # another process applied it while we waited for the lock
        else:
            self._apply_with_progress(recorder, file, module)
        step = Step("faked" if module is None else "applied", file.name,
                    time.perf_counter() - started)
        self.report(step)
        return step

    def _apply_atomically(self, recorder: MigrationRecorder, file: MigrationFile,
                          module: ModuleType | None) -> bool:
        """Run upgrade() and record it in one transaction; return False if already applied."""
        db = self.db
        fk_off = (module is not None and db.provider == "sqlite"
                  and getattr(module, "FOREIGN_KEYS_OFF", False))
        if fk_off:
            db._execute_dml("PRAGMA foreign_keys = OFF")
        try:
            with db.transaction(begin_sql(db)):
                if recheck_needed(db) and recorder.is_recorded(file.version):
                    return False
                if module is not None:
                    self._call(module.upgrade, file, "upgrade", rolled_back=True,
                               db=GuardedDatabase(db))
                if fk_off:
                    check_foreign_keys(db, file)
                recorder.record_applied(file.version, file.name, file.checksum)
        finally:
            if fk_off:
                db._execute_dml("PRAGMA foreign_keys = ON")
        return True

    def _apply_with_progress(self, recorder: MigrationRecorder, file: MigrationFile,
                             module: ModuleType) -> None:
        """MariaDB: DDL commits at once, so record progress and explain a partial failure."""
        counting = CountingDatabase(self.db)
        recorder.record_running(file.version, file.name, file.checksum)
        try:
            with self.db.transaction():
                self._call(module.upgrade, file, "upgrade", rolled_back=False, db=counting)
                recorder.mark_applied(file.version)
        except MigrationError as exc:
            if not counting.committed:
                recorder.forget(file.version)
                raise MigrationError(
                    str(exc).replace(" failed:", " failed and was rolled back:", 1)
                ) from None
            recorder.mark_failed(file.version, counting.done, str(exc))
            raise MigrationError(
                f"{exc}. MariaDB had already committed {counting.done} statement(s) of it "
                f"(DDL commits at once). {recovery(file.version)}"
            ) from None
        except BaseException:  # Ctrl-C, or the connection died
            if counting.committed:
                recorder.mark_failed(file.version, counting.done, "interrupted")
            else:
                recorder.forget(file.version)
            raise

    def _unapply(self, recorder: MigrationRecorder, file: MigrationFile, module: ModuleType,
                 fake: bool) -> Step | None:
        started = time.perf_counter()
        transactional = self.db.dialect.transactional_ddl
        with self.db.transaction(begin_sql(self.db)):
            if recheck_needed(self.db) and not recorder.is_recorded(file.version):
                return None  # another process undid it while we waited for the lock
            if not fake:
                self._call(module.downgrade, file, "downgrade", rolled_back=transactional,
                           db=GuardedDatabase(self.db) if transactional else None)
            recorder.forget(file.version)
        step = Step("faked undo" if fake else "unapplied", file.name,
                    time.perf_counter() - started)
        self.report(step)
        return step

    def _call(self, function: Callable[[Any], Any], file: MigrationFile, what: str, *,
              rolled_back: bool, db: Any = None) -> None:
        """Run upgrade/downgrade; turn any failure into one line naming file and statement."""
        outcome = "failed and was rolled back" if rolled_back else "failed"
        try:
            function(self.db if db is None else db)
        except SQLError as exc:
            statement = one_line(exc.sql or "")
            raise MigrationError(
                f"{file.display_path} {what} {outcome}: {first_line(exc)} "
                f"(statement: {statement})"
            ) from None
        except MigrationError as exc:
            raise MigrationError(f"{file.display_path} {what} {outcome}: {exc}") from None
        except (Exception, SystemExit) as exc:  # sys.exit() in a migration is a failure too
            raise MigrationError(
                f"{file.display_path}{error_line(exc, file.path)} {what} {outcome}: "
                f"{type(exc).__name__}: {first_line(exc)}"
            ) from None

    # -- inspecting ------------------------------------------------------------------------

    def sqlmigrate(self, target: str | int, *, backwards: bool = False) -> list[str]:
        """Return the SQL a migration's upgrade (or downgrade) would run, without running it."""
        files = self.files()
        number = parse_target(target, files, {})
        file = next((f for f in files if f.number == number), None)
        if file is None:
            raise MigrationError(f"no migration file numbered {target}")
        module = import_migration(file, self.db.provider)
        function = getattr(module, "downgrade" if backwards else "upgrade", None)
        if function is None:
            raise MigrationError(f"{file.display_path} has no downgrade(db) function")
        collector = SQLCollector(self.db)
        self._call(function, file, "downgrade" if backwards else "upgrade",
                   rolled_back=False, db=collector)
        return collector.statements

    def makemigrations(self, name: str | None = None, **options: Any) -> str | None:
        """Write the next migration file from the entity changes (see ``api.makemigrations``)."""
        from .api import makemigrations

        return makemigrations(self.db, str(self.directory), name, **options)


def recovery(version: str) -> str:
    """How to resolve a migration that stopped half-way on MariaDB."""
    return (f"Undo its committed statements by hand and run 'migrate --retry', or finish it "
            f"by hand and run 'migrate --fake {version}'")


def check_foreign_keys(db: Any, file: MigrationFile) -> None:
    """SQLite: fail the migration if it left rows pointing at missing parents."""
    rows = db._execute("PRAGMA foreign_key_check")
    if rows:
        table, rowid, parent = rows[0][0], rows[0][1], rows[0][2]
        raise MigrationError(
            f"{file.display_path} failed and was rolled back: it leaves {len(rows)} row(s) "
            f"violating foreign keys (first: {table} rowid {rowid} references a missing "
            f"{parent} row)"
        )


def one_line(sql: str, limit: int = 240) -> str:
    """Collapse a statement to one line, shortened for messages."""
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class GuardedDatabase:
    """The Database as a migration sees it: it may not end the migration's transaction.

    A ``COMMIT`` inside ``upgrade`` would make the migration half-applied on failure and
    unrecorded on success; it is refused with a message instead.
    """

    def __init__(self, db: Any) -> None:
        self._db = db

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    @staticmethod
    def _check(sql: str) -> None:
        match = _TRANSACTION_CONTROL.match(sql)
        if match:
            raise MigrationError(
                f"{match.group(1).upper()} is not allowed in a migration: migrate runs each "
                "migration in one transaction and commits it; remove the statement"
            )

    def _execute_dml(self, sql: str, params: Any = ()) -> int:
        self._check(sql)
        return self._db._execute_dml(sql, params)

    def _execute(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        self._check(sql)
        return self._db._execute(sql, params)

    def _insert(self, sql: str, params: Any = ()) -> Any:
        self._check(sql)
        return self._db._insert(sql, params)


class CountingDatabase:
    """The Database, counting completed statements (MariaDB progress for a failure message)."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self.done = 0
        self.committed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    def _count(self, sql: str) -> None:
        self.done += 1
        if sql.lstrip().upper().startswith(_IMPLICIT_COMMIT):
            self.committed = True

    def _execute_dml(self, sql: str, params: Any = ()) -> int:
        result = self._db._execute_dml(sql, params)
        self._count(sql)
        return result

    def _execute(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        result = self._db._execute(sql, params)
        self._count(sql)
        return result

    def _insert(self, sql: str, params: Any = ()) -> Any:
        result = self._db._insert(sql, params)
        self._count(sql)
        return result


class SQLCollector:
    """A stand-in Database for ``sqlmigrate``: collects the SQL a migration passes to it."""

    def __init__(self, db: Any) -> None:
        self.provider = db.provider
        self.dialect = db.dialect
        self.sqlite_filename = None
        self.in_transaction = False
        self.statements: list[str] = []

    def _collect(self, sql: str, params: Any) -> None:
        text = sql.strip().rstrip(";") + ";"
        if params:
            text += f"  -- params: {list(params)!r}"
        self.statements.append(text)

    def _execute_dml(self, sql: str, params: Any = ()) -> int:
        self._collect(sql, params)
        return 0

    def _execute(self, sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        self._collect(sql, params)
        return []

    def _insert(self, sql: str, params: Any = ()) -> Any:
        self._collect(sql, params)
        return None

    def transaction(self, begin_sql: str = "BEGIN") -> Any:
        from contextlib import nullcontext

        return nullcontext(self)

    def __getattr__(self, name: str) -> Any:
        raise MigrationError(f"sqlmigrate cannot show what db.{name} would do")
