"""MariaDB's (and MySQL's) throw-away test database: a database of its own.

Created in ``utf8mb4`` with the server's default collation for it.  Used by the pytest plugin
(``nextorm/testing/``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit


def create_scratch(db: Any, url: str, name: str) -> str:
    """Create the database ``name`` through ``db`` (bound to ``url``); return a URL reaching it."""
    db._execute_dml(f"CREATE DATABASE {db.dialect.quote(name)} CHARACTER SET utf8mb4")
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def drop_scratch(db: Any, name: str) -> None:
    """Drop the database and everything in it."""
    db._execute_dml(f"DROP DATABASE IF EXISTS {db.dialect.quote(name)}")
