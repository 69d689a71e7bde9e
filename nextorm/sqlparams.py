"""Convert ``?`` placeholders to the driver's ``%s`` style, safely.

Users and migration files write ``?`` on every dialect.  psycopg and PyMySQL want ``%s`` and
treat a bare ``%`` as a format character, so outside literals ``?`` becomes ``%s`` and ``%``
becomes ``%%``; inside string literals, quoted identifiers and comments only ``%`` is doubled
(the driver would otherwise read it) and ``?`` is left alone.

What counts as a literal or a comment follows the server: ``backslash_escapes=True`` is
MariaDB/MySQL (backslash escapes in ``'...'`` and ``"..."`` strings, ``#`` comments, ``-- ``
only before whitespace); otherwise PostgreSQL (``$tag$...$tag$`` and ``E'...'`` strings,
nested ``/* */`` comments).
"""

from __future__ import annotations

import re
from functools import lru_cache

#: ``$$`` or ``$tag$``; compiled on the first conversion (``re``'s cache), not at import:
#: every ``Database`` imports this module, SQLite never converts.
_DOLLAR_TAG = r"\$(?:[^\W\d$][\w]*)?\$"


@lru_cache(maxsize=4096)
def to_format_style(sql: str, backslash_escapes: bool = False) -> str:
    """Return ``sql`` with ``?`` outside literals replaced by ``%s`` and ``%`` escaped."""
    out: list[str] = []
    i, n = 0, len(sql)
    dollar_tag = re.compile(_DOLLAR_TAG)
    while i < n:
        ch = sql[i]
        tag = dollar_tag.match(sql, i) if ch == "$" and not backslash_escapes else None
        if ch in ("'", '"', "`"):
            escapes = ch != "`" if backslash_escapes else ch == "'" and _escape_string(sql, i)
            end = _end_of_quoted(sql, i, ch, escapes)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif tag and not _in_word(sql, i):  # PostgreSQL dollar quoting: $$...$$, $q$...$q$
            close = sql.find(tag.group(), tag.end())
            end = n if close < 0 else close + len(tag.group())
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif _line_comment(sql, i, backslash_escapes):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("/*", i):
            end = _end_of_block_comment(sql, i, nested=not backslash_escapes)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif ch == "?":
            out.append("%s")
            i += 1
        elif ch == "%":
            out.append("%%")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _end_of_quoted(sql: str, start: int, quote: str, backslash_escapes: bool) -> int:
    """Index just past the quoted run starting at ``start`` (a doubled quote escapes it)."""
    i = start + 1
    n = len(sql)
    while i < n:
        if backslash_escapes and sql[i] == "\\":
            i += 2  # MySQL (and PostgreSQL's E'...') read backslash escapes inside strings
            continue
        if sql[i] == quote:
            if i + 1 < n and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _in_word(sql: str, i: int) -> bool:
    """True if ``sql[i]`` continues an identifier or number (``a$1$``, ``E'...'``'s ``E``)."""
    return i > 0 and (sql[i - 1].isalnum() or sql[i - 1] in "_$")


def _escape_string(sql: str, i: int) -> bool:
    """True if the quote at ``i`` opens a PostgreSQL escape string ``E'...'``."""
    return i > 0 and sql[i - 1] in "eE" and not _in_word(sql, i - 1)


def _line_comment(sql: str, i: int, mysql: bool) -> bool:
    """True if a line comment starts at ``i`` (MySQL: ``#``, and ``--`` before whitespace)."""
    if mysql and sql[i] == "#":
        return True
    if not sql.startswith("--", i):
        return False
    return not mysql or i + 2 >= len(sql) or sql[i + 2].isspace()


def _end_of_block_comment(sql: str, start: int, nested: bool) -> int:
    """Index just past the ``/* */`` comment at ``start`` (PostgreSQL nests them)."""
    depth, i, n = 0, start, len(sql)
    while i < n:
        if sql.startswith("/*", i) and (nested or depth == 0):
            depth += 1
            i += 2
        elif sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n
