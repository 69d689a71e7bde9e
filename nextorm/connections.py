"""How a ``Database`` holds its connections and transactions (the ``Database`` mixes this in).

Without a pool (``pool_max=1``) one connection serves every thread, and a lock makes them
take turns (a transaction keeps the lock until it ends; a thread waits ``pool_timeout`` at
most, ``pool.TurnLock``).  With ``bind(..., pool_max=N)`` each
thread checks a connection out of a ``ConnectionPool`` for one statement, or for a whole
transaction, and gives it back after.  ``disconnect()``/``close()`` also retire the database
from ``MAPPED_DATABASES``, so a closed Database never captures a bare ``db_session`` (a new
Database of the same entity classes, say one per test, is then the only candidate).
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, Self, cast

from .errors import BindError, NextORMError, NotBoundError, SQLError
from .pool import ConnectionPool, Link, TurnLock

if TYPE_CHECKING:
    from .database import Database
    from .dialects.base import Dialect

#: Every Database on which generate_mapping() ran: a bare ``db_session`` picks from these.
MAPPED_DATABASES: weakref.WeakSet[Database] = weakref.WeakSet()


class Connections:
    """The connection and transaction half of ``Database``."""

    dialect: Dialect | None
    provider: str | None
    bind_args: tuple[tuple[Any, ...], dict[str, Any]]
    mapping: dict[type, Any] | None
    _shared: Link
    _pool: ConnectionPool | None
    _threads: threading.local
    _lock: AbstractContextManager[Any]

    def _execute_dml(self, sql: str, params: Sequence[Any] | None = ()) -> int:
        raise NotImplementedError  # Database's

    def merge_local_stats(self) -> None:
        raise NotImplementedError  # Database's

    def _dialect(self) -> Dialect:
        if self.dialect is None:
            raise NotBoundError("database is not bound: call db.bind(provider, ...) first")
        return self.dialect

    def _link(self) -> Link:
        """The connection state of the calling thread (shared by all threads without a pool)."""
        if self._pool is None:
            return self._shared
        link: Link | None = getattr(self._threads, "link", None)
        if link is None:
            link = self._threads.link = Link()
        return link

    def _connect(self) -> Any:
        """Open a new DB-API connection (the pool's factory)."""
        dialect = self._dialect()
        args, kwargs = self.bind_args
        try:
            return dialect.connect(*args, **kwargs)
        except NextORMError:
            raise
        except Exception as exc:
            where = mask_password(str(args[0] if args else kwargs.get("host", "")))
            raise BindError(
                f"cannot connect to {self.provider} {where}: {first_line(exc)}") from exc

    def _connection(self) -> Any:
        """The calling thread's connection, opened (or checked out of the pool) if needed."""
        link = self._link()
        if link.conn is None:
            self._dialect()
            link.conn = self._pool.acquire() if self._pool is not None else self._connect()
            if self.mapping is not None:  # a disconnected database that is used again
                MAPPED_DATABASES.add(cast("Database", self))
        return link.conn

    def _release(self, link: Link) -> None:
        """Give a pooled connection back once its thread has no transaction open on it."""
        if link.depth == 0 and link.conn is not None and self._pool is not None:
            if link.cursor is not None:
                link.cursor.close()
            self._pool.release(link.conn)
            link.conn = link.cursor = None

    def disconnect(self) -> None:
        """Close the connection (with a pool: this thread's and the idle ones); the next
        statement opens a new one.  Until then the database no longer claims its entities
        for a bare ``db_session``, so a new Database of the same entities can replace it."""
        MAPPED_DATABASES.discard(cast("Database", self))
        with self._lock:
            link = self._link()
            conn, cursor, link.conn, link.cursor, link.depth = link.conn, link.cursor, None, None, 0
            if cursor is not None:
                cursor.close()
            if self._pool is not None:
                if conn is not None:
                    self._pool.discard(conn)
                self._pool.close_all()
            elif conn is not None:
                conn.close()

    def close(self) -> None:
        """Close every connection and retire the database (see ``disconnect``); its
        statement statistics go to ``global_stats``."""
        self.disconnect()
        self.merge_local_stats()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def is_bound(self) -> bool:
        """True once ``bind`` succeeded (until ``unbind``)."""
        return self.dialect is not None

    def unbind(self) -> None:
        """Close the connections and forget the binding: ``bind`` may be called again."""
        self.disconnect()
        self.dialect = self.provider = None
        self.bind_args = ((), {})
        self._pool, self._lock = None, TurnLock()

    # -- transactions ----------------------------------------------------------------------

    @property
    def in_transaction(self) -> bool:
        return self._link().depth > 0

    @contextmanager
    def transaction(self, begin_sql: str | Sequence[str] = "BEGIN") -> Iterator[Self]:
        """Run the block in one transaction; a nested block is a savepoint.

        ``begin_sql`` (one statement or several) lets a caller take a stronger lock up front
        (``BEGIN IMMEDIATE`` on SQLite) or choose the isolation level.
        """
        with self._lock:
            link = self._link()
            depth = link.depth
            savepoint = f"nextorm_sp_{depth}"
            link.depth = depth + 1  # first: a pooled connection stays with this thread
            try:
                if depth > 0:
                    self._execute_dml(f"SAVEPOINT {savepoint}")
                else:
                    for statement in (begin_sql,) if isinstance(begin_sql, str) else begin_sql:
                        self._execute_dml(statement)
            except BaseException:
                link.depth = depth
                self._release(link)
                raise
            try:
                yield self
            except BaseException:
                link.depth = depth
                if link.conn is not None:
                    try:
                        self._execute_dml(
                            "ROLLBACK" if depth == 0 else f"ROLLBACK TO SAVEPOINT {savepoint}"
                        )
                    except SQLError:
                        pass  # the connection is gone or the server already rolled back
                self._release(link)
                raise
            else:
                link.depth = depth
                try:
                    if depth == 0:
                        self._execute_dml("COMMIT")
                    else:
                        self._execute_dml(f"RELEASE SAVEPOINT {savepoint}")
                finally:
                    self._release(link)


def mask_password(text: str) -> str:
    """Hide the password of a URL: logs and shared screens must never show it."""
    return re.sub(r"(://[^/@:]*):[^/@]*@", r"\1:***@", text)


def first_line(exc: BaseException) -> str:
    text = str(exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], str) else exc)
    text = text.strip()
    return text.splitlines()[0] if text else type(exc).__name__
