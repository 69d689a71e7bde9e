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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import MigrationError
from .executor import (
    DOWNGRADE,
    UPGRADE,
    MigrationExecutor,
    Resume,
    Step,
    StepFailed,
    call,
    recovery,
    resumability,
)
from .loader import MigrationFile, discover, import_migration
from .lock import migrate_lock
from .recorder import APPLIED, KNOWN_STATUSES, TABLE, AppliedRecord, MigrationRecorder

__all__ = ["MigrationRunner", "MigrationStatus", "Step", "format_statuses", "parse_target"]


@dataclass(frozen=True)
class MigrationStatus:
    """The state of one migration: a file, a tracking row, or both.

    ``state`` is ``applied``, ``pending``, ``edited`` (applied, but its code changed since),
    ``missing`` (applied, but the file is gone), or, for MariaDB rows that stopped half-way,
    ``failed`` / ``running`` (an upgrade that failed, or whose process died or is running now)
    and ``revert-failed`` / ``reverting`` (the same for a downgrade); ``unknown`` is a row
    whose status NextORM never writes.
    """

    name: str
    version: str
    applied: bool
    applied_at: str | None
    state: str

    def __str__(self) -> str:
        return format_statuses([self])[0]


def format_statuses(statuses: list[MigrationStatus]) -> list[str]:
    """Return the guide's lines: ``[x] 0001_initial.py  (2025-03-10T14:22:00)``."""
    width = max((len(s.name) for s in statuses), default=0)
    lines = []
    for s in statuses:
        mark = {"applied": "x", "edited": "x", "missing": "x", "failed": "!", "unknown": "?",
                "revert-failed": "!", "running": "~", "reverting": "~"}.get(s.state, " ")
        line = f"[{mark}] {s.name}"
        if s.applied_at:
            line = f"{line.ljust(width + 4)} ({s.applied_at})"
        note = {"edited": "edited since applied", "missing": "file missing",
                "failed": "FAILED half-way, see migrate",
                "revert-failed": "undo FAILED half-way, see migrate",
                "running": "running now, or interrupted",
                "reverting": "being undone now, or interrupted",
                "unknown": "unknown status in the tracking table"}.get(s.state)
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
        """Read the tracking table without creating anything (not even a SQLite file).

        A SQLite file that does not exist yet holds no history; one that cannot exist or
        be opened (its folder is missing, it is a folder) is an error, never "all pending".
        """
        filename = self.db.sqlite_filename
        if filename is not None and not os.path.exists(filename):
            folder = os.path.dirname(os.path.abspath(filename))
            if not os.path.isdir(folder):
                raise MigrationError(
                    f"cannot open the SQLite database {filename}: its folder {folder} does "
                    "not exist; check the path given to db.bind"
                )
            return {}
        if filename is not None and not os.path.isfile(filename):
            raise MigrationError(
                f"cannot open the SQLite database {filename}: it is not a file; check the "
                "path given to db.bind"
            )
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
                state = record.status if record.status in KNOWN_STATUSES else "unknown"
            elif file is None:
                state = "missing"
            elif file.checksum != record.checksum and (
                    not record.code_checksum or file.code_checksum() != record.code_checksum):
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
                accept_changed: bool = False, retry: bool = False,
                allow_out_of_order: bool = False) -> list[Step]:
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
            executor = MigrationExecutor(self.db, recorder, self._announcing(steps))
            records = self._resolve_broken(executor, records, files, fake=fake, retry=retry)
            self._check_history(recorder, records, files, accept_changed)
            backward = sorted((r for n, r in records.items() if number is not None and n > number),
                              key=lambda r: -r.number)
            forward = [f for f in files if f.number not in records
                       and (number is None or f.number <= number)]
            if not allow_out_of_order:
                check_order(forward, records)
            by_number = {f.number: f for f in files}
            undo = [(by_number.get(r.number), r) for r in backward]
            undo_modules = [self._downgradable(file, record) for file, record in undo]
            do_modules = [import_migration(f, self.db.provider) for f in forward]
            if fake and forward:
                from .fake_check import check_fake

                check_fake(self.db, self.directory, forward)
            for (file, _), module in zip(undo, undo_modules, strict=True):
                assert file is not None  # _downgradable refused a missing file
                executor.run(file, None if fake else module, DOWNGRADE)
            for file, module in zip(forward, do_modules, strict=True):
                try:
                    executor.run(file, None if fake else module, UPGRADE)
                except MigrationError as exc:
                    raise MigrationError(explain_clash(str(exc), self.db)) from None
        return [s for s in steps if s.action not in ("applying", "unapplying", "database")]

    def _announcing(self, steps: list[Step]) -> Callable[[Step], None]:
        """Report each step; before the first change, report which database it changes."""
        def report(step: Step) -> None:
            if not any(s.action == "database" for s in steps):
                announce = Step("database", self.db.describe())
                steps.append(announce)
                self.report(announce)
            steps.append(step)
            self.report(step)
        return report

    def _resolve_broken(self, executor: MigrationExecutor, records: dict[int, AppliedRecord],
                        files: list[MigrationFile], *, fake: bool,
                        retry: bool) -> dict[int, AppliedRecord]:
        """Refuse to run past a migration that stopped half-way, unless told how to resolve."""
        broken = [r for r in records.values() if r.status != APPLIED]
        if not broken:
            return records
        record = min(broken, key=lambda r: r.number)
        recorder = executor.recorder
        if record.status not in KNOWN_STATUSES:
            raise MigrationError(
                f"row {record.version} of {TABLE} ({record.name}) has status {record.status!r}, "
                f"which NextORM never writes (it writes {', '.join(KNOWN_STATUSES)}); check "
                "whether that migration ran, then fix or delete the row"
            )
        file = next((f for f in files if f.number == record.number), None)
        if retry:
            self._retry(executor, record, file)
        elif fake:
            if record.reverting:
                recorder.forget(record.version)
            else:
                recorder.mark_applied(record.version)
            executor.report(Step("faked undo" if record.reverting else "faked", record.name))
        else:
            raise MigrationError(f"{describe_broken(record)}. {recovery(record, file)}")
        return recorder.records()

    def _retry(self, executor: MigrationExecutor, record: AppliedRecord,
               file: MigrationFile | None) -> None:
        """``--retry``: resume where the migration stopped, or run it again from the start."""
        direction = DOWNGRADE if record.reverting else UPGRADE
        if file is not None and resumability(record, file, direction) is None:
            module = (self._downgradable(file, record) if record.reverting
                      else import_migration(file, self.db.provider))
            executor.report(Step("resuming", f"{record.name} from statement "
                                             f"{record.progress + 1}"))
            executor.run(file, module, direction,
                         resume=Resume(record.progress, record.interrupted))
            return
        # Not resumable: the user put the database back by hand, so start over.
        if record.reverting:
            executor.recorder.set_status(record.version, APPLIED)
        else:
            executor.recorder.forget(record.version)
        executor.report(Step("retrying", record.name))

    def _check_history(self, recorder: MigrationRecorder, records: dict[int, AppliedRecord],
                       files: list[MigrationFile], accept_changed: bool) -> None:
        """Refuse to migrate over applied files whose code changed or that were deleted.

        A file whose bytes changed but whose code did not (black, comments, docstrings) is
        fine: its new checksum is stored so the next run is cheap again.  Rows written before
        code checksums existed get theirs the first time their file is read unchanged.
        """
        by_number = {f.number: f for f in files}
        edited: list[MigrationFile] = []
        for number, record in records.items():
            file = by_number.get(number)
            if file is None:
                continue
            if file.checksum == record.checksum:
                if record.code_checksum is None and (code := file.code_checksum()):
                    recorder.set_checksums(record.version, file.checksum, code)
            elif record.code_checksum and file.code_checksum() == record.code_checksum:
                recorder.set_checksums(record.version, file.checksum, record.code_checksum)
            else:
                edited.append(file)
        missing = [r for n, r in records.items() if n not in by_number]
        if not edited and not missing:
            return
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
        with self.db.transaction():
            for file in edited:
                recorder.set_checksums(records[file.number].version, file.checksum,
                                       file.code_checksum() or "")
            for record in missing:
                recorder.forget(record.version)
                records.pop(record.number)
        for file in edited:
            self.report(Step("accepted edit", file.name))
        for record in missing:
            self.report(Step("forgot deleted", record.name))

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
        try:
            call(function, collector, file, DOWNGRADE if backwards else UPGRADE)
        except StepFailed as exc:
            raise MigrationError(exc.line("failed")) from None
        return collector.statements

    def makemigrations(self, name: str | None = None, **options: Any) -> str | None:
        """Write the next migration file from the entity changes (see ``api.makemigrations``)."""
        from .api import makemigrations

        return makemigrations(self.db, str(self.directory), name, **options)


