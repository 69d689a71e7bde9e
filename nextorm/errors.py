"""One exception hierarchy for NextORM.

Every error a user can cause carries a one-line message that names what is wrong and where
(the entity, attribute, table, file or option), so the CLI can print it as ``error: ...``
without a traceback.
"""

from __future__ import annotations


class NextORMError(Exception):
    """Base of every error NextORM raises on purpose."""


class DeclarationError(NextORMError):
    """An entity is declared wrongly (unknown type, bad option, missing counterpart...)."""


class MappingError(NextORMError):
    """The entities cannot be mapped (raised by ``generate_mapping``)."""


class BindError(NextORMError):
    """``Database.bind`` was given a bad provider, bad arguments, or cannot connect."""


class NotBoundError(NextORMError):
    """An operation needs a database connection but ``bind`` was never called."""


class SQLError(NextORMError):
    """The database rejected a statement; the message carries the server's text."""

    def __init__(self, message: str, sql: str | None = None) -> None:
        super().__init__(message)
        self.sql = sql


class ConstraintError(SQLError):
    """A constraint (NOT NULL, UNIQUE, FOREIGN KEY, CHECK) was violated, on every server."""


#: The name this project used before adopting nextorm 0.5.1's.
IntegrityError = ConstraintError


class MigrationError(NextORMError):
    """A migration cannot be generated, loaded or applied."""


class SnapshotError(MigrationError):
    """``.schema_snapshot.json`` is missing parts, corrupt, or of an unknown format."""


# -- why migrate refused or stopped: each error formats its own line ------------------------


class MigrationFileError(MigrationError):
    """A migration file cannot be used: bad syntax, no ``upgrade``, another server's SQL."""


class UnknownTargetError(MigrationError):
    """``migrate TARGET`` names no migration."""


class TrackingTableError(MigrationError):
    """``_nextorm_migrations`` is not in NextORM's format, or holds a status it never writes."""


class HistoryChangedError(MigrationError):
    """Applied migrations whose code changed, or whose files are gone, since they ran."""

    def __init__(self, edited: list[str], missing: list[str]) -> None:
        self.edited, self.missing = edited, missing
        parts = []
        if edited:
            parts.append("edited since applied: " + ", ".join(edited))
        if missing:
            parts.append("applied but missing: " + ", ".join(missing))
        super().__init__(
            "migration history changed (" + "; ".join(parts) + "): restore the files, or "
            "run 'migrate --accept-changed' to accept the directory as it is now"
        )


class OutOfOrderError(MigrationError):
    """A pending migration is numbered below one that is already applied."""

    def __init__(self, pending: str, applied: str) -> None:
        self.pending, self.applied = pending, applied
        super().__init__(
            f"{pending} is pending but {applied}, numbered after it, is already applied: "
            "applying it now would run migrations out of order; renumber it after "
            f"{applied}, or run 'migrate --allow-out-of-order' to apply it anyway"
        )


class PartiallyAppliedError(MigrationError):
    """A migration stopped half-way (MariaDB): later runs wait until it is resolved."""

    def __init__(self, what_happened: str, recovery: str) -> None:
        self.what_happened, self.recovery = what_happened, recovery
        super().__init__(f"{what_happened}. {recovery}")


class MigrationFailedError(MigrationError):
    """A migration's ``upgrade`` or ``downgrade`` failed; says what was rolled back."""

    def __init__(self, where: str, direction: str, outcome: str, detail: str,
                 after: str = "") -> None:
        self.where, self.direction, self.outcome, self.detail = where, direction, outcome, detail
        super().__init__(f"{where} {direction} {outcome}: {detail}{after}")


class FakeCheckError(MigrationError):
    """``migrate --fake`` would record a migration whose changes are not in the database."""


# -- ORM runtime (session.py, query.py) ----------------------------------------------------


class ObjectNotFound(NextORMError, KeyError):
    """``User[1]`` found no row with that key (a KeyError, so ``except KeyError`` works too)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "object not found"


class MultipleObjectsFoundError(NextORMError):
    """``Entity.get(...)`` or ``query.get()`` matched more than one row."""


#: The name this project used before adopting nextorm 0.5.1's.
MultipleObjectsFound = MultipleObjectsFoundError


class TransactionError(NextORMError):
    """The ORM was used outside ``db_session``, or a transaction cannot be begun or ended."""


#: The name this project used before adopting nextorm 0.5.1's.
SessionError = TransactionError


class OptimisticCheckError(TransactionError):
    """A row changed in another transaction since this session read it: the UPDATE is refused."""


class CommitException(TransactionError):
    """A commit failed; nothing of the session was committed."""


class PartialCommitException(TransactionError):
    """A session over several databases committed on some of them before one failed."""


class DecompileError(NextORMError):
    """A generator or lambda query uses a construct that cannot be translated to SQL."""


class ValidationError(NextORMError):
    """An attribute value breaks its declaration (Req without value, longer than max_len...)."""


# -- connections and transactions (database.py, pool.py) -----------------------------------


class PoolTimeoutError(NextORMError, TimeoutError):
    """Every connection of ``bind(..., pool_max=N)`` stayed in use for ``pool_timeout`` seconds."""


class TransientError(SQLError, TransactionError):
    """The server gave up a transaction for a reason that may not recur (a deadlock, a
    serialization failure, a lock wait timeout, a busy SQLite file): ``@db_session(retry=N)``
    runs the function again."""
