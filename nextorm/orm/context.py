"""``db_session``: which session is active, and the functions that act on it.

Every read and write of entities happens inside a session::

    with db_session:                  # or @db_session on a function
        ann = User(name="ann")        # INSERT at flush()/commit(); ann.id is set then
        ann.name = "Ann"              # UPDATE of the changed columns at flush
    # committed here; an exception inside the block rolls everything back instead

``db_session`` (bare) uses *the* database the entities are mapped in: the first entity the
session touches picks it, among the ``Database`` objects on which ``generate_mapping()`` was
called.  When the same entity classes are mapped in several databases (say one SQLite and one
PostgreSQL ``Database`` in one process), name the database: ``with db_session(db):`` or
``@db_session(db)``.  A session talks to exactly one database; using an entity that database
does not map is a ``SessionError``.  A ``db_session`` nested in another one for the same
database joins it (the outer one commits); one for another database is independent.

What a session does with the objects is described in ``session.py``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from contextvars import ContextVar, Token
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..errors import SessionError
from .session import Session

if TYPE_CHECKING:
    from ..database import Database

_current: ContextVar[Session | None] = ContextVar("nextorm_session", default=None)


def current_session() -> Session:
    """Return the active session; raise SessionError when there is none."""
    session = _current.get()
    if session is None:
        raise SessionError("no active db_session: wrap this code in 'with db_session:' "
                           "or decorate the function with @db_session")
    return session


class DBSession:
    """``db_session``: a context manager and a decorator; ``db_session(db)`` names the database."""

    def __init__(self, db: Database | None = None) -> None:
        self.db = db
        self._local = threading.local()

    @property
    def _stack(self) -> list[tuple[Session, Token[Session | None]] | None]:
        """Per thread: the session each open ``with`` started (None: it joined an outer one)."""
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack

    def __call__(self, arg: Any = None) -> Any:
        """``@db_session`` on a function, or ``db_session(db)`` naming the database."""
        if callable(arg) and not hasattr(arg, "transaction"):
            return self._decorate(arg)
        return DBSession(arg)

    def _decorate(self, function: Callable[..., Any]) -> Callable[..., Any]:
        db = self.db

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with DBSession(db):
                return function(*args, **kwargs)

        return wrapper

    def __enter__(self) -> Session:
        outer = _current.get()
        if outer is not None and outer.active and (self.db is None or outer.db in (None, self.db)):
            if self.db is not None and outer.db is None:
                outer.db = self.db
            self._stack.append(None)
            return outer
        session = Session(self.db)
        token = _current.set(session)
        self._stack.append((session, token))
        return session

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        entry = self._stack.pop()
        if entry is None:
            return
        session, token = entry
        try:
            session.close(commit=exc_type is None)
        finally:
            _current.reset(token)


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
