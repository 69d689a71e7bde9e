"""``Step``: one thing ``migrate`` reports, apart from the executor that runs migrations.

``migrate`` with nothing to do reports nothing and never imports the executor; the history
check (an accepted edit), adoption and the runner report steps too, so the record lives here.
"""

from __future__ import annotations

from ..records import Record

__all__ = ["Step"]


class Step(Record):
    """One thing ``migrate`` reports: a migration starting, finished, faked, resumed...

    ``action`` is ``applying``/``unapplying`` (started), ``applied``/``unapplied``/``faked``/
    ``faked undo`` (finished), ``resuming``, ``retrying``, ``accepted edit``,
    ``forgot deleted`` or ``database`` (``name`` then describes the database).

    A plain class with ``__slots__`` (two per applied migration); constructor, equality,
    hash and repr are a frozen dataclass's.
    """

    __slots__ = ("action", "name", "seconds")

    def __init__(self, action: str, name: str, seconds: float = 0.0) -> None:
        self.action = action
        self.name = name
        self.seconds = seconds
