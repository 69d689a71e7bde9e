"""SQL debugging: print, capture and time the statements a ``Database`` sends.

``Database`` reports every statement it runs here, after running it; this module decides what
to do with it.  The hot path pays one attribute test when nothing watches: ``WATCH.on`` is
False unless ``set_sql_debug(True)`` or a ``capture_sql()`` block is active, and only then is
``report`` called.  Per-statement timings are always kept (``QueryStat``) per database in
``db.local_stats``; ``db.merge_local_stats()`` (and ``db.close()``) adds them to
``global_stats``, the figures of every database of the process::

    set_sql_debug(True, show_values=True)   # print each statement (and its values)
    with sql_debugging():                   # ... only inside the block
        ...
    with capture_sql() as queries:          # collect CapturedQuery(sql, params) objects
        ...
    assert len(queries) == 2
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any

from .records import Record

__all__ = ["CapturedQuery", "QueryStat", "capture_sql", "clear_global_stats", "global_stats",
           "set_sql_debug", "sql_debugging"]


class QueryStat:
    """How often one SQL text ran and how long it took (seconds)."""

    __slots__ = ("count", "max_time", "min_time", "sum_time")

    def __init__(self, count: int = 0, sum_time: float = 0.0, min_time: float = float("inf"),
                 max_time: float = 0.0) -> None:
        self.count, self.sum_time, self.min_time, self.max_time = (
            count, sum_time, min_time, max_time)

    def add(self, seconds: float) -> None:
        """Count one run that took ``seconds``."""
        self.count += 1
        self.sum_time += seconds
        if seconds < self.min_time:
            self.min_time = seconds
        if seconds > self.max_time:
            self.max_time = seconds

    @property
    def avg_time(self) -> float:
        """Mean seconds per run (0.0 before the first run)."""
        return self.sum_time / self.count if self.count else 0.0

    def copy(self) -> QueryStat:
        return QueryStat(self.count, self.sum_time, self.min_time, self.max_time)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QueryStat):
            return NotImplemented
        return (self.count, self.sum_time, self.min_time, self.max_time) == (
            other.count, other.sum_time, other.min_time, other.max_time)

    def __repr__(self) -> str:
        return (f"QueryStat(count={self.count}, sum_time={self.sum_time!r}, "
                f"min_time={self.min_time!r}, max_time={self.max_time!r})")


#: ``{sql: QueryStat}`` merged from the databases (``db.merge_local_stats()``, ``db.close()``).
global_stats: dict[str, QueryStat] = {}


def merge_stats(stats: dict[str, QueryStat]) -> None:
    """Add a database's statistics to ``global_stats``."""
    for sql, stat in stats.items():
        shared = global_stats.get(sql)
        if shared is None:
            global_stats[sql] = stat.copy()
        else:
            shared.count += stat.count
            shared.sum_time += stat.sum_time
            shared.min_time = min(shared.min_time, stat.min_time)
            shared.max_time = max(shared.max_time, stat.max_time)


def clear_global_stats() -> None:
    """Forget the statistics of every statement run so far (``db.local_stats`` stays)."""
    global_stats.clear()


class CapturedQuery(Record):
    """One statement seen by ``capture_sql``: its SQL (with ``?`` placeholders) and values.

    A slotted ``Record`` with a dataclass's constructor, equality and repr (see
    ``nextorm.records``); not hashable, as its ``params`` list may change.
    """

    __slots__ = ("sql", "params")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, sql: str, params: list[Any] | None = None) -> None:
        self.sql = sql
        self.params: list[Any] = [] if params is None else params


class _Watch:
    """What watches the statements: printing, and the capture lists of each thread."""

    def __init__(self) -> None:
        self.debug = False
        self.show_values = False
        self.captures = 0  # open capture_sql blocks, all threads
        self.on = False    # debug or any capture: the one flag the hot path reads
        self.local = threading.local()
        self.lock = threading.Lock()

    def update(self) -> None:
        self.on = self.debug or self.captures > 0

    def stack(self) -> list[list[CapturedQuery]]:
        stack: list[list[CapturedQuery]] | None = getattr(self.local, "stack", None)
        if stack is None:
            stack = self.local.stack = []
        return stack


WATCH = _Watch()


def report(sql: str, params: Sequence[Any] | None) -> None:
    """Called by ``Database`` for each statement while ``WATCH.on``: print it, capture it."""
    values = list(params) if params else []
    if WATCH.debug:
        out = sys.stdout
        out.write(f">>> {sql}\n")
        if WATCH.show_values and values:
            out.write(f"    params: {values!r}\n")
    stack = getattr(WATCH.local, "stack", None)
    if stack:
        stack[-1].append(CapturedQuery(sql, values))


def set_sql_debug(debug: bool = True, show_values: bool | None = None) -> None:
    """Print every statement to stdout from now on (``False`` stops); ``show_values=True``
    also prints the parameter values (off by default: they may hold personal data)."""
    WATCH.debug = bool(debug)
    if show_values is not None:
        WATCH.show_values = bool(show_values)
    WATCH.update()


class sql_debugging:  # noqa: N801 - nextorm 0.5.1's name, used like a function
    """``with sql_debugging():`` prints the statements of the block, then restores the state
    before it (also after an exception)."""

    def __init__(self, debug: bool = True, show_values: bool | None = None) -> None:
        self._wanted = (debug, show_values)
        self._saved: tuple[bool, bool] = (False, False)

    def __enter__(self) -> sql_debugging:
        self._saved = (WATCH.debug, WATCH.show_values)
        set_sql_debug(*self._wanted)
        return self

    def __exit__(self, *_: object) -> None:
        set_sql_debug(*self._saved)


class capture_sql:  # noqa: N801 - nextorm 0.5.1's name, used like a function
    """``with capture_sql() as queries:`` collects the statements this thread runs in the
    block as ``CapturedQuery`` objects; a nested block captures into its own list only."""

    def __init__(self) -> None:
        self.queries: list[CapturedQuery] = []

    def __enter__(self) -> list[CapturedQuery]:
        WATCH.stack().append(self.queries)
        with WATCH.lock:
            WATCH.captures += 1
            WATCH.update()
        return self.queries

    def __exit__(self, *_: object) -> None:
        stack = WATCH.stack()
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] is self.queries:  # by identity: two empty lists are equal
                del stack[i]
                break
        with WATCH.lock:
            WATCH.captures -= 1
            WATCH.update()
