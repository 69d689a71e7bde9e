"""Take over a project whose history nextorm 0.5.1 wrote: its tracking table and snapshot.

0.5.1 records ``_nextorm_migrations(version TEXT PRIMARY KEY, applied_at TEXT)`` with the
file's stem as version (``0001_initial``) and keeps ``.schema_snapshot.json`` without types.
Both are converted once, by the first ``migrate`` or by ``adopt-0.5.1``:

- the table is upgraded in place (``MigrationRecorder.adopt_legacy``): each row keeps its
  time and becomes this NextORM's row for the same file, with the checksum and text of the
  file as it is now, so the files 0.5.1 applied count as applied and are never run again;
- the snapshot is converted (``snapshot051.py``) from the entities and the live database, so
  the next ``makemigrations`` writes only what changed since 0.5.1's last one.

Until then, ``showmigrations`` reads 0.5.1's rows as they will be adopted (writing nothing),
and ``makemigrations`` refuses the old snapshot with a line naming this command.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MigrationError, NextORMError, TrackingTableError
from .checksum import file_checksum
from .loader import SNAPSHOT_NAME
from .lock import migrate_lock
from .recorder import TABLE, AppliedRecord, LegacyHistory, MigrationRecorder, now_iso
from .steps import Step

_STEM = re.compile(r"^([0-9]+)_\w+$")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


@dataclass(frozen=True)
class Adoption:
    """What ``adopt_051`` did: rows kept from 0.5.1's table, and whether the snapshot changed."""

    rows: int | None  # None: the tracking table was not 0.5.1's
    snapshot: bool
    notes: tuple[str, ...] = ()

    @property
    def done(self) -> bool:
        return self.rows is not None or self.snapshot

    def summary(self) -> str:
        """What was adopted, after the word "Adopted" (``migrate``'s notice, the CLI's line)."""
        parts = []
        if self.rows is not None:
            parts.append(f"{TABLE} upgraded ({self.rows} applied migration(s) kept)")
        if self.snapshot:
            parts.append(f"{SNAPSHOT_NAME} converted")
        return "nextorm 0.5.1's history: " + ", ".join(parts + list(self.notes))

    def describe(self) -> str:
        """The line ``adopt-0.5.1`` prints."""
        if not self.done:
            return "Nothing to adopt: no nextorm 0.5.1 tracking table or snapshot"
        return f"Adopted {self.summary()}"


def adopt_051(db: Any, directory: str | os.PathLike[str] = "migrations/") -> Adoption:
    """Adopt 0.5.1's tracking table and snapshot now (both optional, each done once)."""
    with migrate_lock(db):
        rows = ensure_table(MigrationRecorder(db), directory)
    converted = convert_snapshot(db, directory)
    return Adoption(rows, converted)


def ensure_table(recorder: MigrationRecorder, directory: str | os.PathLike[str],
                 report: Callable[[Step], None] | None = None) -> int | None:
    """Create the tracking table, or adopt 0.5.1's (return its row count); call locked.

    ``migrate`` calls this: with ``report``, an adopted table also converts a 0.5.1 snapshot
    and reports one ``adopted`` step (the notice).
    """
    try:
        recorder.ensure_table()
        return None
    except LegacyHistory as legacy:
        rows = legacy.rows
    records = adopted_records(rows, Path(directory))
    recorder.adopt_legacy(records, [stem for stem, _ in rows])
    recorder.ensure_table()
    if report is not None:
        notes: tuple[str, ...] = ()
        try:
            converted = convert_snapshot(recorder.db, directory)
        except MigrationError as exc:  # a snapshot that cannot be written: the table stands
            converted, notes = False, (f"the snapshot is not converted: {exc}",)
        report(Step("adopted", Adoption(len(rows), converted, notes).summary()))
    return len(rows)


def read_records(db: Any, directory: str | os.PathLike[str]) -> dict[int, AppliedRecord]:
    """The tracking rows; 0.5.1's read as they will be adopted, writing nothing."""
    try:
        return MigrationRecorder(db).records()
    except LegacyHistory as legacy:
        return {r.number: r for r in adopted_records(legacy.rows, Path(directory))}


def adopted_records(rows: list[tuple[str, str]], directory: Path) -> list[AppliedRecord]:
    """This NextORM's rows for 0.5.1's ``(stem, applied_at)``, with the files' checksums."""
    records = []
    for stem, applied_at in rows:
        match = _STEM.match(stem)
        if match is None:
            raise TrackingTableError(
                f"row {stem!r} of nextorm 0.5.1's {TABLE} names no migration file "
                "(NNNN_name): fix or delete the row, then run migrate again"
            )
        path = directory / f"{stem}.py"
        try:
            data: bytes | None = path.read_bytes()
        except OSError:
            data = None  # shown as "file missing", as for any deleted applied file
        when = applied_at[:19] if _TIME.match(applied_at) else now_iso()
        records.append(AppliedRecord(
            match.group(1), path.name, when, file_checksum(data) if data is not None else "",
            source_text=data.decode("utf-8", errors="replace") if data is not None else None))
    return records


def convert_snapshot(db: Any, directory: str | os.PathLike[str]) -> bool:
    """Rewrite a 0.5.1 snapshot in this NextORM's format; False if there is none to convert."""
    import json

    from . import snapshot  # the snapshot and its 0.5.1 form: only an adoption reads them
    from .snapshot051 import convert, is_051

    path = snapshot.snapshot_path(directory)
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False  # missing or unreadable: the usual errors come from makemigrations
    if not is_051(old):
        return False
    if not db.is_mapped:  # migrate does not need the mapping; the conversion does
        try:
            db.generate_mapping()
        except NextORMError as exc:
            raise MigrationError(f"cannot map the entities: {exc}") from None
    from ..schema.introspect import introspect

    data = convert(old, db.schema_dict()["tables"], introspect(db)["tables"])
    files = sorted(p.name for p in Path(directory).glob("*.py") if _STEM.match(p.stem))
    data["migration"] = max(files, key=lambda n: int(n.split("_", 1)[0]), default=None)
    data["history"] = []
    snapshot.write(directory, data)
    return True
