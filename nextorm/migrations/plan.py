"""Which migrations ``migrate`` runs, and in which direction, to reach a target.

A target is ``zero``, a number (``2``, ``0002``) or a file name (``0002_add_email.py``).
Moving forward applies every pending file up to the target in ascending order; moving back
undoes every applied migration above it, newest first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import UnknownTargetError
from ..records import Record

if TYPE_CHECKING:
    from .loader import MigrationFile
    from .recorder import AppliedRecord


class MigrationPlan(Record):
    """The migrations to undo (newest first) and then to apply (oldest first).

    A plain class (a dataclass costs its creation at every start); constructor, equality and
    repr are a frozen dataclass's.
    """

    __slots__ = ("undo", "apply")

    def __init__(self, undo: list[tuple[MigrationFile | None, AppliedRecord]],
                 apply: list[MigrationFile]) -> None:
        self.undo = undo
        self.apply = apply


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
        raise UnknownTargetError(
            f"migration target {text!r} is not a number, a file name or 'zero'"
        )
    number = int(digits)
    if number not in {f.number for f in files} and number not in records:
        raise UnknownTargetError(f"no migration numbered {digits} (target {text!r})")
    if digits != text:  # a file name: it must be this number's file, not a stale one
        names = {f.name for f in files if f.number == number}
        names |= {r.name for n, r in records.items() if n == number}
        if text not in names and text.removesuffix(".py") + ".py" not in names:
            raise UnknownTargetError(
                f"no migration file {text!r}: number {digits} is {', '.join(sorted(names))}"
            )
    return number


def plan_moves(files: list[MigrationFile], records: dict[int, AppliedRecord],
               target: int | None) -> MigrationPlan:
    """Plan the way from the recorded history to ``target`` (None: the newest file)."""
    by_number = {f.number: f for f in files}
    backward = sorted((r for n, r in records.items() if target is not None and n > target),
                      key=lambda r: -r.number)
    forward = [f for f in files if f.number not in records
               and (target is None or f.number <= target)]
    return MigrationPlan([(by_number.get(r.number), r) for r in backward], forward)
