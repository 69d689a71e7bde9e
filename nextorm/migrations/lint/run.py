"""Lint migration files: collect each ``upgrade()``'s SQL, run the rules, apply the silences.

The SQL is collected as ``sqlmigrate`` collects it (never run), for the server the project
is bound to.  A file whose SQL cannot be collected (it asks the database for something the
stand-in cannot answer, or its statements depend on what it reads) is a finding (NX001),
never a crash.  The snapshot history gives the tables before and after each generated
migration (type narrowing, NOT NULL in a rebuild); the entities say what the app still maps;
the live database, when connected, says how big a table is.

``makemigrations`` lints every file it writes, in the process that has just built the
snapshot, so the lint costs only what that file needs: the caller passes the snapshot it
holds (no second parse of the JSON), the tables before a file share the unchanged tables'
objects with the tables after it (type narrowing compares only the tables the file
changes), and the garbage collector is paused (``gcpause.without_gc``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...errors import MigrationError, NextORMError, SQLError
from ...records import Record
from ..gcpause import without_gc
from ..loader import MigrationFile
from ..sqlcollect import collect, is_read
from .model import FileView, Finding
from .rules import BAD_SILENCE, CODES, NOT_COLLECTED, RULES
from .silence import read_silences
from .sql import Statement


class LintReport(Record):
    """What a run found: the findings, the notes (a skipped rule), how many were silenced."""

    __slots__ = ("files", "findings", "notes", "silenced")
    __hash__ = None  # type: ignore[assignment]  # (mutable, as the dataclass it was)

    def __init__(self, files: list[MigrationFile] | None = None,
                 findings: list[Finding] | None = None, notes: list[str] | None = None,
                 silenced: int = 0) -> None:
        self.files: list[MigrationFile] = [] if files is None else files
        self.findings: list[Finding] = [] if findings is None else findings
        self.notes: list[str] = [] if notes is None else notes
        self.silenced = silenced


@without_gc
def lint_files(db: Any, directory: str | Path, files: list[MigrationFile], *,
               connected: bool = True, threshold: int = 100_000,
               entities: bool = True, entities_from: Any = None,
               snapshot: dict[str, Any] | None = None) -> LintReport:
    """Lint ``files`` (of ``directory``) for ``db``'s server; see the module docstring.

    ``entities_from``: the Database whose entities say what the app maps, when ``db`` is a
    stand-in for a server (``lint --dialect``); default ``db`` itself.  ``snapshot``: the
    snapshot dict the caller holds, as written with the newest file (``makemigrations``:
    ``PlannedMigration.snapshot``); default: read ``directory``'s snapshot file.
    """
    report = LintReport(files=list(files))
    history = History(directory, report.notes, snapshot)
    mapped = _entity_tables(entities_from or db, report.notes) if entities else None
    sizes = TableSizes(db, threshold) if connected else None
    if sizes is not None and not sizes.available:
        sizes = None
    for file in files:
        view = _view(db, file, report)
        if view is None:
            continue
        view.before, view.after = history.around(file)
        view.entities, view.threshold = mapped, threshold
        view.rows = sizes.rows if sizes is not None else (lambda table: None)
        hits = [Finding(rule.code, file, message, stmt)
                for rule in RULES for stmt, message in rule.check(view)]
        report.notes.extend(dict.fromkeys(view.notes))
        _apply_silences(file, hits, report, db.provider)
    report.findings.sort(key=lambda f: (f.file.number, f.line or (
        f.statement.line if f.statement else 0) or 0, f.code))
    return report


def _view(db: Any, file: MigrationFile, report: LintReport) -> FileView | None:
    try:
        collected = collect(db, file, "upgrade")
    except NextORMError as exc:
        report.findings.append(Finding(NOT_COLLECTED, file, f"cannot be linted: {exc}"))
        return None
    writes = [(sql, line) for (sql, _), line in zip(collected.calls, collected.lines,
                                                     strict=True) if not is_read(sql)]
    if collected.queried:
        from ..multiserver import part_name
        from ..resume import why_not_resumable

        reason = why_not_resumable(file.path, part_name(file.path, "upgrade", db.provider))
        if reason is not None:
            report.findings.append(Finding(
                NOT_COLLECTED, file, f"reads the database and {reason}: what it runs depends "
                "on the data, so it was linted as for empty tables"))
    statements = [Statement(i, sql, line) for i, (sql, line) in enumerate(writes, 1)]
    return FileView(file, statements, db.dialect)


def _apply_silences(file: MigrationFile, hits: list[Finding], report: LintReport,
                    server: str | None) -> None:
    try:
        silences = read_silences(file.path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        silences = []
    for silence in silences:
        unknown = [c for c in silence.codes if c not in CODES]
        if not silence.codes or unknown or not silence.reason:
            problem = (f"names unknown code {unknown[0]}" if unknown
                       else "names no code" if not silence.codes else "gives no reason")
            report.findings.append(Finding(
                BAD_SILENCE, file, f"silence {problem}: write '# nextorm-lint: ignore "
                "NX1.. -- why this is safe here'", line=silence.line))
    for hit in hits:
        line = hit.statement.line if hit.statement else None
        if any(s.covers(hit.code, line, server) for s in silences):
            report.silenced += 1
        else:
            report.findings.append(hit)


def _entity_tables(db: Any, notes: list[str]) -> dict[str, Any] | None:
    """The tables the current entities map (what the running app reads and writes)."""
    reader = getattr(db, "schema_dict", None) or getattr(db, "schema", None)
    if not callable(reader):
        notes.append("NX105 skipped: the entities were not read")
        return None
    try:
        return dict(reader()["tables"])
    except NextORMError as exc:
        notes.append(f"NX105 skipped: the entities cannot be read: {exc}")
        return None


class History:
    """The tables before and after each generated migration, from the snapshot history."""

    def __init__(self, directory: str | Path, notes: list[str],
                 snapshot: dict[str, Any] | None = None) -> None:
        from ..snapshot import SnapshotState, load_state

        self.state: Any = None
        self.names: list[str] = []
        try:
            self.state = load_state(directory) if snapshot is None else SnapshotState(
                {"format": snapshot.get("format"), "tables": snapshot["tables"]},
                snapshot.get("migration"), list(snapshot.get("history", [])))
            self.names = [entry["migration"] for entry in self.state.history]
        except NextORMError as exc:
            notes.append(f"the snapshot cannot be read ({exc}): NX104 and NX108 read the "
                         "SQL only")

    def around(self, file: MigrationFile) -> tuple[dict[str, Any] | None,
                                                  dict[str, Any] | None]:
        if self.state is None:
            return None, None
        if file.name in self.names:
            after = self.state.schema_after(file.name)["tables"]
            entry = self.state.history[self.names.index(file.name)]
            before = dict(after)  # unchanged tables: the same objects (rules only read them)
            for name, definition in entry["before"].items():
                if definition is None:
                    before.pop(name, None)
                else:
                    before[name] = definition
            return before, after
        earlier = [n for n in self.names if _number(n) < file.number]
        if earlier:
            return self.state.schema_after(earlier[-1])["tables"], None
        return None, None


def _number(name: str) -> int:
    digits = name.split("_", 1)[0]
    return int(digits) if digits.isdigit() else -1


class TableSizes:
    """Live row counts, capped just above the threshold (a count never scans a huge table)."""

    def __init__(self, db: Any, threshold: int) -> None:
        self.db, self.threshold = db, threshold
        filename = getattr(db, "sqlite_filename", None)
        self.available = hasattr(db, "_execute") and (filename is None
                                                       or Path(filename).is_file())
        self.cache: dict[str, int | None] = {}

    def rows(self, table: str) -> int | None:
        if table not in self.cache:
            quoted = self.db.dialect.quote(table)
            try:
                found = self.db._execute(
                    f"SELECT COUNT(*) FROM (SELECT 1 FROM {quoted} LIMIT "
                    f"{self.threshold + 1}) capped")
                self.cache[table] = int(found[0][0])
            except (SQLError, MigrationError):
                self.cache[table] = 0  # not created yet: empty when this migration runs
        return self.cache[table]
