"""Python values <-> column values, per logical type and storage form.

Each logical type gets a pair of functions: ``to_db`` turns the attribute's Python value into
what the driver stores, ``from_db`` turns what the driver returns back into the Python value.
``None`` in either slot means "pass through unchanged" (the fast path).  How a server stores a
type is its dialect's business: each dialect names a *form* per logical type
(``Dialect.value_forms``; a type it does not name is stored natively), and this module only
knows the forms.  The pairs are chosen so every server gives the *same* Python values back:

==========  =======================================  =====================================
type        forms                                    read back as
==========  =======================================  =====================================
bool        native, ``int`` (0 / 1)                  ``bool`` (MariaDB's TINYINT too)
decimal     native, ``text``                         ``Decimal`` quantized to the scale
datetime    native (naive UTC), ``text``             naive ``datetime``; an aware value is
            (``YYYY-MM-DD HH:MM:SS.ffffff``)         converted to UTC first
datetimetz  native, ``naive_utc``, ``text``          an aware ``datetime`` in UTC
date        native, ``text`` (``YYYY-MM-DD``)        ``date``
time        native, ``text``, ``timedelta`` (the     ``time``
            driver reads TIME as a duration)
timedelta   native (INTERVAL), ``micros`` (int)      ``timedelta``
uuid        native, ``text`` (36 characters)         ``uuid.UUID``
json        native, ``text``, ``jsonb``              the decoded value
enum        the member's value                       the member
bytes       BLOB                                     ``bytes`` (never memoryview)
vector      native (``REAL[]``), ``text`` (JSON)     a list of floats
==========  =======================================  =====================================

The text forms have a fixed width, so ordering and comparison in SQL match the other servers.
Decimal values in the ``text`` form go through SQLite's NUMERIC affinity, so precision is that
of a double (15 significant digits).

Migration files written by makemigrations call ``converters(None, ltype, column, "<server>")``:
a dialect registers its forms under its name (``register_forms``) when its class is defined.
Binding a database thus imports this module, so it imports ``json`` and ``uuid`` only in the
builders of the types that need them (``datetime`` comes with every driver).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from typing import Any

Converter = Callable[[Any], Any] | None

#: The storage forms of each dialect, by its name (filled by ``register_forms``).
_FORMS: dict[str, Mapping[str, str]] = {}


def register_forms(dialect_name: str, forms: Mapping[str, str]) -> None:
    """Record how the dialect called ``dialect_name`` stores each logical type."""
    _FORMS[dialect_name] = forms


def converters(py_type: Any, ltype: str, column: dict[str, Any],
               forms: Mapping[str, str] | str) -> tuple[Converter, Converter]:
    """Return ``(to_db, from_db)`` for an attribute of ``py_type`` stored as ``column``.

    ``forms`` is the dialect's ``value_forms`` (or, in migration files, its name).
    """
    if isinstance(forms, str):
        forms = _FORMS.get(forms, {})
    form = forms.get(ltype, "native")
    if ltype == "enum":
        return _enum_converters(py_type)
    if ltype == "decimal":
        return _decimal_converters(column.get("scale"), form)
    make = _BUILDERS.get(ltype)
    return make(form) if make else (None, None)


def _enum_converters(enum_type: type[enum.Enum]) -> tuple[Converter, Converter]:
    def to_db(value: Any) -> Any:
        if value is None:
            return None
        return value.value if isinstance(value, enum.Enum) else enum_type(value).value

    def from_db(value: Any) -> Any:
        return None if value is None else enum_type(value)

    return to_db, from_db


def _decimal_converters(scale: int | None, form: str) -> tuple[Converter, Converter]:
    from decimal import Decimal  # 1 ms at start-up: only a decimal column needs it

    quantum = Decimal(1).scaleb(-scale) if scale is not None else None

    def from_db(value: Any) -> Any:
        if value is None:
            return None
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        return number.quantize(quantum) if quantum is not None else number

    if form == "text":
        def to_db(value: Any) -> Any:
            return None if value is None else str(Decimal(value))
        return to_db, from_db
    return None, from_db


def _bool(form: str) -> tuple[Converter, Converter]:
    def from_db(value: Any) -> Any:
        return None if value is None else bool(value)

    if form == "native":
        return None, None
    return (lambda v: None if v is None else int(bool(v))), from_db


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def _datetime(form: str) -> tuple[Converter, Converter]:
    if form == "text":
        def to_db(value: Any) -> Any:
            if value is None:
                return None
            return _naive_utc(value).isoformat(sep=" ", timespec="microseconds")

        def from_db(value: Any) -> Any:
            return None if value is None else dt.datetime.fromisoformat(value)

        return to_db, from_db
    return (lambda v: None if v is None else _naive_utc(v)), None


def _date(form: str) -> tuple[Converter, Converter]:
    if form == "text":
        return (lambda v: None if v is None else v.isoformat(),
                lambda v: None if v is None else dt.date.fromisoformat(v))
    return None, None


def _time(form: str) -> tuple[Converter, Converter]:
    if form == "text":
        return (lambda v: None if v is None else v.isoformat(timespec="microseconds"),
                lambda v: None if v is None else dt.time.fromisoformat(v))
    if form == "timedelta":
        def from_db(value: Any) -> Any:
            if isinstance(value, dt.timedelta):  # PyMySQL reads TIME as a duration
                micros = value // dt.timedelta(microseconds=1)
                seconds, micro = divmod(micros, 1_000_000)
                return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60, micro)
            return value

        return None, from_db
    return None, None


def _uuid(form: str) -> tuple[Converter, Converter]:
    import uuid

    def from_db(value: Any) -> Any:
        if value is None or isinstance(value, uuid.UUID):
            return value
        return uuid.UUID(value)

    if form == "native":
        return None, None
    return (lambda v: None if v is None else str(v if isinstance(v, uuid.UUID) else uuid.UUID(v))
            ), from_db


def _json(form: str) -> tuple[Converter, Converter]:
    import json

    if form == "jsonb":
        from psycopg.types.json import Jsonb

        return (lambda v: None if v is None else Jsonb(v)), None

    def from_db(value: Any) -> Any:
        if value is None or not isinstance(value, str | bytes):
            return value  # SQLite's NUMERIC affinity turned '3' into 3 already
        return json.loads(value)

    return (lambda v: None if v is None else json.dumps(v)), from_db


def _bytes(form: str) -> tuple[Converter, Converter]:
    return None, (lambda v: None if v is None else bytes(v))


def _datetimetz(form: str) -> tuple[Converter, Converter]:
    def utc(value: Any) -> Any:
        return None if value is None else value.astimezone(dt.UTC)

    if form == "text":  # fixed width, so text order is time order
        return ((lambda v: None if v is None else
                 utc(v).isoformat(sep=" ", timespec="microseconds")),
                lambda v: None if v is None else dt.datetime.fromisoformat(v))
    if form == "naive_utc":
        return ((lambda v: None if v is None else utc(v).replace(tzinfo=None)),
                lambda v: None if v is None else v.replace(tzinfo=dt.UTC))
    return None, utc


def _timedelta(form: str) -> tuple[Converter, Converter]:
    if form == "micros":  # a whole number of microseconds
        return ((lambda v: None if v is None else v // dt.timedelta(microseconds=1)),
                lambda v: None if v is None else dt.timedelta(microseconds=int(v)))
    return None, None


def _floats(value: Any) -> Any:
    return None if value is None else [float(x) for x in value]


def _vector(form: str) -> tuple[Converter, Converter]:
    """A ``Vec``: its numbers as floats (psycopg refuses a list mixing ints and floats)."""
    import json

    if form == "text":
        def from_db(value: Any) -> Any:
            return json.loads(value) if isinstance(value, str | bytes) else _floats(value)

        return (lambda v: None if v is None else json.dumps(_floats(v))), from_db
    return _floats, None


_BUILDERS: dict[str, Callable[[str], tuple[Converter, Converter]]] = {
    "datetimetz": _datetimetz,
    "timedelta": _timedelta,
    "bool": _bool,
    "datetime": _datetime,
    "date": _date,
    "time": _time,
    "uuid": _uuid,
    "json": _json,
    "bytes": _bytes,
    "vector": _vector,
}
