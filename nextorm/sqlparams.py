"""Convert ``?`` placeholders to the driver's ``%s`` style, safely.

Users and migration files write ``?`` on every dialect.  psycopg and PyMySQL want ``%s`` and
treat a bare ``%`` as a format character, so outside literals ``?`` becomes ``%s`` and ``%``
becomes ``%%``; inside string literals, quoted identifiers and comments only ``%`` is doubled
(the driver would otherwise read it) and ``?`` is left alone.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=4096)
def to_format_style(sql: str, backslash_escapes: bool = False) -> str:
    """Return ``sql`` with ``?`` outside literals replaced by ``%s`` and ``%`` escaped."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"', "`"):
            end = _end_of_quoted(sql, i, ch, backslash_escapes)
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = n if end < 0 else end + 2
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
        if backslash_escapes and sql[i] == "\\" and quote == "'":
            i += 2  # MySQL reads backslash escapes inside strings
            continue
        if sql[i] == quote:
            if i + 1 < n and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n