def describe_broken(record: AppliedRecord) -> str:
    """Say what a half-done row holds: which migration, which direction, how far it got."""
    what = f"undoing {record.name}" if record.reverting else record.name
    if record.interrupted:
        return (f"{what} was interrupted (the process died) after {record.progress} "
                "statement(s) had been committed")
    return (f"{what} failed after {record.progress} statement(s) had been committed: "
            f"{record.error}")


def explain_clash(message: str, db: Any) -> str:
    """Name the usual cause of "table already exists": tables made by create_tables=True."""
    if not db.created_tables or "already exists" not in message.lower():
        return message
    shown = ", ".join(db.created_tables[:3]) + (" ..." if len(db.created_tables) > 3 else "")
    return (f"{message}. The tables ({shown}) were created when the module was imported, by "
            "generate_mapping(create_tables=True): with migrations, call generate_mapping() "
            "without create_tables, then drop those tables, or keep them and record the "
            "migrations that made them with 'migrate --fake'")


def check_order(forward: list[MigrationFile], records: dict[int, AppliedRecord]) -> None:
    """Refuse a pending migration numbered below an applied one (a merge gone wrong)."""
    if not records or not forward:
        return
    newest = records[max(records)]
    early = next((f for f in forward if f.number < newest.number), None)
    if early is not None:
        raise MigrationError(
            f"{early.name} is pending but {newest.name}, numbered after it, is already "
            "applied: applying it now would run migrations out of order; renumber it after "
            f"{newest.name}, or run 'migrate --allow-out-of-order' to apply it anyway"
        )


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
