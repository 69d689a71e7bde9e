"""``db_session``: which session is active, its options, and the functions that act on it.

Writes happen inside a session::

    with db_session:                  # or @db_session on a function
        ann = User(name="ann")        # INSERT at flush()/commit(); ann.id is set then
        ann.name = "Ann"              # UPDATE of the changed columns at flush
    # committed here; an exception inside the block rolls everything back instead

``db_session`` (bare) uses *the* database the entities are mapped in: the first entity the
session touches picks it, among the ``Database`` objects on which ``generate_mapping()`` was
called (and not closed since).  When the same entity classes are mapped in several databases,
name the database: ``with db_session(db):`` or ``@db_session(db)``.  A ``db_session`` nested
in another one for the same database joins it (the outer one commits, and its options hold);
one for another database is independent.

Options, as nextorm 0.5.1 has them: ``retry=N`` (decorator only: run the function again, up
to N more times, after a ``TransactionError`` - a deadlock, a serialization failure, an
optimistic check - or an exception listed in ``retry_exceptions``), ``allowed_exceptions``
(these exceptions still commit), ``serializable``, ``immediate`` (the transaction begins on
entry: SQLite takes its write lock, MariaDB its snapshot), ``optimistic`` (default True: an
UPDATE checks that the columns read did not change meanwhile), ``strict`` (the identity map
is emptied at the end), ``sql_debug``/``show_values`` (print the block's SQL).

Outside any session, reads work (each statement commits on its own, and each read gets its
own identity map); ``User(...)`` makes an object that is written only by ``db.save(obj)``.
Objects of an ended session still read their attributes and load their relations; changing
them is refused (it would never be written).  What a session does with the objects is
described in ``session.py``.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Sequence
from contextvars import ContextVar, Token
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..debug import sql_debugging
from ..errors import SessionError, TransactionError
from .session import Session

if TYPE_CHECKING:
    from ..database import Database

_current: ContextVar[Session | None] = ContextVar("nextorm_session", default=None)
_depth: ContextVar[int] = ContextVar("nextorm_session_depth", default=0)


def current_session() -> Session:
    """The active session; outside one, a new session in which each statement commits."""
    session = _current.get()
    if session is None:
        return Session(autocommit=True)
    return session


def session_of_database(db: Database) -> Session | None:
    """The active session if it works on ``db`` (or has not chosen a database yet)."""
    session = _current.get()
    if session is None or session.db not in (None, db):
        return None
    session.db = db
    return session


def join_raw_sql(db: Database) -> None:
    """Before ``db.execute``/``select_raw``: flush the active session of ``db`` and open its
    transaction, so the statement sees its changes and commits or rolls back with it."""
    session = session_of_database(db)
    if session is not None:
        session.flush()
        session.begin()


_OPTIONS = ("retry", "sql_debug", "show_values", "serializable", "immediate", "optimistic",
            "strict", "allowed_exceptions", "retry_exceptions")


class DBSession:
    """``db_session``: a context manager and a decorator; ``db_session(db, **options)``."""

    def __init__(self, db: Database | None = None, *, retry: int = 0, sql_debug: bool = False,
                 show_values: bool = False, serializable: bool = False, immediate: bool = False,
                 optimistic: bool = True, strict: bool = False,
                 allowed_exceptions: Sequence[type[BaseException]] = (),
                 retry_exceptions: Sequence[type[BaseException]] = (TransactionError,)) -> None:
        if isinstance(retry, bool) or not isinstance(retry, int) or retry < 0:
            raise SessionError(f"db_session(retry=...) takes a number >= 0, not {retry!r}")
        self.db = db
        self.retry, self.sql_debug, self.show_values = retry, sql_debug, show_values
        self.serializable, self.immediate = serializable, immediate
        self.optimistic, self.strict = optimistic, strict
        self.allowed_exceptions = tuple(allowed_exceptions or ())
        self.retry_exceptions = tuple(retry_exceptions or ())
        self._local = threading.local()

    def _options(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _OPTIONS}

    @property
    def _stack(self) -> list[tuple[Session | None, Token[Session | None] | None,
                                   Token[int], sql_debugging | None]]:
        """Per thread, each open ``with``: the session it started (None: it joined an outer
        one), the tokens that restore the outer state, its sql_debugging block."""
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    @property
    def depth(self) -> int:
        """How many db_session blocks are open around the caller (0: none)."""
        return _depth.get()

    @staticmethod
    def current() -> Session | None:
        """The innermost active session, or None outside every db_session."""
        return _current.get()

    def __call__(self, arg: Any = None, /, **options: Any) -> Any:
        """``@db_session`` on a function, or ``db_session(db, retry=3, ...)``."""
        unknown = sorted(set(options) - set(_OPTIONS))
        if unknown:
            raise SessionError(f"db_session() got unknown option(s) {', '.join(unknown)}; "
                               f"it takes {', '.join(_OPTIONS)}")
        if callable(arg) and not hasattr(arg, "transaction"):
            manager = DBSession(self.db, **{**self._options(), **options}) if options else self
            return manager._decorate(arg)
        return DBSession(arg if arg is not None else self.db, **{**self._options(), **options})

    def _decorate(self, function: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(function) or inspect.isasyncgenfunction(function):
            raise SessionError(
                f"@db_session cannot wrap the async function {function.__qualname__}(): "
                f"async sessions are not supported yet; call a plain @db_session function "
                f"from it (e.g. with asyncio.to_thread)")
        if inspect.isgeneratorfunction(function):
            raise SessionError(
                f"@db_session cannot wrap the generator function {function.__qualname__}(): "
                f"the session would end before the caller reads it; return a list instead")
        options = self._options()
        db = self.db

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            attempts = 1 + (self.retry if _current.get() is None else 0)  # nested: joins
            for attempt in range(1, attempts + 1):
                try:
                    with DBSession(db, **options):
                        return function(*args, **kwargs)
                except self.retry_exceptions:
                    if attempt == attempts:
                        raise
            raise AssertionError("unreachable")  # pragma: no cover

        return wrapper

    def __enter__(self) -> Session:
        debugging = sql_debugging(True, self.show_values) if self.sql_debug else None
        if debugging is not None:
            debugging.__enter__()
        depth_token = _depth.set(_depth.get() + 1)
        outer = _current.get()
        if outer is not None and (self.db is None or outer.db in (None, self.db)):
            if self.db is not None and outer.db is None:
                outer.db = self.db
            self._stack.append((None, None, depth_token, debugging))
            return outer
        session = Session(self.db, optimistic=self.optimistic, immediate=self.immediate,
                          serializable=self.serializable, strict=self.strict)
        token = _current.set(session)
        self._stack.append((session, token, depth_token, debugging))
        if self.immediate and session.db is not None:
            session.begin()
        return session

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        session, token, depth_token, debugging = self._stack.pop()
        try:
            if session is not None and token is not None:
                try:
                    session.close(commit=exc is None or isinstance(exc, self.allowed_exceptions))
                finally:
                    _current.reset(token)
        finally:
            _depth.reset(depth_token)
            if debugging is not None:
                debugging.__exit__(None, None, None)


db_session = DBSession()


def flush() -> None:
    """Flush the active session."""
    current_session().flush()


def commit() -> None:
    """Commit the active session."""
    current_session().commit()


def rollback() -> None:
    """Roll back the active session."""
    current_session().rollback()
