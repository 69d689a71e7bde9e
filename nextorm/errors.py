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


class IntegrityError(SQLError):
    """A constraint (NOT NULL, UNIQUE, FOREIGN KEY) was violated."""


class MigrationError(NextORMError):
    """A migration cannot be generated, loaded or applied."""


class SnapshotError(MigrationError):
    """``.schema_snapshot.json`` is missing parts, corrupt, or of an unknown format."""


# -- ORM runtime (session.py, query.py) ----------------------------------------------------


class ObjectNotFound(NextORMError, KeyError):
    """``User[1]`` found no row with that key (a KeyError, so ``except KeyError`` works too)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "object not found"


class MultipleObjectsFound(NextORMError):
    """``Entity.get(...)`` or ``query.get()`` matched more than one row."""


class SessionError(NextORMError):
    """The ORM was used outside ``db_session``, or with a database it cannot choose."""


class ValidationError(NextORMError):
    """An attribute value breaks its declaration (Req without value, longer than max_len...)."""
