"""Deterministic names for indexes and constraints.

Names are part of the dialect-neutral schema dict, so they are shortened to the smallest limit
of the supported servers (PostgreSQL: 63 bytes): the same entities give the same names on
every database, and a long name keeps a readable prefix plus a stable hash (``hashlib`` is
imported only then: building a schema must not load OpenSSL).
"""

from __future__ import annotations

MAX_IDENTIFIER_LENGTH = 63


def constraint_name(prefix: str, table: str, columns: list[str]) -> str:
    """Return ``<prefix>_<table>__<col>_<col>``, shortened with a hash if too long."""
    return shorten(f"{prefix}_{table}__{'_'.join(columns)}")


def shorten(name: str, limit: int = MAX_IDENTIFIER_LENGTH) -> str:
    """Shorten ``name`` to ``limit`` characters deterministically (prefix + 8-char hash)."""
    if len(name.encode()) <= limit:
        return name
    import hashlib

    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    head = name.encode()[: limit - 9].decode(errors="ignore")
    return f"{head}_{digest}"
