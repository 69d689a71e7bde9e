"""Make a model schema dict comparable with an introspected one.

A live database knows only what it stores.  The model also carries keys that exist only on the
Python side (``default``, the declared Python default, and ``empty_default``, an ``Opt[str]``
that stores ``''``), and servers spell the same SQL default differently (PostgreSQL writes
``'new'::character varying``, MariaDB ``current_timestamp(6)`` and ``0.000``, SQLite keeps the
text verbatim).  :func:`physical` drops the logical keys and :func:`canonical_sql_default`
gives one spelling per default, so that right after ``create_tables``::

    introspect(db) == physical(db.schema_dict())

Building a schema imports this module (the migration runtime too); its patterns are compiled
when first used (``re``'s cache), and ``copy`` and ``decimal`` are imported where needed.
"""

from __future__ import annotations

import re
from typing import Any

from .columns import MODEL_ONLY_KEYS

NUMERIC_TYPES = ("int", "float", "decimal")
TEXT_TYPES = ("str", "uuid", "json")

_NUMBER = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
#: A trailing PostgreSQL cast such as ``::character varying`` or ``::numeric(12,2)``.
_CAST = r"(?i)::\s*[a-z_][a-z0-9_ ]*(\(\s*\d+(\s*,\s*\d+)?\s*\))?(\[\])?\s*$"
_FUNCTION_SPELLINGS = {
    "current_timestamp": "CURRENT_TIMESTAMP",
    "now": "CURRENT_TIMESTAMP",
    "localtimestamp": "CURRENT_TIMESTAMP",
    "current_date": "CURRENT_DATE",
    "curdate": "CURRENT_DATE",
    "current_time": "CURRENT_TIME",
    "curtime": "CURRENT_TIME",
}
_SIGN_SPACE = r"^([+-])\s+(?=[\d.])"
_FUNCTION = r"(?i)([a-z_]+)\s*(\(\s*\d*\s*\))?"


def physical(schema: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of ``schema`` without model-only keys and with canonical SQL defaults."""
    result = _plain_copy(schema)
    for table in result.get("tables", {}).values():
        for column in table.get("columns", {}).values():
            for key in MODEL_ONLY_KEYS:
                column.pop(key, None)
            if "sql_default" in column:
                canonical = canonical_sql_default(column["sql_default"], column.get("type", ""))
                if canonical is None:
                    del column["sql_default"]
                else:
                    column["sql_default"] = canonical
    return result


def _plain_copy(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts and lists; other values are immutable here).

    Several times faster than ``copy.deepcopy``, which keeps a memo for shared and cyclic
    objects that a schema dict never holds.
    """
    if isinstance(value, dict):
        return {key: _plain_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_copy(item) for item in value]
    return value


def canonical_sql_default(
    expr: Any, ltype: str, *, backslash_escapes: bool = False
) -> str | None:
    """Return one spelling of an SQL default expression, or None for ``NULL``/no default.

    Numbers lose a leading ``+`` and trailing fractional zeros (``0.000`` -> ``0``); booleans
    become ``TRUE``/``FALSE``; string literals are single-quoted with ``''`` escapes (MariaDB
    reports ``'it\\'s'``: pass ``backslash_escapes=True`` for its spelling); PostgreSQL casts
    are dropped; ``current_timestamp(6)``, ``now()`` and friends become ``CURRENT_TIMESTAMP``.
    Anything else is returned as written, without surrounding parentheses.
    """
    if expr is None:
        return None
    text = _strip_parens(str(expr).strip())
    while re.search(_CAST, text):
        text = _strip_parens(re.sub(_CAST, "", text).strip())
    if not text or text.upper() == "NULL":
        return None
    text = re.sub(_SIGN_SPACE, r"\1", text)  # PostgreSQL reports DEFAULT +7 as "+ 7"
    literal = _string_literal(text, backslash_escapes)
    if literal is not None:
        if ltype in NUMERIC_TYPES and re.fullmatch(_NUMBER, literal.strip()):
            return _canonical_number(literal.strip())
        if ltype == "bool" and literal.strip().lower() in ("1", "0", "t", "f", "true", "false"):
            return _canonical_bool(literal.strip())
        return "'" + literal.replace("'", "''") + "'"
    if ltype == "bool" and text.lower() in ("1", "0", "true", "false"):
        return _canonical_bool(text)
    if re.fullmatch(_NUMBER, text):
        if ltype in TEXT_TYPES:  # PostgreSQL and MariaDB report DEFAULT 5 on text as '5'
            return "'" + text + "'"
        return _canonical_number(text)
    function = re.fullmatch(_FUNCTION, text)
    if function and function.group(1).lower() in _FUNCTION_SPELLINGS:
        name = function.group(1).lower()
        if function.group(2) is not None or name.startswith(("current_", "local")):
            return _FUNCTION_SPELLINGS[name]
    return text


def _canonical_number(text: str) -> str:
    text = text.lstrip("+")
    if "e" in text.lower():  # PostgreSQL reports DEFAULT 1e3 as 1000, 2.5e-7 as 2.5e-07
        from decimal import Decimal

        text = format(Decimal(text), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
        if text.startswith("."):
            text = "0" + text
        elif text.startswith("-."):
            text = "-0" + text[1:]
    return "0" if text in ("-0", "") else text


def _canonical_bool(text: str) -> str:
    return "TRUE" if text.lower() in ("1", "t", "true") else "FALSE"


def _strip_parens(text: str) -> str:
    """Remove parentheses that wrap the whole expression: ``((1))`` -> ``1``."""
    while text.startswith("(") and text.endswith(")") and _closing_paren(text) == len(text) - 1:
        text = text[1:-1].strip()
    return text


def _closing_paren(text: str) -> int:
    depth = 0
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _string_literal(text: str, backslash_escapes: bool) -> str | None:
    """Return the value of a single-quoted SQL string literal, or None if ``text`` is not one."""
    if len(text) < 2 or text[0] != "'" or text[-1] != "'":
        return None
    out: list[str] = []
    i, end = 1, len(text) - 1
    while i < end:
        ch = text[i]
        if backslash_escapes and ch == "\\" and i + 1 < end:
            nxt = text[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0", "Z": "\x1a"}.get(nxt, nxt))
            i += 2
            continue
        if ch == "'":
            if i + 1 < end and text[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            return None  # a quote in the middle: an expression such as 'a' || 'b'
        out.append(ch)
        i += 1
    return "".join(out)
