"""MigrationRunner: apply, fake, undo and list migrations, each exactly once.

``migrate`` takes the migrate lock, re-reads the tracking table, resolves (or refuses to run
past) a migration that stopped half-way, checks the history against the files
(``history.py``), plans the moves to the target (``plan.py``), imports the files it is about
to run (never the applied ones), and hands each to the executor (``executor.py``), which runs
it together with its row in ``_nextorm_migrations``.

Statuses and step results are small records; the CLI only formats them.  ``migrate`` with
nothing to do imports neither the executor nor the lock timeouts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import MigrationError, PartiallyAppliedError, TrackingTableError
from ..records import FrozenRecord
from .history import check_history, check_order, describe_broken, state_of
from .loader import MigrationFile, discover, display, import_migration
from .lock import migrate_lock
from .plan import MigrationPlan, parse_target, plan_moves
from .recorder import (
    APPLIED,
    KNOWN_STATUSES,
    TABLE,
    AppliedRecord,
    LegacyHistory,
    MigrationRecorder,
)
from .replaces import resolve
from .steps import Step
from .targets import range_files, target_number

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

    from .executor import MigrationExecutor

__all__ = ["MigrationRunner", "MigrationStatus", "Step", "format_statuses", "parse_target"]


class MigrationStatus(FrozenRecord):
    """The state of one migration: a file, a tracking row, or both.

    As in nextorm 0.5.1: ``name`` is the file name (``0001_initial.py``), ``version`` its stem
    (``0001_initial``), ``applied_at`` the UTC time it was applied, ``''`` while pending.
    ``state`` is ``applied``, ``pending``, ``edited`` (applied, but its code changed since),
    ``missing`` (applied, but the file is gone), or, for MariaDB rows that stopped half-way,
    ``failed`` / ``running`` (an upgrade that failed, or whose process died or is running now)
    and ``revert-failed`` / ``reverting`` (the same for a downgrade); ``unknown`` is a row
    whose status NextORM never writes.

    A plain class with ``__slots__`` (``showmigrations`` makes one per file); constructor,
    equality, hash and repr are a frozen dataclass's.
    """

    __slots__ = ("name", "version", "applied", "applied_at", "state")
    name: str
    version: str
    applied: bool
    applied_at: str
    state: str

    def __init__(self, name: str, version: str, applied: bool, applied_at: str,
                 state: str = "pending") -> None:
        for key, value in (("name", name), ("version", version), ("applied", applied),
                           ("applied_at", applied_at), ("state", state)):
            object.__setattr__(self, key, value)

    def __str__(self) -> str:
        return format_statuses([self])[0]


#: Each state's mark and note in ``showmigrations`` (``pending`` has a blank mark, no note).
_MARKS = {"applied": "x", "edited": "x", "missing": "x", "failed": "!", "unknown": "?",
          "revert-failed": "!", "running": "~", "reverting": "~"}
_NOTES = {"edited": "edited since applied", "missing": "file missing",
          "failed": "FAILED half-way, see migrate",
          "revert-failed": "undo FAILED half-way, see migrate",
          "running": "running now, or interrupted",
          "reverting": "being undone now, or interrupted",
          "unknown": "unknown status in the tracking table"}


def format_statuses(statuses: list[MigrationStatus]) -> list[str]:
    """Return the guide's lines: ``[x] 0001_initial.py  (2025-03-10T14:22:00)``."""
    width = max((len(s.name) for s in statuses), default=0)
    lines = []
    for s in statuses:
        line = f"[{_MARKS.get(s.state, ' ')}] {s.name}"
        if s.applied_at:
            line = f"{line.ljust(width + 4)} ({s.applied_at})"
        note = _NOTES.get(s.state)
        if note:
            line += f"  {note}"
        lines.append(line)
    return lines


