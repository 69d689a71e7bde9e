"""Everything sqlite does differently: DDL and types (dialect.py), introspection, the migrate lock, the table rebuild."""

from .dialect import SQLiteDialect

__all__ = ["SQLiteDialect"]
