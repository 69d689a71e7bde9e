"""Connections as a thread uses them, and the pool that ``bind(..., pool_max=N)`` turns on.

With ``pool_max=1`` (the default) a ``Database`` keeps one connection for every thread and
serialises them with a lock (``TurnLock``, waiting ``pool_timeout`` at most, as the pool does).  With ``pool_max > 1`` each thread
checks a connection out for one statement, or for the whole of a transaction, and gives it
back afterwards, so threads run their statements and sessions side by side.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from .errors import NextORMError, PoolTimeoutError


class Link:
    """One thread's use of a connection: the DB-API connection, its reused cursor, and how
    many ``transaction()`` blocks are open on it."""

    __slots__ = ("conn", "cursor", "depth")

    def __init__(self) -> None:
        self.conn: Any = None
        self.cursor: Any = None
        self.depth = 0


class TurnLock:
    """The lock threads take turns on when one connection serves them all (``pool_max=1``).

    A transaction keeps it until it ends, so another thread's ``db_session`` waits for the
    first to finish; like a pool's ``acquire`` it waits ``timeout`` seconds at most (None:
    as long as it takes), then raises ``PoolTimeoutError`` naming the database (``name()``,
    asked only then).  Re-entrant: a thread's nested blocks never wait on themselves.
    """

    __slots__ = ("_lock", "timeout", "name")

    def __init__(self, timeout: float | None = 30.0,
                 name: Callable[[], str] = lambda: "the database") -> None:
        self._lock = threading.RLock()
        self.timeout, self.name = timeout, name

    def __enter__(self) -> None:
        lock = self._lock
        if lock.acquire(False):  # free, or this thread's: no clock to read
            return
        if not lock.acquire(timeout=-1 if self.timeout is None else self.timeout):
            raise PoolTimeoutError(
                f"{self.name()}: another thread held its one connection for {self.timeout:g} "
                f"s (a db_session or transaction open; pool_max=1): end sessions sooner, or "
                f"raise pool_timeout or pool_max")

    def __exit__(self, *_: object) -> None:
        self._lock.release()


class ConnectionPool:
    """Thread-safe pool of DB-API connections made by ``factory``.

    ``min_size`` connections are opened at once; up to ``max_size`` exist at a time; when all
    are checked out, ``acquire`` waits ``timeout`` seconds, then raises ``PoolTimeoutError``.
    """

    def __init__(self, factory: Callable[[], Any], *, min_size: int = 1, max_size: int = 5,
                 timeout: float = 30.0) -> None:
        if max_size < 1 or min_size < 0 or min_size > max_size:
            raise NextORMError(f"pool sizes must satisfy 0 <= pool_min <= pool_max and "
                               f"pool_max >= 1, got pool_min={min_size}, pool_max={max_size}")
        self.factory, self.min_size, self.max_size, self.timeout = (
            factory, min_size, max_size, timeout)
        self._idle: list[Any] = []
        self._size = 0
        self._ready = threading.Condition(threading.Lock())
        for _ in range(min_size):
            self._idle.append(factory())
            self._size += 1

    @property
    def pool_size(self) -> int:
        """Connections that exist (idle and checked out)."""
        return self._size

    @property
    def idle_count(self) -> int:
        """Connections waiting in the pool."""
        return len(self._idle)

    def acquire(self) -> Any:
        """Check a connection out: an idle one, a new one below ``max_size``, else wait."""
        deadline = time.monotonic() + self.timeout
        with self._ready:
            while not self._idle and self._size >= self.max_size:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise PoolTimeoutError(
                        f"all {self.max_size} pooled connections stayed in use for "
                        f"{self.timeout:g} s: raise pool_max or pool_timeout, or end sessions "
                        f"sooner")
                self._ready.wait(left)
            if self._idle:
                return self._idle.pop()
            self._size += 1
        try:
            return self.factory()
        except BaseException:
            self.discard(None)
            raise

    def release(self, conn: Any) -> None:
        """Give a checked-out connection back."""
        with self._ready:
            self._idle.append(conn)
            self._ready.notify()

    def discard(self, conn: Any) -> None:
        """Forget a checked-out connection (closed, or never opened): make room for another."""
        if conn is not None:
            _close_quietly(conn)
        with self._ready:
            self._size -= 1
            self._ready.notify()

    def close_all(self) -> None:
        """Close the idle connections; the pool stays usable (new ones open on demand)."""
        with self._ready:
            idle, self._idle = self._idle, []
            self._size -= len(idle)
        for conn in idle:
            _close_quietly(conn)


def _close_quietly(conn: Any) -> None:
    try:
        conn.close()
    except Exception:  # noqa: BLE001 - a dead connection cannot be closed twice; nothing lost
        pass
