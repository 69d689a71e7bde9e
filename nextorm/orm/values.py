"""The values an attribute accepts, and what a new object starts with.

``value_checker(attr)`` returns the function every assignment goes through
(``user.name = x``, ``User(name=x)``, ``User[key]``): it refuses a value of the wrong type with
a message naming the attribute, and coerces where that loses nothing (``1`` to ``1.0`` for a
float, a string to a ``UUID`` or a ``Decimal``).  ``CreationPlan(entity)`` gathers, once per
entity and database, the checks and defaults ``Entity(...)`` applies.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..declarations import TEMPORAL_TYPES, key_generator, logical_type
from ..errors import ValidationError
from ..schema.columns import stores_empty_string
from ..schema.model import DEFAULT_STR_LEN, default_max_len
from ..types import vector_problem
from .materialize import plain_setattr

if TYPE_CHECKING:
    from ..entity import Entity
    from ..fields import Attr

Check = Callable[[Any], Any]

_NUMBERS = (int, float, Decimal)


def value_checker(attr: Attr) -> Check:
    """Return a function that validates (and lightly coerces) values assigned to ``attr``."""
    where = f"{attr.entity.__name__}.{attr.name}"
    check = _type_checker(attr, where)
    after = _option_checks(attr, where)
    if not after:
        return check

    def checked(value: Any) -> Any:
        value = check(value)
        if value is not None:
            for extra in after:
                value = extra(value)
        return value

    return checked


def _type_checker(attr: Attr, where: str) -> Check:
    """The check of the attribute's type (and a string's length)."""
    ltype = logical_type(attr.py_type)
    py_type = attr.py_type

    def bad(value: Any) -> ValidationError:
        shown = getattr(py_type, "__name__", str(py_type))
        return ValidationError(f"{where}: expected {shown}, got {type(value).__name__} "
                               f"{value!r}")

    if ltype == "str":
        empty_str = stores_empty_string(attr.kind, ltype, attr.opt("nullable", False))
        return _str_checker(where, attr.opt("max_len", default_max_len(attr)), empty_str, bad,
                            bool(attr.opt("autostrip")))
    if ltype == "enum":
        return _enum_checker(py_type, bad)
    if ltype == "vector":
        return _vector_checker(where, attr.opt("dimensions"))
    type_check = _TYPE_CHECKS.get(ltype or "")
    if type_check is None:  # json: any value the driver can store
        return _unchecked
    exact = _PASSES_EXACT.get(ltype or "")

    def check(value: Any) -> Any:
        if type(value) is exact:  # the common case: one test, no call
            return value
        if value is None:
            return None
        checked = type_check(value)
        if checked is _WRONG_TYPE:
            raise bad(value)
        if checked is _NAIVE:
            raise ValidationError(f"{where}: expected a timezone-aware datetime, got the naive "
                                  f"{value!r}")
        return checked

    return check


def _option_checks(attr: Attr, where: str) -> list[Check]:
    """The checks of ``precision``, ``min``/``max``, ``size``/``unsigned`` and ``py_check``."""
    checks: list[Check] = []
    precision = attr.opt("precision")
    if precision is not None and logical_type(attr.py_type) in TEMPORAL_TYPES:
        # Every server keeps the same digits: the value is cut to the column's precision.
        unit = 10 ** (6 - precision)
        checks.append(lambda v: v.replace(microsecond=v.microsecond // unit * unit))
    low, high = attr.opt("min"), attr.opt("max")
    size, unsigned = attr.opt("size"), attr.opt("unsigned")
    if size is not None or unsigned:
        bits = size or 32
        low = max(low, 0) if unsigned and low is not None else 0 if unsigned else (
            low if low is not None else -(1 << bits - 1))
        top = (1 << bits) - 1 if unsigned else (1 << bits - 1) - 1
        high = top if high is None else min(high, top)
    if low is not None or high is not None:
        checks.append(_bounds(where, low, high))
    user_check = attr.opt("py_check")
    if user_check is not None:
        def py_check(value: Any) -> Any:
            if not user_check(value):
                raise ValidationError(f"{where}: {value!r} is refused by py_check")
            return value

        checks.append(py_check)
    return checks


def _vector_checker(where: str, dimensions: int) -> Check:
    """A ``Vec`` value: a list of ``dimensions`` finite numbers."""
    def check(value: Any) -> Any:
        problem = None if value is None else vector_problem(value, dimensions)
        if problem is not None:
            raise ValidationError(f"{where}: {problem}")
        return value

    return check


def _bounds(where: str, low: Any, high: Any) -> Check:
    def check(value: Any) -> Any:
        if low is not None and value < low:
            raise ValidationError(f"{where}: {value!r} is less than the minimum {low!r}")
        if high is not None and value > high:
            raise ValidationError(f"{where}: {value!r} is greater than the maximum {high!r}")
        return value

    return check


def _str_checker(where: str, max_len: int | None, empty_str: bool,
                 bad: Callable[[Any], ValidationError], strip: bool) -> Check:
    def check(value: Any) -> Any:
        if value is None:
            return "" if empty_str else None  # Opt[str] stores '' for "no value"
        if not isinstance(value, str):
            raise bad(value)
        if strip:
            value = value.strip()
        if max_len is not None and len(value) > max_len:
            limit = (f"max_len={max_len}" if max_len != DEFAULT_STR_LEN else
                     f"the default max_len={max_len} of a str (declare max_len=None or LongStr "
                     f"for unlimited text)")
            raise ValidationError(f"{where}: {len(value)} characters is longer than {limit}")
        return value

    return check


def _enum_checker(enum_type: Any, bad: Callable[[Any], ValidationError]) -> Check:
    def check(value: Any) -> Any:
        if value is None:
            return None
        try:
            return enum_type(value.value if isinstance(value, enum.Enum) else value)
        except ValueError:
            raise bad(value) from None

    return check


def _unchecked(value: Any) -> Any:
    return value


#: Returned by a type check for a value of the wrong type.
_WRONG_TYPE = object()


def _int(value: Any) -> Any:
    return _WRONG_TYPE if isinstance(value, bool) or not isinstance(value, int) else value


def _float(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, _NUMBERS):
        return _WRONG_TYPE
    return float(value)


def _bool(value: Any) -> Any:
    return value if isinstance(value, bool) else _WRONG_TYPE


def _decimal(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, _NUMBERS + (str,)):
        return _WRONG_TYPE
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _uuid(value: Any) -> Any:
    if isinstance(value, str):
        return uuid.UUID(value)
    return value if isinstance(value, uuid.UUID) else _WRONG_TYPE


def _datetime(value: Any) -> Any:
    return value if isinstance(value, dt.datetime) else _WRONG_TYPE


def _date(value: Any) -> Any:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        return _WRONG_TYPE
    return value


def _time(value: Any) -> Any:
    return value if isinstance(value, dt.time) else _WRONG_TYPE


#: Returned by the check of a timezone-aware datetime for a naive one.
_NAIVE = object()


def _datetimetz(value: Any) -> Any:
    if not isinstance(value, dt.datetime):
        return _WRONG_TYPE
    return _NAIVE if value.utcoffset() is None else value


def _timedelta(value: Any) -> Any:
    return value if isinstance(value, dt.timedelta) else _WRONG_TYPE


def _bytes(value: Any) -> Any:
    if not isinstance(value, bytes | bytearray | memoryview):
        return _WRONG_TYPE
    return bytes(value)


#: The type whose exact instances each check returns unchanged: tested first, inline, so the
#: usual value costs no call to the check of its type (a subclass or ``None`` takes that path).
_PASSES_EXACT: dict[str, type] = {
    "int": int, "float": float, "bool": bool, "decimal": Decimal, "uuid": uuid.UUID,
    "datetime": dt.datetime, "date": dt.date, "time": dt.time, "timedelta": dt.timedelta,
    "bytes": bytes,
}

#: The check of each logical type but ``str`` and ``enum`` (the checker handles those itself).
_TYPE_CHECKS: dict[str, Check] = {
    "int": _int, "float": _float, "bool": _bool, "decimal": _decimal, "uuid": _uuid,
    "datetime": _datetime, "date": _date, "time": _time, "bytes": _bytes,
    "datetimetz": _datetimetz, "timedelta": _timedelta,
}


#: How ``Entity(...)`` fills one stored attribute: ``(name, check, default, make)``.  Without
#: ``make``, ``default`` is the attribute's default already checked (once, for every new
#: object); else each new object without a value gets ``check(make())``: a function default
#: (``default=datetime.now``, a generated key), or a default the check refuses or a
#: ``py_check`` sees (checked at each creation, as if it were given).
NewColumn = tuple[str, Check, Any, Callable[[], Any] | None]


class CreationPlan:
    """What ``Entity(...)`` needs: the attribute names, the stored ones, the others."""

    __slots__ = ("names", "columns", "others", "as_attributes")

    def __init__(self, entity: type[Entity], discriminator: str | None = None) -> None:
        attrs = entity._attrs_.values()
        self.names = frozenset(entity._attrs_)
        #: The checks and defaults of the stored attributes, in declaration order.
        self.columns: tuple[NewColumn, ...] = tuple(
            _new_column(a, entity.__dict__[a.name].checker()) for a in attrs if a.is_column)
        if discriminator is not None:  # single-table inheritance: the row's class
            self.columns += (("_discriminator_", _unchecked, discriminator, None),)
        #: Set and Local attributes: assigned once the object has its stored values.
        self.others = tuple(a.name for a in attrs if not a.is_column)
        #: The object's state is set as attributes (no ``__setattr__`` of the user's).
        self.as_attributes = plain_setattr(entity)


def _new_column(attr: Attr, check: Check) -> NewColumn:
    """The plan of one stored attribute (see ``NewColumn``)."""
    generate = key_generator(attr)
    default = attr.opt("default")
    if generate is not None and default is None:  # a generated key (``PK[uuid7]``)
        return attr.name, check, None, generate
    if _is_factory(default):
        return attr.name, check, None, default
    if attr.opt("py_check") is None:
        try:
            return attr.name, check, check(default), None
        except Exception:  # noqa: BLE001 - refused at each creation that leaves it out
            pass
    return attr.name, check, None, lambda: default


def _is_factory(default: Any) -> bool:
    """A callable default is called for each new object (an Enum member is a value)."""
    return callable(default) and not isinstance(default, enum.Enum)
