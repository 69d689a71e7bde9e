"""Everything postgres does differently: DDL and types (dialect.py), introspection, the migrate lock."""

from .dialect import PostgresDialect

__all__ = ["PostgresDialect"]
