"""NextORM: type-annotated entities and a file-based migration system.

This module is the public API and nothing else.  Every name but the errors is imported on
first use (PEP 562): ``python -m nextorm.migrations.cli migrate`` imports this package first,
and a no-op migrate must not pay for the entity machinery (dataclasses, datetime, Decimal,
UUID) that only declaring entities needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    PoolTimeoutError,
    SessionError,
    SnapshotError,
    SQLError,
    TransactionError,
    TransientError,
    ValidationError,
)

if TYPE_CHECKING:
    from .database import Database
    from .debug import (
        CapturedQuery,
        QueryStat,
        capture_sql,
        clear_global_stats,
        global_stats,
        set_sql_debug,
        sql_debugging,
    )
    from .entity import Entity
    from .fields import PK, Local, Opt, PrimaryKey, Req, Set, Single, composite_index, composite_key
    from .migrations.api import makemigrations, migrate, showmigrations
    from .migrations.runner import MigrationRunner
    from .orm.context import commit, db_session, flush, rollback
    from .orm.expressions import desc
    from .orm.session import Session as SessionCache
    from .pool import ConnectionPool
    from .types import ULID, DateTimeTz, Json, LongStr, Vec, ulid, uuid4, uuid7

__version__ = "0.1.0"

__all__ = [
    "PK", "BindError", "Database", "DeclarationError", "Entity", "IntegrityError", "Local",
    "MappingError", "MigrationError", "MigrationRunner", "MigrationStatus",
    "NextORMError", "NotBoundError", "Opt",
    "PrimaryKey", "Req", "SQLError", "Set", "Single", "SnapshotError", "composite_index",
    "composite_key", "makemigrations", "migrate", "showmigrations",
    # 0.5.1's column types and generated keys (nextorm/types.py)
    "DateTimeTz", "Json", "LongStr", "ULID", "Vec", "ulid", "uuid4", "uuid7",
    # the ORM runtime (nextorm/orm/), imported on first use
    "MultipleObjectsFound", "ObjectNotFound", "SessionError", "ValidationError", "commit",
    "db_session", "desc", "flush", "rollback", "SessionCache",
    # 0.5.1's query functions (``sum``/``min``/``max`` act as the builtins on anything else)
    "QuerySet", "avg", "count", "max", "min", "select", "sum",
    # nextorm 0.5.1's exception names (the older names above stay as aliases)
    "CommitException", "ConstraintError", "DecompileError", "MultipleObjectsFoundError",
    "OptimisticCheckError", "PartialCommitException", "TransactionError",
    # connections and SQL debugging (nextorm/pool.py, nextorm/debug.py), imported on first use
    "CapturedQuery", "ConnectionPool", "PoolTimeoutError", "QueryStat", "TransientError",
    "capture_sql", "clear_global_stats", "global_stats", "set_sql_debug", "sql_debugging",
]

_LAZY = {
    "Database": "nextorm.database",
    "Entity": "nextorm.entity",
    **dict.fromkeys(("PK", "Local", "Opt", "PrimaryKey", "Req", "Set", "Single",
                     "composite_index", "composite_key"), "nextorm.fields"),
    **dict.fromkeys(("DateTimeTz", "Json", "LongStr", "ULID", "Vec", "ulid", "uuid4", "uuid7"),
                    "nextorm.types"),
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
    # 0.5.1's SessionCache (a session's identity map and dirty tracking) is here the Session
    # itself: one unit of work on one database (identity map, pending changes, transaction).
    "SessionCache": "nextorm.orm.session:Session",
    "ConnectionPool": "nextorm.pool",
    **dict.fromkeys(("CapturedQuery", "QueryStat", "capture_sql", "clear_global_stats",
                     "global_stats", "set_sql_debug", "sql_debugging"), "nextorm.debug"),
    "QuerySet": "nextorm.orm.query",
    **dict.fromkeys(("select", "count", "sum", "avg", "min", "max"), "nextorm.orm.aggregates"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nextorm' has no attribute {name!r}")
    import importlib

    module, _, attr = module.partition(":")  # "module:attr": a name 0.5.1 gives our class
    value = getattr(importlib.import_module(module), attr or name)
    globals()[name] = value  # found once: later lookups are plain module attributes
    return value
