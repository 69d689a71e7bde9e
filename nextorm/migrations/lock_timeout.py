"""Lock timeouts: a migration's DDL never queues the whole app behind a long transaction.

An ``ALTER TABLE`` waits for every transaction that touched the table to end, and while it
waits, every later query of that table waits behind it (PostgreSQL's lock queue, MariaDB's
metadata lock): one forgotten ``idle in transaction`` session turns a 10 ms DDL into an
outage.  So every statement a migration runs on PostgreSQL and MariaDB runs with a lock
timeout (``SET lock_timeout`` / ``SET SESSION lock_wait_timeout``, from the dialect): the
statement gives up after ``timeout`` seconds, the app's queries go on, and the statement is
tried again after a pause (0.5 s, doubling, at most 10 s), ``retries`` times.  Then the
migration fails with one line naming the session that held the lock, when the server can tell.

Where a timeout aborts more than the statement (PostgreSQL aborts the whole transaction of
an atomic migration), the caller retries the whole attempt: see ``MigrationExecutor``.

**Default 5 s, 5 retries.** The app's own transactions last milliseconds, so a healthy app
never makes a statement wait 5 s, while a stall of at most 5 s per attempt stays below the
timeouts of web requests and load-balancer health checks (typically 30 s): the worst case is
a few slow requests, not failed ones.  ``lock-timeout = 0`` switches the timeout off.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from ..errors import MigrationError, SQLError
from ..records import Record

#: Seconds a migration's statement waits for a lock before it gives up (see the docstring).
DEFAULT_LOCK_TIMEOUT = 5.0
#: How many times a statement that timed out is tried again.
DEFAULT_LOCK_RETRIES = 5
#: The pause before the first retry; it doubles up to ``MAX_BACKOFF``.
FIRST_BACKOFF, MAX_BACKOFF = 0.5, 10.0

T = TypeVar("T")
#: A duration: ``5``, ``2.5s``, ``500ms`` (compiled when a text is parsed).
_DURATION = r"^\s*([0-9]*\.?[0-9]+)\s*(ms|s|)\s*$"


class LockPolicy(Record):
    """How long a statement waits for a lock, and how often it is tried again.

    A plain class (every ``MigrationRunner`` makes one; a dataclass costs its creation at
    import); constructor, equality and repr are a frozen dataclass's.
    """

    __slots__ = ("timeout", "retries", "backoff")

    def __init__(self, timeout: float = DEFAULT_LOCK_TIMEOUT,
                 retries: int = DEFAULT_LOCK_RETRIES, backoff: float = FIRST_BACKOFF) -> None:
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff

    @classmethod
    def from_options(cls, timeout: Any = None, retries: Any = None) -> LockPolicy:
        """Read ``--lock-timeout`` / ``--lock-retries`` (or their config keys); None: default."""
        return cls(DEFAULT_LOCK_TIMEOUT if timeout is None else parse_timeout(timeout),
                   DEFAULT_LOCK_RETRIES if retries is None else parse_retries(retries))

    def pause(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1, 2, ...)."""
        return min(self.backoff * 2 ** (retry - 1), MAX_BACKOFF)


def parse_timeout(value: Any) -> float:
    """``5``, ``2.5``, ``"5s"``, ``"500ms"`` to seconds; ``0`` means no timeout."""
    if isinstance(value, bool):
        raise MigrationError(f"lock-timeout {value!r}: give seconds, e.g. 5 or '500ms'")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        import re

        match = re.match(_DURATION, str(value), re.IGNORECASE)
        if match is None:
            raise MigrationError(f"lock-timeout {value!r}: give seconds, e.g. 5, 2.5s or 500ms")
        seconds = float(match.group(1)) / (1000 if match.group(2).lower() == "ms" else 1)
    if not math.isfinite(seconds) or seconds < 0:
        raise MigrationError(f"lock-timeout {value!r}: must be 0 (off) or a positive duration")
    return seconds


def parse_retries(value: Any) -> int:
    """A whole number of retries, 0 or more."""
    try:
        retries = int(str(value).strip()) if not isinstance(value, bool) else -1
    except ValueError:
        retries = -1
    if retries < 0:
        raise MigrationError(f"lock-retries {value!r}: must be a whole number, 0 or more")
    return retries


@contextmanager
def session_timeout(db: Any, policy: LockPolicy) -> Iterator[None]:
    """Set the session's lock timeout for the block, and give it back after.

    The connection may serve the app after ``migrate`` (the API called at start-up), so the
    server's own timeout is restored even when the migration fails.
    """
    if not policy.timeout:
        yield
        return
    for sql in db.dialect.lock_timeout_sql(policy.timeout):
        db._execute_dml(sql)
    try:
        yield
    finally:
        for sql in db.dialect.reset_lock_timeout_sql():
            try:
                db._execute_dml(sql)
            except SQLError:
                pass  # the connection is gone: its settings went with it


def lock_timeout_of(db: Any, error: BaseException | None) -> SQLError | None:
    """The SQLError if ``error`` is one saying a lock wait timed out, else None."""
    if not isinstance(error, SQLError) or error.__cause__ is None:
        return None
    return error if db.dialect.is_lock_timeout(error.__cause__) else None


def retrying(db: Any, policy: LockPolicy, attempt: Callable[[], T],
             timed_out: Callable[[BaseException], SQLError | None],
             before_retry: Callable[[], None] | None = None) -> T:
    """Run ``attempt()``; while it fails with a lock timeout, pause and run it again.

    ``timed_out(exc)`` finds the lock-timeout SQLError in what ``attempt`` raised (None: not
    one, re-raised as is).  After ``policy.retries`` retries the last failure is raised with
    ``give_up`` attached: the line that names the blocking session.
    """
    retry = 0
    while True:
        try:
            return attempt()
        except Exception as exc:
            error = timed_out(exc)
            if error is None:
                raise
            if retry >= policy.retries:
                exc.give_up = give_up_message(db, policy, error, retry + 1)  # type: ignore[attr-defined]
                raise
        retry += 1
        time.sleep(policy.pause(retry))
        if before_retry is not None:
            before_retry()


def give_up_message(db: Any, policy: LockPolicy, error: SQLError, attempts: int) -> str:
    """``lock timeout: waited 5 s for a lock 6 times; blocked by pid 42 (...); ...``."""
    try:
        blockers = db.dialect.lock_blockers(db, error.sql or "")
    except SQLError:
        blockers = ""
    who = f"blocked by {blockers}" if blockers else "the server does not say which session held it"
    return (f"lock timeout: waited {policy.timeout:g} s for a lock {attempts} time(s); {who}; "
            "end that session's transaction, or migrate when it is quiet "
            "(--lock-timeout, --lock-retries)")
