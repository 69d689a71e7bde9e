"""The recorded history against the files: edited, missing, out of order, stopped half-way.

``migrate`` runs only over a history it can trust.  Before anything runs, the rows of
``_nextorm_migrations`` are compared with the files: an applied file whose *code* changed, or
that is gone, stops the run (``--accept-changed`` takes the directory as it is); a pending file
numbered below an applied one stops it (``--allow-out-of-order``); a row left half-way by
MariaDB is described with its recovery.  ``showmigrations`` uses the same rules for its marks.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import HistoryChangedError, OutOfOrderError
from .loader import MigrationFile
from .recorder import APPLIED, KNOWN_STATUSES, AppliedRecord, MigrationRecorder
from .steps import Step


def state_of(file: MigrationFile | None, record: AppliedRecord | None) -> str:
    """One migration's state, as ``MigrationStatus.state`` documents it."""
    if record is None:
        return "pending"
    if record.status != APPLIED:
        return record.status if record.status in KNOWN_STATUSES else "unknown"
    if file is None:
        return "missing"
    return "edited" if code_changed(file, record) else "applied"


def code_changed(file: MigrationFile, record: AppliedRecord) -> bool:
    """True if what ``file`` runs differs from what ran (formatting and comments aside).

    Equal bytes answer at once; only a file whose bytes changed is parsed, with the text
    that ran (kept in the tracking table).
    """
    if file.checksum == record.checksum:
        return False
    source_text = record.text()
    return not source_text or not file.same_code_as(source_text)


def check_history(recorder: MigrationRecorder, records: dict[int, AppliedRecord],
                  files: list[MigrationFile], accept_changed: bool,
                  report: Callable[[Step], None]) -> None:
    """Refuse to migrate over applied files whose code changed or that were deleted.

    The tracking rows are brought up to date on the way: a cosmetic edit stores the file's new
    checksum and text (the next run is cheap again), and a row written before the text was
    kept gets it the first time its file is read unchanged.
    """
    by_number = {f.number: f for f in files}
    edited: list[MigrationFile] = []
    for number, record in records.items():
        file = by_number.get(number)
        if file is None:
            continue
        if code_changed(file, record):
            edited.append(file)
        elif file.checksum != record.checksum or not record.has_source:
            recorder.set_source(record.version, file.checksum, file.source_text())
    missing = [r for n, r in records.items() if n not in by_number]
    if not edited and not missing:
        return
    if not accept_changed:
        raise HistoryChangedError([f.name for f in edited], [r.name for r in missing])
    with recorder.db.transaction():
        for file in edited:
            recorder.set_source(records[file.number].version, file.checksum, file.source_text())
        for record in missing:
            recorder.forget(record.version)
            records.pop(record.number)
    for file in edited:
        report(Step("accepted edit", file.name))
    for record in missing:
        report(Step("forgot deleted", record.name))


def check_order(forward: list[MigrationFile], records: dict[int, AppliedRecord]) -> None:
    """Refuse a pending migration numbered below an applied one (a merge gone wrong)."""
    if not records or not forward:
        return
    newest = records[max(records)]
    early = next((f for f in forward if f.number < newest.number), None)
    if early is not None:
        raise OutOfOrderError(early.name, newest.name)


def describe_broken(record: AppliedRecord) -> str:
    """Say what a half-done row holds: which migration, which direction, how far it got."""
    what = f"undoing {record.name}" if record.reverting else record.name
    if record.interrupted:
        return (f"{what} was interrupted (the process died) after {record.progress} "
                "statement(s) had been committed")
    return (f"{what} failed after {record.progress} statement(s) had been committed: "
            f"{record.error}")
