"""NextORM: type-annotated entities and a file-based migration system.

This module is the public API and nothing else.  The migration functions are imported lazily
so that ``import nextorm`` stays cheap for the runtime commands.
"""

from __future__ import annotations

from typing import Any

from .database import Database
from .entity import Entity
from .errors import (
    BindError,
    CommitException,
    ConstraintError,
    DeclarationError,
    DecompileError,
    IntegrityError,
    MappingError,
    MigrationError,
    MultipleObjectsFound,
    MultipleObjectsFoundError,
    NextORMError,
    NotBoundError,
    ObjectNotFound,
    OptimisticCheckError,
    PartialCommitException,
    SessionError,
    SnapshotError,
    SQLError,
    TransactionError,
    ValidationError,
)
from .fields import PK, Local, Opt, PrimaryKey, Req, Set, Single, composite_index, composite_key

__version__ = "0.1.0"

__all__ = [
    "PK", "BindError", "Database", "DeclarationError", "Entity", "IntegrityError", "Local",
    "MappingError", "MigrationError", "MigrationRunner", "MigrationStatus",
    "NextORMError", "NotBoundError", "Opt",
    "PrimaryKey", "Req", "SQLError", "Set", "Single", "SnapshotError", "composite_index",
    "composite_key", "makemigrations", "migrate", "showmigrations",
    # the ORM runtime (nextorm/orm/), imported on first use
    "MultipleObjectsFound", "ObjectNotFound", "SessionError", "ValidationError", "commit",
    "db_session", "desc", "flush", "rollback",
    # 0.5.1's query functions (``sum``/``min``/``max`` act as the builtins on anything else)
    "QuerySet", "avg", "count", "max", "min", "select", "sum",
    # nextorm 0.5.1's exception names (the older names above stay as aliases)
    "CommitException", "ConstraintError", "DecompileError", "MultipleObjectsFoundError",
    "OptimisticCheckError", "PartialCommitException", "TransactionError",
]

_LAZY = {
    "migrate": "nextorm.migrations.api",
    "makemigrations": "nextorm.migrations.api",
    "showmigrations": "nextorm.migrations.api",
    "MigrationRunner": "nextorm.migrations.runner",
    "MigrationStatus": "nextorm.migrations.runner",
    "db_session": "nextorm.orm.context",
    "flush": "nextorm.orm.context",
    "commit": "nextorm.orm.context",
    "rollback": "nextorm.orm.context",
    "desc": "nextorm.orm.expressions",
    "QuerySet": "nextorm.orm.query",
    **dict.fromkeys(("select", "count", "sum", "avg", "min", "max"), "nextorm.orm.aggregates"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nextorm' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
