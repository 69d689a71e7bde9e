"""SQLite: the embedded default.

SQLite keeps declared type names verbatim, so the types below read back exactly on
introspection.  It has no ``ALTER COLUMN`` and cannot add or drop constraints in place: those
changes are rendered as the table rebuild its documentation prescribes.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from .base import Dialect


class SQLiteDialect(Dialect):
    name = "sqlite"
    transactional_ddl = True
    supports_alter_column = False
    max_identifier_length = 1024
    format_placeholders = False
    type_names = {
        "int": "INTEGER",
        "float": "REAL",
        "bool": "BOOLEAN",
        "bytes": "BLOB",
        "decimal": "DECIMAL",
        "datetime": "DATETIME",
        "date": "DATE",
        "time": "TIME",
        "uuid": "UUID",
        "json": "JSON",
    }

    def auto_pk_clause(self) -> str:
        return "PRIMARY KEY AUTOINCREMENT"

    def connect(self, filename: str = ":memory:", **kwargs: Any) -> sqlite3.Connection:
        # isolation_level=None: the driver never opens transactions behind our back; the
        # Database issues BEGIN/COMMIT itself, so DDL is transactional too.
        conn = sqlite3.connect(filename, isolation_level=None, check_same_thread=False, **kwargs)
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    def driver_errors(self) -> tuple[type[BaseException], type[BaseException]]:
        return sqlite3.Error, sqlite3.IntegrityError

    def list_tables_sql(self) -> str:
        return ("SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name")
