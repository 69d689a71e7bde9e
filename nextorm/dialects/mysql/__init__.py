"""Everything mysql does differently: DDL and types (dialect.py), introspection, the migrate lock."""

from .dialect import MySQLDialect, parse_mysql_url

__all__ = ["MySQLDialect", "parse_mysql_url"]
