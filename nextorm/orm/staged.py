"""The staged commit of a session that touched several databases (nextorm 0.5.1's order).

A session talks to its database (the *primary*: the one it chose first); an entity mapped
only in another database is worked on in a sub-session for that database
(``Session.for_entity``), one per database, ended with the session.  ``commit`` then:

1. flushes every database; a flush error rolls all of them back and is raised as it is;
2. commits the primary; if that fails, the others are rolled back and ``CommitException``
   is raised (nothing was committed anywhere);
3. commits the others in the order they were first used; if one fails, the rest are still
   committed where they can be, and ``PartialCommitException`` is raised: the primary (and
   any other that committed) is durable, the failed ones were rolled back.

Both exceptions carry the underlying errors in ``exceptions`` (the first failure first).
Two-phase commit is not used: a failure between two COMMITs cannot be undone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import CommitException, PartialCommitException, SQLError

if TYPE_CHECKING:
    from .session import Session


def commit_all(primary: Session, others: list[Session]) -> None:
    """Flush all, commit the primary, then the others (see the module's docstring)."""
    sessions = [primary, *others]
    try:
        for session in sessions:
            session.flush()
    except BaseException:
        for session in sessions:
            rollback_quietly(session)
        raise
    try:
        primary.end_transaction()
    except Exception as exc:
        failures: list[BaseException] = [exc]
        for session in sessions:
            failures += rollback_quietly(session)
        raise _with_errors(CommitException(
            f"commit failed on {primary.database.describe()}, nothing was committed: "
            f"{exc}"), failures) from exc
    failed: list[tuple[Session, BaseException]] = []
    for session in others:
        try:
            session.end_transaction()
        except Exception as exc:
            failed.append((session, exc))
            rollback_quietly(session)
    if failed:
        where = ", ".join(session.database.describe() for session, _ in failed)
        raise _with_errors(PartialCommitException(
            f"commit failed on {where} after {primary.database.describe()} committed: "
            f"{failed[0][1]}; the committed databases keep their changes"),
            [exc for _, exc in failed]) from failed[0][1]


def rollback_quietly(session: Session) -> list[BaseException]:
    """Roll a session back after a failure; return what failed while doing so."""
    try:
        session.rollback()
    except SQLError as exc:
        return [exc]
    return []


def _with_errors(error: CommitException | PartialCommitException,
                 failures: list[BaseException]) -> CommitException | PartialCommitException:
    error.exceptions = failures  # type: ignore[union-attr]
    return error
