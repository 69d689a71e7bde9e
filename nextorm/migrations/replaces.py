"""Squashed migrations: a file with ``REPLACES = ["0002_x", ...]`` stands for those files.

``nextorm squash`` writes such a file, numbered like the last file it replaces (so it runs
where the range ran).  Which of them ``migrate`` runs depends on the database:

- none of the replaced migrations applied (a new database): the squashed file runs, and the
  replaced files are skipped;
- all of them applied: the squashed file counts as applied (its undo is refused: undo the
  old files, which must then be restored);
- some applied (the database stopped inside the range): the remaining old files run, so
  they must still exist; afterwards all are applied, as above;
- the squashed file itself applied: the replaced files are skipped.

The old files may be deleted once every database has applied the whole range or none of it.
``resolve`` turns files and tracking rows into the view the rest of the runner works with:
one file per number, and rows keyed as those files.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import MigrationError
from .recorder import APPLIED, AppliedRecord

if TYPE_CHECKING:
    from .loader import MigrationFile

_DECLARED = re.compile(rb"^REPLACES\s*=", re.MULTILINE)


def declares_replaces(data: bytes) -> bool:
    """Whether a file's bytes have a ``REPLACES =`` line (``discover`` notes it per file)."""
    return _DECLARED.search(data) is not None


def replaced_names(file: MigrationFile) -> tuple[str, ...]:
    """The stems a file's ``REPLACES`` lists (read, not imported); () for other files."""
    if not file.may_replace:
        return ()
    try:
        data = file.path.read_bytes()
    except OSError:
        return ()
    if not _DECLARED.search(data):
        return ()
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return ()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "REPLACES" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                break
            return tuple(str(v).removesuffix(".py") for v in value)
    raise MigrationError(f"{file.display_path}: REPLACES must be a list of migration names, "
                         'e.g. REPLACES = ["0002_add_email", "0003_backfill"]')


def stem(name: str) -> str:
    return name.removesuffix(".py")


def sharing_number(first: MigrationFile, second: MigrationFile) -> MigrationFile | None:
    """The squashed file of two files with one number, when one replaces the other."""
    for squash, other in ((first, second), (second, first)):
        if stem(other.name) in replaced_names(squash):
            return squash
    return None


@dataclass
class Resolved:
    """Files and rows as ``migrate`` works with them (see the module docstring)."""

    files: list[MigrationFile]
    records: dict[int, AppliedRecord]
    #: Squashed files counted as applied because every file they replace is.
    stand_ins: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def refuse_undo(self, numbers: list[int]) -> None:
        for number in numbers:
            if number in self.stand_ins:
                file = next(f for f in self.files if f.number == number)
                raise MigrationError(
                    f"cannot undo {file.name}: this database applied the files it replaces "
                    f"({', '.join(self.stand_ins[number])}); restore them from version "
                    "control to undo them one by one"
                )


def resolve(files: list[MigrationFile], records: dict[int, AppliedRecord]) -> Resolved:
    """Choose, for each squashed file, it or the files it replaces (module docstring)."""
    squashes = [(f, names) for f in files if (names := replaced_names(f))]
    if not squashes:
        return Resolved(files, records)
    files, records = list(files), dict(records)
    stand_ins: dict[int, tuple[str, ...]] = {}
    for squash, names in squashes:
        old = [f for f in files if stem(f.name) in names]
        own = records.get(squash.number)
        applied = {n: r for n, r in records.items() if stem(r.name) in names}
        if (own is not None and own.name == squash.name) or not applied:
            files = [f for f in files if f not in old]
        elif len(applied) == len(names) and len(old) < len(names):
            files = [f for f in files if f not in old]
            for number in applied:
                records.pop(number)
            stamp = max(r.applied_at for r in applied.values())
            records[squash.number] = AppliedRecord(squash.version, squash.name, stamp,
                                                   squash.checksum, APPLIED,
                                                   source_text="(stands for the replaced)")
            stand_ins[squash.number] = tuple(r.name for r in applied.values())
        else:
            _check_remaining(squash, names, old, applied)
            files = [f for f in files if f is not squash]
    return Resolved(files, records, stand_ins)


def _check_remaining(squash: MigrationFile, names: tuple[str, ...], old: list[MigrationFile],
                     applied: dict[int, AppliedRecord]) -> None:
    """Stopped inside the range: the old files not applied yet must be there to run."""
    done = {stem(r.name) for r in applied.values()}
    present = {stem(f.name) for f in old}
    gone = [n for n in names if n not in done and n not in present]
    if gone:
        raise MigrationError(
            f"the database stopped inside the range {squash.name} replaces (applied: "
            f"{', '.join(sorted(done))}), and {gone[0]}.py, which it still needs, is gone: "
            "restore the replaced files from version control and run migrate; delete them "
            "only once every database has applied the whole range"
        )
