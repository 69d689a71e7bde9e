"""SQLite reader for ``introspect``: ``PRAGMA``s plus the CREATE TABLE text.

SQLite keeps declared type names verbatim, so types read back as the dialect wrote them.  Two
facts are only in the ``CREATE TABLE`` text of ``sqlite_master``: ``AUTOINCREMENT`` and the names
of constraints (``PRAGMA foreign_key_list`` and the ``sqlite_autoindex_*`` indexes behind UNIQUE
constraints carry none).  The text is tokenized properly (quoted identifiers, string literals,
comments) to find them; a constraint declared without a name gets the deterministic name
``schema/model.py`` would give it (``names.constraint_name``).
"""

from __future__ import annotations

import re
from typing import Any

from ...schema.compare import canonical_sql_default
from ...schema.introspect import column_dict, decimal_type, new_table, str_type, unknown_type
from ...schema.names import constraint_name

_SIMPLE_TYPES = {
    "INTEGER": "int", "INT": "int",
    "REAL": "float", "DOUBLE": "float", "DOUBLE PRECISION": "float", "FLOAT": "float",
    "BOOLEAN": "bool", "BOOL": "bool",
    "BLOB": "bytes", "BYTEA": "bytes",
    "DATETIME": "datetime", "TIMESTAMP": "datetime",
    "DATE": "date", "TIME": "time", "UUID": "uuid", "JSON": "json", "JSONB": "json",
    "TIMESTAMPTZ": "datetimetz", "INTERVAL": "timedelta",
}
_INT_SIZES = {"TINYINT": 8, "SMALLINT": 16, "MEDIUMINT": 24, "BIGINT": 64}
_TEMPORAL = ("DATETIME", "TIMESTAMP", "TIMESTAMPTZ", "TIME")
_TYPE = re.compile(r"([A-Z][A-Z ]*?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?", re.I)


def read_tables(db: Any) -> dict[str, dict[str, Any]]:
    """Return ``{table name: table dict}`` for every table in the SQLite database."""
    rows = db._execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return {name: _read_table(db, name, sql or "") for name, sql in rows}


def _read_table(db: Any, name: str, create_sql: str) -> dict[str, Any]:
    quoted = '"' + name.replace('"', '""') + '"'
    items = table_items(create_sql)
    table = new_table()
    info = db._execute(f"PRAGMA table_info({quoted})")
    pk = sorted((row[5], row[1]) for row in info if row[5])
    table["primary_key"] = [col for _, col in pk]
    autoincrement = {item.column for item in items if item.autoincrement}
    for _cid, col, sql_type, notnull, dflt, pk_pos in info:
        type_info = parse_type(sql_type)
        auto = col in autoincrement and len(pk) == 1 and type_info["type"] == "int"
        table["columns"][col] = column_dict(
            type_info,
            nullable=not notnull and not pk_pos,
            auto=auto,
            sql_default=canonical_sql_default(dflt, type_info["type"]),
        )
    _read_indexes(db, name, quoted, items, table)
    _read_foreign_keys(db, name, quoted, items, table)
    return table


def parse_type(sql_type: str) -> dict[str, Any]:
    """Map a declared SQLite type (``VARCHAR(80)``, ``DECIMAL(10,3)``...) to a logical type."""
    match = _TYPE.fullmatch(sql_type.strip())
    if not match:
        return unknown_type(sql_type)
    base = " ".join(match.group(1).upper().split())
    size = int(match.group(2)) if match.group(2) else None
    scale = int(match.group(3)) if match.group(3) else None
    unsigned = base.endswith(" UNSIGNED")
    base = base.removesuffix(" UNSIGNED")
    if base in _INT_SIZES or (unsigned and _SIMPLE_TYPES.get(base) == "int"):
        found: dict[str, Any] = {"type": "int"}
        if base in _INT_SIZES:
            found["size"] = _INT_SIZES[base]
        return {**found, "unsigned": True} if unsigned else found
    if base in _TEMPORAL and size is not None and size != 6:
        return {"type": _SIMPLE_TYPES[base], "precision": size}
    if base in _SIMPLE_TYPES:
        return {"type": _SIMPLE_TYPES[base]}
    if base in ("DECIMAL", "NUMERIC"):
        return decimal_type(size, scale)
    if base == "VECTOR" and size:
        return {"type": "vector", "dimensions": size}
    if base in ("VARCHAR", "CHARACTER VARYING", "NVARCHAR", "CHAR", "CHARACTER", "NCHAR"):
        return str_type(size)
    if base in ("TEXT", "CLOB"):
        return str_type(None)
    return unknown_type(sql_type)


def _read_indexes(db: Any, name: str, quoted: str, items: list, table: dict) -> None:
    named_uniques = {tuple(i.columns): i.name for i in items if i.kind == "UNIQUE" and i.name}
    for _seq, index, unique, origin, *_ in db._execute(f"PRAGMA index_list({quoted})"):
        if origin == "pk":
            continue
        index_quoted = '"' + index.replace('"', '""') + '"'
        cols = [r[2] for r in sorted(db._execute(f"PRAGMA index_info({index_quoted})"))]
        if origin == "u":
            unique_name = named_uniques.get(tuple(cols)) or constraint_name("unq", name, cols)
            table["uniques"][unique_name] = {"columns": cols}
        else:
            table["indexes"][index] = {"columns": cols, "unique": bool(unique)}


