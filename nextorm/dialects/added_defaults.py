"""What each server does to the rows of a table when a column is added with a default.

``ALTER TABLE t ADD COLUMN c ... DEFAULT expr`` on a table that has rows costs nothing when
the server can store the default once, and a lot when it must compute it for every row.
Which defaults are which differs per server (measured on PostgreSQL 15, MariaDB 10.11 and
SQLite 3.40, with rows in the table):

- **PostgreSQL 11+** stores a non-volatile default once (no rewrite): constants, and the
  STABLE ``now()``, ``current_timestamp``, ``statement_timestamp()``,
  ``transaction_timestamp()``, ``localtimestamp``, ``current_date`` (every existing row gets
  the migration's time).  A VOLATILE function anywhere in the expression (``random()``,
  ``floor(random() * 10)``, ``gen_random_uuid()``, ``clock_timestamp()``, ``nextval(...)``
  ...), or a ``serial`` / identity column, is computed per row: the table is rewritten under
  an ACCESS EXCLUSIVE lock.
- **MariaDB 10.11** adds a column instantly with constants, ``NOW()``,
  ``CURRENT_TIMESTAMP``, ``CURDATE()``, ``UTC_DATE()`` and even ``RAND()`` (evaluated once:
  every existing row gets the same value); ``UUID()``, ``UUID_SHORT()``, ``SYS_GUID()``,
  ``SYSDATE()``, ``UTC_TIMESTAMP()``, ``RANDOM_BYTES()``, ``NEXTVAL()`` / ``NEXT VALUE FOR``
  make it copy the table (``ALGORITHM=COPY``), and a stated ``ALGORITHM=INSTANT`` /
  ``INPLACE`` / ``NOCOPY`` then makes the statement fail; ``AUTO_INCREMENT`` rebuilds it.
- **SQLite** adds a column only with a constant default (a literal, maybe signed or in
  parentheses): ``CURRENT_TIMESTAMP``, ``(random())``, ``(datetime('now'))``, even
  ``(1 + 2)`` fail with "Cannot add a column with non-constant default" on a table that
  has rows (on an empty table they work).

The lint's NX103 (``migrations/lint/rules.py``) asks ``added_default_cost``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: A quoted string literal (its text may look like a call: ``'random()'``).
_STRING = re.compile(r"'(?:[^']|'')*'")
#: A quoted identifier (a sequence's name in ``nextval("s")``).
_QUOTED = re.compile(r'"(?:[^"]|"")*"|`(?:[^`]|``)*`')
#: A default SQLite can store once: a literal, maybe signed, maybe in parentheses.
_SQLITE_CONSTANT = re.compile(
    r"^\(*\s*(?:[-+]\s*)?(?:\d+(?:\.\d*)?(?:e[-+]?\d+)?|\.\d+|'(?:[^']|'')*'|x'[0-9a-f]*'"
    r"|null|true|false)\s*\)*$", re.IGNORECASE)


@dataclass(frozen=True)
class _Server:
    """One server's rules (see the module docstring)."""

    #: Functions (or SQL keywords) whose value the server computes for every existing row.
    per_row: tuple[str, ...] = ()
    #: Column kinds numbered per row (serial, identity, AUTO_INCREMENT), and what that costs.
    numbered: str | None = None
    numbered_cost: str = ""
    #: What a per-row default costs; with a stated in-place ALGORITHM, what happens instead.
    cost: str = ""
    refused: str | None = None
    #: Any default that is not a literal fails on a table that has rows (SQLite).
    constant_only: bool = False


_SERVERS = {
    "postgres": _Server(
        per_row=("random", "random_normal", "clock_timestamp", "timeofday", "gen_random_uuid",
                 "gen_random_bytes", "uuid_generate_v1", "uuid_generate_v1mc",
                 "uuid_generate_v4", "nextval", "currval", "lastval", "setseed",
                 "txid_current", "pg_current_xact_id"),
        numbered=r"^\s*(?:small|big)?serial\b|\bGENERATED\s+(?:ALWAYS|BY\s+DEFAULT)\s+AS\s+"
                 r"IDENTITY\b",
        numbered_cost=("a sequence numbers every existing row: PostgreSQL rewrites the table "
                       "while writes wait"),
        cost=("{name} is volatile: PostgreSQL computes it for every existing row and "
              "rewrites the table while writes wait")),
    "mysql": _Server(
        per_row=("uuid", "uuid_short", "sys_guid", "sysdate", "utc_timestamp", "random_bytes",
                 "nextval", "lastval", "next value for", "previous value for"),
        numbered=r"\bAUTO_INCREMENT\b",
        numbered_cost=("AUTO_INCREMENT numbers every existing row: MariaDB rebuilds the "
                       "table while writes wait"),
        cost=("MariaDB cannot add a column with {name} instantly: it copies the table "
              "(ALGORITHM=COPY) while writes wait"),
        refused=("MariaDB cannot add a column with {name} instantly: the stated {algorithm} "
                 "makes the statement fail (only ALGORITHM=COPY can add it)")),
    "sqlite": _Server(constant_only=True),
}


def default_of(definition: str) -> str | None:
    """The expression after ``DEFAULT`` in a column definition (None: no default)."""
    match = re.search(r"\bDEFAULT\s+(.+)$", definition, re.IGNORECASE)
    if match is None:
        return None
    expression = re.split(r"\s+(?:NOT\s+NULL|NULL|PRIMARY|UNIQUE|CHECK|REFERENCES|COMMENT|"
                          r"COLLATE|CONSTRAINT|FIRST|AFTER)\b", match.group(1), maxsplit=1,
                          flags=re.IGNORECASE)[0]
    return expression.strip()


def added_default_cost(dialect: Any, definition: str, statement: str = "") -> str | None:
    """What adding a column with ``definition`` (``INTEGER DEFAULT floor(random() * 10)``)
    does to the rows of a table that has some, on ``dialect``'s server: None when nothing
    (the default is stored once), else one clause saying why it hurts.  ``statement``: the
    whole ``ALTER TABLE``, for an ``ALGORITHM=`` clause stated after the column."""
    server = _SERVERS.get(dialect.name)
    if server is None:
        return None
    if server.numbered and re.search(server.numbered, definition, re.IGNORECASE):
        return server.numbered_cost
    expression = default_of(definition)
    if expression is None:
        return None
    if server.constant_only:
        if _SQLITE_CONSTANT.match(expression):
            return None
        return ("SQLite adds a column only with a constant default: the statement fails on a "
                "table that has rows (add it without the default and backfill, or rebuild "
                "the table)")
    bare = _QUOTED.sub('""', _STRING.sub("''", expression)).lower()
    name = next((f for f in server.per_row
                 if re.search(r"\b" + r"\s+".join(f.split()) + r"\b", bare)), None)
    if name is None:
        return None
    shown = name.upper() if " " in name else f"{name}()"
    algorithm = re.search(r"\bALGORITHM\s*=?\s*(INSTANT|INPLACE|NOCOPY)\b", statement,
                          re.IGNORECASE)
    if algorithm and server.refused:
        return server.refused.format(name=shown, algorithm=f"ALGORITHM={algorithm.group(1)}")
    return server.cost.format(name=shown)
