"""Dialects by provider name; ``get_dialect("postgresql")`` accepts the aliases too."""

from __future__ import annotations

from ..errors import BindError
from .base import Dialect

PROVIDER_ALIASES = {
    "sqlite": "sqlite",
    "sqlite3": "sqlite",
    "postgres": "postgres",
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
}


def get_dialect(provider: str) -> Dialect:
    """Return the dialect for a provider name or alias; raise BindError for an unknown one."""
    name = PROVIDER_ALIASES.get(str(provider).lower())
    if name is None:
        known = ", ".join(sorted(PROVIDER_ALIASES))
        raise BindError(f"unknown provider {provider!r}; use one of: {known}")
    if name == "sqlite":
        from .sqlite import SQLiteDialect

        return SQLiteDialect()
    if name == "postgres":
        from .postgres import PostgresDialect

        return PostgresDialect()
    from .mysql import MySQLDialect

    return MySQLDialect()
