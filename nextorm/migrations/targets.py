"""Targets and ranges where a squashed file and the files it replaces both exist.

``migrate TARGET`` (with ``--plan`` and ``--sql``), ``sqlmigrate VERSION`` / ``FROM..TO`` and
``--from`` all name points of the history; around a squash (``replaces.py``) each point must
mean the same thing to every command:

- a target inside the range is reached through the old files (``resolve`` with the
  target), or refused with one line when they are gone;
- a range holds the squashed file when it holds every file it replaces, otherwise the old
  files of the range (a range that starts at the squash's own number, whose old file is
  gone, is the squashed file, as ``sqlmigrate 4`` is);
- ``--from 3`` stands for a database that applied ``0001`` to ``0003``, old files included,
  so what follows is what ``migrate`` would say to such a database.
"""

from __future__ import annotations

from ..errors import UnknownTargetError
from .loader import MigrationFile
from .plan import parse_target
from .recorder import AppliedRecord
from .replaces import inside, number_of, refuse_inside, squashes_of, stem


def target_number(target: str | int | None, files: list[MigrationFile],
                  records: dict[int, AppliedRecord]) -> int | None:
    """``parse_target``, also knowing the files a squash replaces whose files are gone (so
    the refusal names the squash rather than "no migration numbered 3")."""
    try:
        return parse_target(target, files, records)
    except UnknownTargetError:
        text = str(target).strip().removesuffix(".py")
        digits = text.split("_", 1)[0]
        for _, names in squashes_of(files):
            for name in names:
                if digits.isdigit() and number_of(name) == int(digits) and text in (digits, name):
                    return int(digits)
        raise


def range_files(files: list[MigrationFile], first: int, last: int) -> list[MigrationFile]:
    """The files of ``FROM..TO`` (both numbers included), as the module docstring chooses."""
    chosen = list(files)
    for squash, names in squashes_of(files):
        old = [f for f in files if stem(f.name) in names]
        stop = inside(squash, names, last) or inside(squash, names, first - 1)
        if stop is None:  # the whole range, or none of it: the squashed file stands for it
            chosen = [f for f in chosen if f not in old]
            continue
        present = {stem(f.name) for f in old}
        gone = [n for n in names if n not in present]
        if not any(first <= (number_of(n) or 0) <= last for n in gone):
            chosen = [f for f in chosen if f is not squash]
        elif first == squash.number:
            chosen = [f for f in chosen if f not in old]
        else:
            raise refuse_inside(squash, names, stop, gone, files)
    return [f for f in chosen if first <= f.number <= last]


def assumed_records(files: list[MigrationFile], upto: int) -> dict[int, AppliedRecord]:
    """``--from UPTO``: the rows of a database that applied every migration up to ``upto``;
    inside a squashed range those are the old files', present or not (``resolve`` then
    refuses to go on without the ones still needed, as for a real database)."""
    records = {f.number: AppliedRecord(f.version, f.name, "", f.checksum)
               for f in files if f.number <= upto}
    for squash, names in squashes_of(files):
        if inside(squash, names, upto) is None:
            continue
        for name in names:
            number = number_of(name)
            if number is not None and number <= upto and number not in records:
                records[number] = AppliedRecord(name.split("_", 1)[0], f"{name}.py", "", "")
    return records
