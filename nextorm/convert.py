"""Python values <-> column values, per logical type and dialect.

Each logical type gets a pair of functions for a dialect: ``to_db`` turns the attribute's Python
value into what the driver stores, ``from_db`` turns what the driver returns back into the
Python value.  ``None`` in either slot means "pass through unchanged" (the fast path).  The pairs
are chosen so every dialect gives the *same* Python values back:

==========  =================================  =========================================
type        SQLite stores                      read back as
==========  =================================  =========================================
bool        0 / 1                              ``bool`` (MariaDB's TINYINT too)
decimal     text (NUMERIC affinity)            ``Decimal`` quantized to the column scale
datetime    ``YYYY-MM-DD HH:MM:SS.ffffff``     naive ``datetime``; an aware value is
                                               converted to UTC first, on every dialect
date        ``YYYY-MM-DD``                     ``date``
time        ``HH:MM:SS.ffffff``                ``time`` (MariaDB returns a timedelta)
uuid        36-character text                  ``uuid.UUID`` (MariaDB: CHAR(36))
json        JSON text                          the decoded value (PostgreSQL: JSONB)
enum        the member's value                 the member
bytes       BLOB                               ``bytes`` (never memoryview)
==========  =================================  =========================================

The text forms for SQLite have a fixed width, so ordering and comparison in SQL match the
other servers.  Decimal values on SQLite go through its NUMERIC affinity, so precision is
that of a double (15 significant digits).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

Converter = Callable[[Any], Any] | None


def converters(py_type: Any, ltype: str, column: dict[str, Any], dialect: str
               ) -> tuple[Converter, Converter]:
    """Return ``(to_db, from_db)`` for an attribute of ``py_type`` stored as ``column``."""
    if ltype == "enum":
        return _enum_converters(py_type)
    if ltype == "decimal":
        return _decimal_converters(column.get("scale"), dialect)
    make = _BUILDERS.get(ltype)
    return make(dialect) if make else (None, None)


def _enum_converters(enum_type: type[enum.Enum]) -> tuple[Converter, Converter]:
    def to_db(value: Any) -> Any:
        if value is None:
            return None
        return value.value if isinstance(value, enum.Enum) else enum_type(value).value

    def from_db(value: Any) -> Any:
        return None if value is None else enum_type(value)

    return to_db, from_db


def _decimal_converters(scale: int | None, dialect: str) -> tuple[Converter, Converter]:
    quantum = Decimal(1).scaleb(-scale) if scale is not None else None

    def from_db(value: Any) -> Any:
        if value is None:
            return None
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        return number.quantize(quantum) if quantum is not None else number

    if dialect == "sqlite":
        def to_db(value: Any) -> Any:
            return None if value is None else str(Decimal(value))
        return to_db, from_db
    return None, from_db


def _bool(dialect: str) -> tuple[Converter, Converter]:
    def from_db(value: Any) -> Any:
        return None if value is None else bool(value)

    if dialect == "postgres":
        return None, None
    return (lambda v: None if v is None else int(bool(v))), from_db


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _datetime(dialect: str) -> tuple[Converter, Converter]:
    if dialect == "sqlite":
        def to_db(value: Any) -> Any:
            if value is None:
                return None
            return _naive_utc(value).isoformat(sep=" ", timespec="microseconds")

        def from_db(value: Any) -> Any:
            return None if value is None else dt.datetime.fromisoformat(value)

        return to_db, from_db
    return (lambda v: None if v is None else _naive_utc(v)), None


def _date(dialect: str) -> tuple[Converter, Converter]:
    if dialect == "sqlite":
        return (lambda v: None if v is None else v.isoformat(),
                lambda v: None if v is None else dt.date.fromisoformat(v))
    return None, None


def _time(dialect: str) -> tuple[Converter, Converter]:
    if dialect == "sqlite":
        return (lambda v: None if v is None else v.isoformat(timespec="microseconds"),
                lambda v: None if v is None else dt.time.fromisoformat(v))
    if dialect == "mysql":
        def from_db(value: Any) -> Any:
            if isinstance(value, dt.timedelta):  # PyMySQL reads TIME as a duration
                micros = value // dt.timedelta(microseconds=1)
                seconds, micro = divmod(micros, 1_000_000)
                return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)
            return value

        return None, from_db
    return None, None


def _uuid(dialect: str) -> tuple[Converter, Converter]:
    def from_db(value: Any) -> Any:
        if value is None or isinstance(value, uuid.UUID):
            return value
        return uuid.UUID(value)

    if dialect == "postgres":
        return None, None
    return (lambda v: None if v is None else str(v if isinstance(v, uuid.UUID) else uuid.UUID(v))
            ), from_db


def _json(dialect: str) -> tuple[Converter, Converter]:
    if dialect == "postgres":
        from psycopg.types.json import Jsonb

        return (lambda v: None if v is None else Jsonb(v)), None

    def from_db(value: Any) -> Any:
        if value is None or not isinstance(value, str | bytes):
            return value  # SQLite's NUMERIC affinity turned '3' into 3 already
        return json.loads(value)

    return (lambda v: None if v is None else json.dumps(v)), from_db


def _bytes(dialect: str) -> tuple[Converter, Converter]:
    return None, (lambda v: None if v is None else bytes(v))


_BUILDERS: dict[str, Callable[[str], tuple[Converter, Converter]]] = {
    "bool": _bool,
    "datetime": _datetime,
    "date": _date,
    "time": _time,
    "uuid": _uuid,
    "json": _json,
    "bytes": _bytes,
}