class MigrationRunner:
    """Apply and inspect the migrations of one directory against one Database."""

    def __init__(self, db: Any, directory: str | os.PathLike[str] = "migrations/",
                 *, report: Callable[[Step], None] | None = None,
                 lock_timeout: float | str | None = None,
                 lock_retries: int | str | None = None) -> None:
        """``lock_timeout`` (seconds, or ``"500ms"``; 0: off) and ``lock_retries``: how long
        each statement waits for a lock and how often it is retried (``lock_timeout.py``)."""
        from .lock_timeout import LockPolicy

        self.db = db
        self._directory = directory
        self._path: Path | None = None
        self.report = report or (lambda step: None)
        self.lock_policy = LockPolicy.from_options(lock_timeout, lock_retries)

    @property
    def directory(self) -> Path:
        """The migrations folder (a ``Path``, made on first use: listing needs none)."""
        if self._path is None:
            from pathlib import Path

            self._path = Path(self._directory)
        return self._path

    # -- reading ---------------------------------------------------------------------------

    def files(self) -> list[MigrationFile]:
        """The migration files, in ascending-number order."""
        return discover(self._directory)

    def _read_records(self) -> dict[int, AppliedRecord]:
        """Read the tracking table without creating anything (not even a SQLite file).

        A SQLite file that does not exist yet holds no history; one that cannot exist or
        be opened (its folder is missing, it is a folder) is an error, never "all pending".
        """
        filename = self.db.sqlite_filename
        if filename is not None and not os.path.isfile(filename):
            folder = os.path.dirname(os.path.abspath(filename))
            if os.path.exists(filename):
                raise MigrationError(
                    f"cannot open the SQLite database {filename}: it is not a file; check the "
                    "path given to db.bind"
                )
            if not os.path.isdir(folder):
                raise MigrationError(
                    f"cannot open the SQLite database {filename}: its folder {folder} does "
                    "not exist; check the path given to db.bind"
                )
            return {}
        try:
            return MigrationRecorder(self.db).records()
        except LegacyHistory:  # only a 0.5.1 history needs adopt.py: its rows, as adopted
            from .adopt import read_records

            return read_records(self.db, self.directory)

    def showmigrations(self) -> list[MigrationStatus]:
        """Return every migration's status, files and tracking rows merged by number."""
        squashed = resolve(self.files(), self._read_records())
        files, records = {f.number: f for f in squashed.files}, squashed.records
        statuses = []
        for number in sorted(set(files) | set(records)):
            file, record = files.get(number), records.get(number)
            state = state_of(file, record)
            name = file.name if file else record.name  # type: ignore[union-attr]
            applied = state in ("applied", "edited", "missing")
            statuses.append(MigrationStatus(name, name.removesuffix(".py"), applied,
                                            record.applied_at if record else "", state))
        return statuses

    # -- migrating -------------------------------------------------------------------------

    def migrate(self, target: str | int | None = None, *, fake: bool = False,
                accept_changed: bool = False, retry: bool = False,
                allow_out_of_order: bool = False) -> list[Step]:
        """Move the database to ``target`` (default: the newest migration); see the module doc."""
        files = self.files()
        steps: list[Step] = []
        if target is not None:  # a mistyped target must not create the tracking table
            target_number(target, files, self._read_records())
        with migrate_lock(self.db):
            recorder = MigrationRecorder(self.db)
            records = recorder.current_records()  # None: create, upgrade or adopt the table
            if records is None:
                try:
                    recorder.ensure_table()
                except LegacyHistory:  # only a 0.5.1 history needs adopt.py: adopted, announced
                    from .adopt import ensure_table

                    ensure_table(recorder, self.directory, self._announcing(steps))
                records = recorder.records()
            number = target_number(target, files, records)
            executor = None  # made when something runs: a no-op never imports the executor
            if any(r.status != APPLIED for r in records.values()):
                executor = self._executor(recorder, steps)
                records = self._resolve_broken(executor, records, files, fake=fake,
                                               retry=retry)
            squashed = resolve(files, records, number)  # squashed files or those replaced
            files, records = squashed.files, squashed.records
            check_history(recorder, records, files, accept_changed, self.report)
            plan = plan_moves(files, records, number)
            squashed.refuse_undo([record.number for _, record in plan.undo])
            if not allow_out_of_order:
                check_order(plan.apply, records)
            undo_modules, do_modules = self._importable(plan)
            if fake and plan.apply:
                from .fake_check import check_fake

                check_fake(self.db, self.directory, plan.apply)
            if plan.undo or plan.apply:  # a no-op run sends no SET
                executor = executor or self._executor(recorder, steps)
                with executor.lock_timeouts():
                    self._run_plan(executor, plan, undo_modules, do_modules, fake)
        return [s for s in steps if s.action not in ("applying", "unapplying", "database")]

    def _executor(self, recorder: MigrationRecorder, steps: list[Step]) -> MigrationExecutor:
        from .executor import MigrationExecutor

        return MigrationExecutor(self.db, recorder, self._announcing(steps), self.lock_policy)

    def _run_plan(self, executor: MigrationExecutor, plan: MigrationPlan,
                  undo_modules: list[ModuleType], do_modules: list[ModuleType],
                  fake: bool) -> None:
        """Undo, then apply, what the plan holds (inside the run's lock timeout)."""
        from .executor import DOWNGRADE, UPGRADE

        for (file, _), module in zip(plan.undo, undo_modules, strict=True):
            assert file is not None  # _downgradable refused a missing file
            executor.run(file, None if fake else module, DOWNGRADE)
        for file, module in zip(plan.apply, do_modules, strict=True):
            try:
                executor.run(file, None if fake else module, UPGRADE)
            except MigrationError as exc:
                raise explain_clash(exc, self.db) from None

    def planned(self, target: str | int | None,
                records: dict[int, AppliedRecord]) -> MigrationPlan:
        """What ``migrate`` would do from ``records``, without the lock or any write (for
        ``--plan`` and ``--sql``): the same target, squash and import checks, so a file that
        ``migrate`` would refuse is refused before anything is printed."""
        files = self.files()
        number = target_number(target, files, records)
        squashed = resolve(files, records, number)
        plan = plan_moves(squashed.files, squashed.records, number)
        squashed.refuse_undo([record.number for _, record in plan.undo])
        self._importable(plan)
        return plan

    def _importable(self, plan: MigrationPlan) -> tuple[list[ModuleType], list[ModuleType]]:
        """Import every file the plan runs (never an applied one that stays): a syntax error,
        a missing ``downgrade`` or a file without this server's part stops everything."""
        undo = [self._downgradable(file, record) for file, record in plan.undo]
        return undo, [import_migration(f, self.db.provider) for f in plan.apply]

    def _announcing(self, steps: list[Step]) -> Callable[[Step], None]:
        """Report each step; before the first change, report which database it changes."""
        def report(step: Step) -> None:
            if not steps:
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
        from .executor import recovery

        broken = [r for r in records.values() if r.status != APPLIED]
        if not broken:
            return records
        record = min(broken, key=lambda r: r.number)
        recorder = executor.recorder
        if record.status not in KNOWN_STATUSES:
            raise TrackingTableError(
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
            raise PartiallyAppliedError(describe_broken(record),
                                        recovery(record, file, self.db.provider))
        return recorder.records()

    def _retry(self, executor: MigrationExecutor, record: AppliedRecord,
               file: MigrationFile | None) -> None:
        """``--retry``: resume where the migration stopped, or run it again from the start."""
        from .executor import DOWNGRADE, UPGRADE, resumability

        direction = DOWNGRADE if record.reverting else UPGRADE
        if file is not None and resumability(record, file, direction,
                                             self.db.provider) is None:
            module = (self._downgradable(file, record) if record.reverting
                      else import_migration(file, self.db.provider))
            executor.report(Step("resuming", f"{record.name} from statement "
                                             f"{record.progress + 1}"))
            from .progress import Resume  # resuming: a MariaDB migration stopped half-way

            executor.run(file, module, direction,
                         resume=Resume(record.progress, record.interrupted))
            return
        # Not resumable: the user put the database back by hand, so start over.
        if record.reverting:
            executor.recorder.set_status(record.version, APPLIED)
        else:
            executor.recorder.forget(record.version)
        executor.report(Step("retrying", record.name))

    def _downgradable(self, file: MigrationFile | None, record: AppliedRecord) -> ModuleType:
        """Import an applied migration that must be undone; it needs a file and downgrade()."""
        if file is None:
            raise MigrationError(
                f"cannot undo {record.name}: its file is missing from {display(self.directory)}"
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
        from .executor import DOWNGRADE, UPGRADE
        from .sqlcollect import collect_sql

        files = self.files()
        number = target_number(target, files, {})
        named = str(target).strip().removesuffix(".py") + ".py"
        file = next((f for f in files if f.name == named), None)
        if file is None and number:  # a number: its file, as the range number..number has it
            file = next(iter(range_files(files, number, number)), None)
        if file is None:
            raise MigrationError(f"no migration file numbered {target}")
        return collect_sql(self.db, file, DOWNGRADE if backwards else UPGRADE)

    def makemigrations(self, name: str | None = None, **options: Any) -> Path | None:
        """Write the next migration file from the entity changes (see ``api.makemigrations``)."""
        from .api import makemigrations

        return makemigrations(self.db, name, directory=self.directory, **options)


def explain_clash(error: MigrationError, db: Any) -> MigrationError:
    """Name the usual cause of "table already exists": tables made by create_tables=True."""
    if not db.created_tables or "already exists" not in str(error).lower():
        return error
    shown = ", ".join(db.created_tables[:3]) + (" ..." if len(db.created_tables) > 3 else "")
    return MigrationError(
        f"{error}. The tables ({shown}) were created when the module was imported, by "
        "generate_mapping(create_tables=True): with migrations, call generate_mapping() "
        "without create_tables, then drop those tables, or keep them and record the "
        "migrations that made them with 'migrate --fake'"
    )
