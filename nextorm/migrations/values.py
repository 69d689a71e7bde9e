"""Check a value for existing rows against its column's type, before it goes into a file.

A value typed at makemigrations' question, given with ``--default TABLE.COLUMN=VALUE`` or
passed as ``defaults={...}`` to the Python API becomes part of a migration that runs later,
on a production database.  A wrong value found there fails a deploy (or, on SQLite, silently
stores text in an INTEGER column), so it is refused here, with the reason, and asked again.

``coerce`` returns the value in the form the dialects render and the ORM stores: numbers and
booleans as such, text as text, dates and times in ISO form with a space and microseconds
(SQLite compares them as text), bytes as ``{"hex": ...}`` and JSON as ``{"json": ...}``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

_WORDS = {
    "int": "an integer", "float": "a number", "bool": "true or false", "str": "text",
    "decimal": "a decimal number", "date": "a date YYYY-MM-DD",
    "datetime": "a date and time YYYY-MM-DD HH:MM:SS", "time": "a time HH:MM:SS",
    "uuid": "a UUID", "bytes": "hex digits", "json": "a JSON value",
    "vector": "a list of floats",
}


def type_words(col: dict[str, Any]) -> str:
    """Return what a value of this column looks like, for questions and errors."""
    words = _WORDS.get(col["type"], col["type"])
    if col["type"] == "str" and col.get("max_len"):
        words += f" of at most {col['max_len']} characters"
    elif col["type"] == "decimal":
        words += f" of at most {col['precision']} digits, {col['scale']} after the point"
    elif col["type"] == "int" and col.get("unsigned"):
        words += " of 0 or more"
    elif col["type"] == "vector":
        words = f"a list of {col['dimensions']} floats, e.g. [{', '.join(['0'] * min(3, col['dimensions']))}]"
    return words


def coerce(value: Any, col: dict[str, Any]) -> Any:
    """Return ``value`` as a valid value of column ``col``; raise ValueError saying why not.

    ``value`` is text (typed, or from the command line) or a Python value (the API).
    """
    if value is None:
        raise ValueError(f"the column is NOT NULL, so it needs {type_words(col)}, not None")
    convert = _CONVERTERS.get(col["type"])
    if convert is None:
        return value
    try:
        return convert(value, col)
    except (ValueError, TypeError, InvalidOperation, OverflowError):
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise ValueError(f"{shown} is not {type_words(col)}") from None


def _int(value: Any, col: dict[str, Any]) -> int:
    if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
        raise ValueError(value)
    number = int(value.strip()) if isinstance(value, str) else int(value)
    if col.get("unsigned") and number < 0:
        raise ValueError(value)
    return number


def _float(value: Any, col: dict[str, Any]) -> float:
    if isinstance(value, bool):
        raise ValueError(value)
    number = float(value.strip() if isinstance(value, str) else value)
    if not math.isfinite(number):  # no server stores inf or nan in every column type
        raise ValueError(value)
    return number


def _bool(value: Any, col: dict[str, Any]) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    words = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False,
             "y": True, "n": False}
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    raise ValueError(value)


def _str(value: Any, col: dict[str, Any]) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    if col.get("max_len") and len(value) > col["max_len"]:
        raise ValueError(value)
    return value


def _decimal(value: Any, col: dict[str, Any]) -> str:
    if isinstance(value, bool | float):
        raise TypeError(value)
    number = Decimal(value.strip() if isinstance(value, str) else value)
    if not number.is_finite():
        raise ValueError(value)
    exponent = int(number.as_tuple().exponent)
    whole = max(0, len(number.as_tuple().digits) + exponent)  # digits left of the point
    scale = col.get("scale", 0)
    if -exponent > scale or whole > col.get("precision", 38) - scale:
        raise ValueError(value)  # more decimals, or a larger number, than the column holds
    return format(number, "f")


def _datetime(value: Any, col: dict[str, Any]) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.strip())
    if not isinstance(value, dt.datetime):
        raise TypeError(value)
    if value.tzinfo is not None:  # stored as naive UTC, as the ORM stores it
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="microseconds")


def _date(value: Any, col: dict[str, Any]) -> str:
    if isinstance(value, str):
        value = dt.date.fromisoformat(value.strip())
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise TypeError(value)
    return value.isoformat()


def _time(value: Any, col: dict[str, Any]) -> str:
    if isinstance(value, str):
        value = dt.time.fromisoformat(value.strip())
    if not isinstance(value, dt.time):
        raise TypeError(value)
    return value.isoformat(timespec="microseconds")


def _uuid(value: Any, col: dict[str, Any]) -> str:
    import uuid  # with platform, 2.5 ms that a makemigrations finding no change never needs

    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value).strip()))


def _bytes(value: Any, col: dict[str, Any]) -> dict[str, str]:
    if isinstance(value, dict) and set(value) == {"hex"}:
        value = value["hex"]
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    text = str(value).strip()
    return {"hex": bytes.fromhex(text[2:] if text.lower().startswith("0x") else text).hex()}


def _json(value: Any, col: dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, dict) and set(value) == {"json"}:
        return value
    if isinstance(value, str):
        return {"json": json.loads(value)}
    json.dumps(value)  # a Python value must be JSON-able
    return {"json": value}


def _vector(value: Any, col: dict[str, Any]) -> list[float]:
    """A ``Vec``'s floats, from a list, JSON text (``[0, 0.5, 1]``) or the schema's default."""
    if isinstance(value, dict) and set(value) == {"json"}:
        value = value["json"]
    if isinstance(value, str):
        value = json.loads(value)
    if not isinstance(value, list | tuple) or len(value) != col["dimensions"]:
        raise ValueError(value)
    return [_float(v, col) for v in value]


_CONVERTERS: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "int": _int, "float": _float, "bool": _bool, "str": _str, "decimal": _decimal,
    "datetime": _datetime, "date": _date, "time": _time, "uuid": _uuid, "bytes": _bytes,
    "json": _json, "vector": _vector,
}
