"""MariaDB/MySQL reader for ``introspect``: ``information_schema`` in ``DATABASE()``.

MariaDB stores some logical types under other names, which this reader undoes:
``BOOLEAN`` is ``tinyint(1)``, ``uuid`` is ``char(36)``, unlimited ``str`` is ``longtext`` and
``JSON`` is ``longtext`` with a ``json_valid(col)`` CHECK constraint (MySQL 8 has a real
``json`` type).  A unique constraint is a unique index here, so every unique index is reported
under ``uniques`` with its name.  Defaults are read from ``COLUMN_DEFAULT``: MariaDB quotes
string literals (with backslash escapes) and writes ``NULL`` for "no default"; MySQL 8 does not
quote literals and marks expressions with ``DEFAULT_GENERATED``.
"""

from __future__ import annotations

import re
from typing import Any

from ...schema.compare import canonical_sql_default
from ...schema.introspect import column_dict, decimal_type, new_table, str_type, unknown_type
from .dialect import MARKED_TYPES

_SIMPLE_TYPES = {
    "int": "int", "integer": "int", "bigint": "int", "smallint": "int", "mediumint": "int",
    "tinyint": "int", "double": "float", "float": "float", "real": "float",
    "longblob": "bytes", "blob": "bytes", "mediumblob": "bytes", "tinyblob": "bytes",
    "varbinary": "bytes", "binary": "bytes",
    "datetime": "datetime", "timestamp": "datetime", "date": "date", "time": "time",
    "json": "json", "bool": "bool", "boolean": "bool",
}
_TEXT_TYPES = ("longtext", "mediumtext", "text", "tinytext")
_INT_SIZES = {"int": None, "integer": None, "bigint": 64, "smallint": 16, "mediumint": 24,
              "tinyint": 8}
_MARKER = "nextorm:"
_VECTOR = re.compile(r"vector\((\d+)\)")  # the marker of a Vec column, ``vector(384)``
_TYPE = re.compile(r"([a-z]+)(?:\((\d+)(?:,(\d+))?\))?((?: unsigned| zerofill)*)")
#: ``json_valid(`col`)``; a backtick in the name is doubled (``json_valid(`a``b`)``).
_JSON_CHECK = re.compile(r"json_valid\((?:`((?:[^`]|``)+)`|([^`)]+))\)", re.I)

_COLUMNS_SQL = """
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, COLUMN_COMMENT
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = DATABASE()
  AND TABLE_NAME IN (SELECT TABLE_NAME FROM information_schema.TABLES
                     WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE')
ORDER BY TABLE_NAME, ORDINAL_POSITION
"""
_CHECKS_SQL = """
SELECT TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE()
"""
_INDEXES_SQL = """
SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()
ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX
"""
_FOREIGN_KEYS_SQL = """
SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME,
       k.REFERENCED_COLUMN_NAME, r.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
  ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.TABLE_NAME = k.TABLE_NAME
 AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION
"""


