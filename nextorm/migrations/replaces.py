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

A target inside the range (``migrate 3`` with ``0004_squashed_0002_0004.py``) on a database
that has not started the range runs the old files up to it, which must all be there (the
database is then stopped inside the range, as above); on a database that applied the
squashed file it is refused, since that file cannot be undone in part.

The old files may be deleted once every database has applied the whole range or none of it.
``resolve`` turns files and tracking rows into the view the rest of the runner works with:
one file per number, and rows keyed as those files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import MigrationError
from ..records import Record
from .recorder import APPLIED, AppliedRecord

if TYPE_CHECKING:
    from .loader import MigrationFile

#: A ``REPLACES =`` line (compiled when a file names ``REPLACES`` at all).
_DECLARED = rb"^REPLACES\s*="


def declares_replaces(data: bytes) -> bool:
    """Whether a file's bytes have a ``REPLACES =`` line (``discover`` notes it per file)."""
    import re

    return b"REPLACES" in data and re.search(_DECLARED, data, re.MULTILINE) is not None


def replaced_names(file: MigrationFile) -> tuple[str, ...]:
    """The stems a file's ``REPLACES`` lists (read, not imported); () for other files."""
    if not file.may_replace:
        return ()
    try:
        data = file.path.read_bytes()
    except OSError:
        return ()
    if not declares_replaces(data):
        return ()
    import ast

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


class Resolved(Record):
    """Files and rows as ``migrate`` works with them (see the module docstring)."""

    __slots__ = ("files", "records", "stand_ins")

    def __init__(self, files: list[MigrationFile], records: dict[int, AppliedRecord],
                 stand_ins: dict[int, tuple[str, ...]] | None = None) -> None:
        self.files = files
        self.records = records
        #: Squashed files counted as applied because every file they replace is.
        self.stand_ins: dict[int, tuple[str, ...]] = {} if stand_ins is None else stand_ins

    def refuse_undo(self, numbers: list[int]) -> None:
        for number in numbers:
            if number in self.stand_ins:
                file = next(f for f in self.files if f.number == number)
                raise MigrationError(
                    f"cannot undo {file.name}: this database applied the files it replaces "
                    f"({', '.join(self.stand_ins[number])}); restore them from version "
                    "control to undo them one by one"
                )


def squashes_of(files: list[MigrationFile]) -> list[tuple[MigrationFile, tuple[str, ...]]]:
    """Each squashed file among ``files`` with the stems it replaces."""
    return [(f, names) for f in files if (names := replaced_names(f))]


def number_of(name: str) -> int | None:
    """The number a migration stem starts with (``0003_data`` -> 3)."""
    digits = name.split("_", 1)[0]
    return int(digits) if digits.isdigit() else None


def inside(squash: MigrationFile, names: tuple[str, ...], number: int | None) -> str | None:
    """The replaced stem numbered ``number`` when a database stopped there would be inside
    the range (past its first file, before its last), else None."""
    if number is None or not _low(names, squash) <= number < squash.number:
        return None
    return next((n for n in names if number_of(n) == number), f"{number:04d}")


def _low(names: tuple[str, ...], squash: MigrationFile) -> int:
    """The number of the first file the squash replaces."""
    return min((v for n in names if (v := number_of(n)) is not None), default=squash.number)


def refuse_inside(squash: MigrationFile, names: tuple[str, ...], stop: str,
                  gone: list[str], files: list[MigrationFile]) -> MigrationError:
    """A target (or range end) inside the range, whose replaced files are ``gone``."""
    return MigrationError(
        f"cannot stop at {stop}: it is inside the range {squash.name} replaces, and "
        f"{', '.join(n + '.py' for n in gone)} {'is' if len(gone) == 1 else 'are'} gone (a "
        "database stops inside the range only through the replaced files); target "
        f"{_before(files, names, squash)} (before the range) or {squash.version} "
        "(the squashed file) instead, or restore them from version control")


def _before(files: list[MigrationFile], names: tuple[str, ...], squash: MigrationFile) -> str:
    """The version a database stops at just before the range (``zero`` for none)."""
    low = _low(names, squash)
    before = max((f for f in files if f.number < low), key=lambda f: f.number, default=None)
    return before.version if before else "zero"


def resolve(files: list[MigrationFile], records: dict[int, AppliedRecord],
            target: int | None = None) -> Resolved:
    """Choose, for each squashed file, it or the files it replaces (module docstring);
    ``target``: the number ``migrate`` moves to (None: the newest)."""
    squashes = squashes_of(files)
    if not squashes:
        return Resolved(files, records)
    every = files
    files, records = list(files), dict(records)
    stand_ins: dict[int, tuple[str, ...]] = {}
    for squash, names in squashes:
        old = [f for f in files if stem(f.name) in names]
        own = records.get(squash.number)
        applied = {n: r for n, r in records.items() if stem(r.name) in names}
        stop = inside(squash, names, target)
        if own is not None and own.name == squash.name and stop:
            raise MigrationError(
                f"cannot stop at {stop}: this database applied {squash.name} as one "
                f"migration, which replaces {', '.join(names)}; target "
                f"{_before(every, names, squash)} (undo it whole) or {squash.version} instead")
        if stop and not applied:  # a new database stops inside: through the old files
            gone = [n for n in names if n not in {stem(f.name) for f in old}]
            if gone:
                raise refuse_inside(squash, names, stop, gone, every)
            files = [f for f in files if f is not squash]
        elif (own is not None and own.name == squash.name) or not applied:
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
