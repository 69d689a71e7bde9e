"""PostgreSQL's throw-away test database: a schema of its own, reached through search_path.

A schema (not a database) because creating a database needs a privilege a test user often
lacks, and a schema is as isolated for tables, sequences and the migrate lock (keyed by
``current_schema()``).  Used by the pytest plugin (``nextorm/testing/``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote


def create_scratch(db: Any, url: str, name: str) -> str:
    """Create the schema ``name`` through ``db`` (bound to ``url``); return a URL reaching it."""
    db._execute_dml(f"CREATE SCHEMA {db.dialect.quote(name)}")
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote('-c search_path=' + name)}"


def drop_scratch(db: Any, name: str) -> None:
    """Drop the schema and everything in it."""
    db._execute_dml(f"DROP SCHEMA IF EXISTS {db.dialect.quote(name)} CASCADE")