def _read_foreign_keys(db: Any, name: str, quoted: str, items: list, table: dict) -> None:
    named = {tuple(i.columns): i.name for i in items if i.kind == "FOREIGN" and i.name}
    grouped: dict[int, list[tuple]] = {}
    for row in db._execute(f"PRAGMA foreign_key_list({quoted})"):
        grouped.setdefault(row[0], []).append(row)
    for rows in grouped.values():
        rows.sort(key=lambda r: r[1])
        cols = [r[3] for r in rows]
        ref_table = rows[0][2]
        ref_cols = [r[4] for r in rows]
        if any(c is None for c in ref_cols):  # REFERENCES t without columns: t's primary key
            ref_info = db._execute(f'PRAGMA table_info("{ref_table.replace(chr(34), chr(34) * 2)}")')
            ref_cols = [r[1] for r in sorted((r for r in ref_info if r[5]), key=lambda r: r[5])]
        fk_name = named.get(tuple(cols)) or constraint_name("fk", name, cols)
        table["foreign_keys"][fk_name] = {
            "columns": cols,
            "ref_table": ref_table,
            "ref_columns": ref_cols,
            "on_delete": rows[0][6].upper(),
        }


# -- the CREATE TABLE text --------------------------------------------------------------------


class TableItem:
    """One comma-separated item of a CREATE TABLE body: a column or a table constraint."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        words = [(kind, value.upper() if kind == "word" else value) for kind, value in tokens]
        self.name: str | None = None
        self.kind = "COLUMN"
        self.column: str | None = None
        self.columns: list[str] = []
        rest = words
        if rest and rest[0] == ("word", "CONSTRAINT") and len(rest) > 1:
            self.name = tokens[1][1]
            rest = rest[2:]
        head = rest[0][1] if rest and rest[0][0] == "word" else None
        if head in ("UNIQUE", "FOREIGN", "PRIMARY", "CHECK"):
            self.kind = head
            self.columns = _first_paren_list(tokens[len(words) - len(rest):])
        elif rest:
            self.column = tokens[len(words) - len(rest)][1]
        self.autoincrement = self.kind == "COLUMN" and ("word", "AUTOINCREMENT") in words


def table_items(create_sql: str) -> list[TableItem]:
    """Split a CREATE TABLE statement's body into its columns and constraints."""
    tokens = tokenize(create_sql)
    items: list[TableItem] = []
    depth = 0
    current: list[tuple[str, str]] = []
    for kind, value in tokens:
        if kind == "punct" and value == "(":
            depth += 1
            if depth == 1:
                continue
        elif kind == "punct" and value == ")":
            depth -= 1
            if depth == 0:
                break
        if depth == 0:
            continue
        if depth == 1 and kind == "punct" and value == ",":
            items.append(TableItem(current))
            current = []
        else:
            current.append((kind, value))
    if current:
        items.append(TableItem(current))
    return items


def _first_paren_list(tokens: list[tuple[str, str]]) -> list[str]:
    """Return the column names of the first parenthesized list (``ASC``, ``COLLATE x`` skipped)."""
    names: list[str] = []
    depth = 0
    after_collate = False
    for kind, value in tokens:
        if kind == "punct" and value == "(":
            depth += 1
        elif kind == "punct" and value == ")":
            depth -= 1
            if depth == 0:
                break
        elif depth == 1 and kind in ("word", "ident"):
            keyword = value.upper() if kind == "word" else ""
            if not after_collate and keyword not in ("ASC", "DESC", "COLLATE"):
                names.append(value)
            after_collate = keyword == "COLLATE"
    return names


_WORD = re.compile(r"[A-Za-z_0-9$]+")


def tokenize(sql: str) -> list[tuple[str, str]]:
    """Split SQL into ``word``, ``ident`` (quoted), ``string``, ``punct`` and ``other`` tokens."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(sql)
    closers = {'"': '"', "`": "`", "[": "]", "'": "'"}
    while i < n:
        ch = sql[i]
        if ch.isspace():
            i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif ch in closers:
            close = closers[ch]
            j, value = i + 1, []
            while j < n:
                if sql[j] == close:
                    if close != "]" and j + 1 < n and sql[j + 1] == close:
                        value.append(close)
                        j += 2
                        continue
                    break
                value.append(sql[j])
                j += 1
            tokens.append(("string" if ch == "'" else "ident", "".join(value)))
            i = j + 1
        elif ch in "(),":
            tokens.append(("punct", ch))
            i += 1
        else:
            match = _WORD.match(sql, i)
            if match:
                tokens.append(("word", match.group()))
                i = match.end()
            else:
                tokens.append(("other", ch))
                i += 1
    return tokens