def read_tables(db: Any) -> dict[str, dict[str, Any]]:
    """Return ``{table name: table dict}`` for every table in the current database."""
    mariadb = "mariadb" in str(db._execute("SELECT VERSION()")[0][0]).lower()
    json_columns = _json_checked_columns(db) if mariadb else set()
    tables: dict[str, dict[str, Any]] = {}
    for table_name, col, sql_type, nullable, default, extra, comment in db._execute(_COLUMNS_SQL):
        table = tables.setdefault(table_name, new_table())
        if str(comment or "").startswith(_MARKER):
            sql_type += f" COMMENT '{comment}'"
        type_info = parse_type(sql_type, (table_name, col) in json_columns)
        extra = (extra or "").lower()
        if not mariadb and default is not None and "default_generated" not in extra:
            default = "'" + str(default).replace("'", "''") + "'"  # MySQL 8: a bare literal
        table["columns"][col] = column_dict(
            type_info,
            nullable=nullable == "YES",
            auto="auto_increment" in extra,
            sql_default=canonical_sql_default(default, type_info["type"], backslash_escapes=True),
        )
    indexes: dict[tuple[str, str], tuple[bool, list[str]]] = {}
    for table_name, index, non_unique, col in db._execute(_INDEXES_SQL):
        indexes.setdefault((table_name, index), (not int(non_unique), []))[1].append(col)
    for (table_name, index), (unique, cols) in indexes.items():
        if table_name not in tables:
            continue
        if index == "PRIMARY":
            tables[table_name]["primary_key"] = cols
        elif unique:
            tables[table_name]["uniques"][index] = {"columns": cols}
        else:
            tables[table_name]["indexes"][index] = {"columns": cols, "unique": False}
    for table_name, fk, col, ref_table, ref_col, on_delete in db._execute(_FOREIGN_KEYS_SQL):
        if table_name not in tables:
            continue
        entry = tables[table_name]["foreign_keys"].setdefault(
            fk, {"columns": [], "ref_table": ref_table, "ref_columns": [],
                 "on_delete": on_delete.upper()}
        )
        entry["columns"].append(col)
        entry["ref_columns"].append(ref_col)
    return tables


def _json_checked_columns(db: Any) -> set[tuple[str, str]]:
    """(table, column) pairs guarded by MariaDB's ``json_valid`` CHECK, i.e. JSON columns."""
    found = set()
    for table_name, clause in db._execute(_CHECKS_SQL):
        match = _JSON_CHECK.fullmatch(str(clause).strip())
        if match:
            quoted, bare = match.groups()
            found.add((table_name, quoted.replace("``", "`") if quoted else bare))
    return found


def parse_type(sql_type: str, json_checked: bool = False) -> dict[str, Any]:
    """Map ``COLUMN_TYPE`` (``varchar(80)``, ``tinyint(1)``, ``decimal(10,3)``...) to a type.

    A column NextORM marked with a ``nextorm:<type>`` comment (``dialect.declared_type``) is
    that logical type: ``bigint COMMENT 'nextorm:timedelta'``.
    """
    sql_type, _, marker = sql_type.partition(" COMMENT ")
    marked = marker.strip("'")[len(_MARKER):] if marker.strip("'").startswith(_MARKER) else None
    found = _parse(sql_type)
    if marked in MARKED_TYPES and found["type"] in ("int", "datetime"):
        found = {**found, "type": marked}
        found.pop("size", None)
    vector = _VECTOR.fullmatch(marked or "")
    if vector and found == str_type(None):
        return {"type": "vector", "dimensions": int(vector.group(1))}
    return {"type": "json"} if json_checked and found == str_type(None) else found


def _parse(sql_type: str) -> dict[str, Any]:
    match = _TYPE.fullmatch(sql_type.strip().lower())
    if not match:
        return unknown_type(sql_type)
    base, size, scale, modifiers = match.groups()
    if base == "tinyint" and size == "1":
        return {"type": "bool"}
    if base == "char" and size == "36":
        return {"type": "uuid"}
    if base in _TEXT_TYPES:
        return str_type(None)
    if base in ("varchar", "char"):
        return str_type(int(size) if size else None)
    if base in ("decimal", "numeric"):
        return decimal_type(int(size) if size else None, int(scale) if scale else None)
    if base in _INT_SIZES:
        found: dict[str, Any] = {"type": "int"}
        if _INT_SIZES[base]:
            found["size"] = _INT_SIZES[base]
        if "unsigned" in modifiers:
            found["unsigned"] = True
        return found
    if base in ("datetime", "time"):
        digits = int(size) if size else 0
        return {"type": base} if digits == 6 else {"type": base, "precision": digits}
    if base in _SIMPLE_TYPES:
        return {"type": _SIMPLE_TYPES[base]}
    return unknown_type(sql_type)
