"""What one declared attribute means: its logical type, its normalised options, their checks.

The entity metaclass (``entity.py``) collects the attributes of a class body; this module turns
each into its final form and refuses what cannot work, naming the class and the attribute:

- nextorm 0.5.1's spellings become ours: ``Req(primary_key=True)`` is a ``PK``, ``PK[uuid7]`` a
  UUID key generated on create, ``LongStr`` unlimited lazy text;
- every option is checked against the attribute's type when the class is created, so a
  mistake never surfaces later as an ``AttributeError`` in the mapping or the driver.

It needs no database.
"""

from __future__ import annotations

import datetime as dt
import enum
import sys
from decimal import Decimal
from typing import Any

from .errors import DeclarationError
from .fields import ALLOWED_OPTIONS, ON_DELETE_ACTIONS, Attr
from .types import (
    GENERATED_KEY_TYPES,
    KEY_GENERATORS,
    ULID,
    ULID_LENGTH,
    DateTimeTz,
    Json,
    LongStr,
    Vec,
)

#: Python types a column attribute may have, and their logical schema type.  ``uuid.UUID``
#: (``"uuid"``) is added when the ``uuid`` module is first seen imported (``logical_type``):
#: importing it costs more than a millisecond, and only a model using UUIDs needs it.
LOGICAL_TYPES: dict[Any, str] = {
    int: "int",
    float: "float",
    bool: "bool",
    str: "str",
    LongStr: "str",
    ULID: "str",
    bytes: "bytes",
    Decimal: "decimal",
    dt.datetime: "datetime",
    DateTimeTz: "datetimetz",
    dt.date: "date",
    dt.time: "time",
    dt.timedelta: "timedelta",
    dict: "json",
    list: "json",
    Json: "json",
    Vec: "vector",
}

#: Column types whose bare attribute (``c: Req[int]``, no option) ``normalise`` leaves as it is
#: and ``check_attr`` accepts: such an attribute needs neither (see ``is_plain``).
PLAIN_TYPES = frozenset(t for t in LOGICAL_TYPES if t not in (LongStr, Vec))
_PLAIN_KINDS = ("pk", "req", "opt")

#: Logical types whose fractional seconds ``precision=`` sets (0 to 6 digits).
TEMPORAL_TYPES = ("datetime", "datetimetz", "time")
#: Logical types ``min=``/``max=`` compare values of.
ORDERED_TYPES = ("int", "float", "decimal", "date", "datetime", "datetimetz", "time",
                 "timedelta")
#: Bit sizes ``size=`` accepts for an int column.
INT_SIZES = (8, 16, 24, 32, 64)
_BOOL_OPTIONS = ("lazy", "volatile", "autostrip", "unsigned", "unique")


def logical_type(py_type: Any) -> str | None:
    """Return the logical schema type for a Python type, or None if it is not storable."""
    found = LOGICAL_TYPES.get(py_type) if isinstance(py_type, type) else None
    if found is not None:  # the common case (``str``, ``int``...): one dict lookup
        return found
    uuid_module = sys.modules.get("uuid")  # a uuid.UUID exists only once it is imported
    if uuid_module is not None and py_type is getattr(uuid_module, "UUID", None):
        LOGICAL_TYPES[py_type] = "uuid"
        return "uuid"
    if isinstance(py_type, type) and issubclass(py_type, enum.Enum):
        return "enum"
    origin = getattr(py_type, "__origin__", None)
    if origin in (dict, list):
        return "json"
    if isinstance(py_type, type) and issubclass(py_type, Vec):
        return "vector"
    return LOGICAL_TYPES.get(py_type)


def is_plain(attr: Attr) -> bool:
    """True for a bare column of a plain type (most attributes of a model: ``c: Req[str]``).

    ``normalise`` would leave it unchanged and ``check_attr`` would accept it, so the
    metaclass skips both (every import of the models pays for each attribute);
    ``tests/unit/test_declaration_plain.py`` checks that equivalence for every such type.
    """
    return (not attr.options and not attr.conflicts and attr.kind in _PLAIN_KINDS
            and type(attr.py_type) is type and attr.py_type in PLAIN_TYPES)


def normalise(attr: Attr) -> Attr:
    """Rewrite 0.5.1's spellings into ours (in place): key markers, generated keys, LongStr."""
    options = attr.options
    if attr.kind == "req" and options.get("primary_key"):
        attr.kind = "pk"  # ``Req(primary_key=True)`` is a primary key like ``PK[...]``
        del options["primary_key"]
    generated = GENERATED_KEY_TYPES.get(attr.py_type)
    if generated is not None:
        # ``PK[uuid7]``: the ORM makes the key; ``Req[uuid7](unique=True)`` too (0.5.1 generates
        # only keys and unique columns); ``uuid_auto=None`` leaves it to the user.
        if generated == "ulid":
            attr.py_type = ULID
        else:
            from uuid import UUID  # the key is made with the uuid module: it is needed now

            attr.py_type = UUID
        if generated == "ulid":
            options.setdefault("max_len", ULID_LENGTH)
        if attr.kind == "pk" or options.get("unique"):
            options.setdefault("uuid_auto", generated)
    if attr.py_type is LongStr:
        options.setdefault("max_len", None)
        options.setdefault("lazy", True)
    if options.get("uuid_auto") is None:
        options.pop("uuid_auto", None)
    if isinstance(attr.py_type, type) and issubclass(attr.py_type, Vec):
        _vector(attr)
    return attr


def _vector(attr: Attr) -> None:
    """``Vec[384]`` is ``Vec`` with ``dimensions=384`` (``orm/values.py`` checks each value)."""
    if attr.py_type.dimensions is not None:
        if attr.options.get("dimensions", attr.py_type.dimensions) != attr.py_type.dimensions:
            attr.conflicts += (f"Vec[{attr.py_type.dimensions}] and "
                               f"dimensions={attr.options['dimensions']!r}",)
        attr.options["dimensions"] = attr.py_type.dimensions
        attr.py_type = Vec


def key_generator(attr: Attr) -> Any:
    """The function that makes a generated key (``uuid_auto``), or None."""
    return KEY_GENERATORS.get(attr.opt("uuid_auto"))


def check_attr(owner: str, attr: Attr) -> None:
    """Refuse an attribute that cannot work, naming ``owner.attr`` and what is wrong."""
    where = f"{owner}.{attr.name}"
    if attr.conflicts:
        raise DeclarationError(f"{where}: conflicting options {'; '.join(attr.conflicts)}; "
                               f"give each once")
    unknown = set(attr.options) - ALLOWED_OPTIONS[attr.kind]
    if unknown:
        raise DeclarationError(
            f"{where}: unknown option(s) {', '.join(sorted(unknown))} for "
            f"{attr.kind.capitalize() if attr.kind != 'pk' else 'PK'}"
        )
    if attr.options:  # a bare ``name: Req[str]`` (most attributes) has none to check
        for option in _BOOL_OPTIONS:
            if option in attr.options and not isinstance(attr.options[option], bool):
                raise DeclarationError(f"{where}: {option} must be True or False, "
                                       f"not {attr.options[option]!r}")
        _check_columns(where, attr)
    if attr.kind in ("single", "set"):
        _check_relation(where, attr)
    elif attr.kind == "local":
        _check_callable(where, attr, "py_check")
    else:
        _check_scalar(where, attr)


def _check_columns(where: str, attr: Attr) -> None:
    """``column=`` is a name (a list of names for a Single to a composite key)."""
    for option in ("column", "columns", "reverse_column", "reverse_columns", "sql_type"):
        value = attr.opt(option)
        if value is None:
            continue
        names = [value] if isinstance(value, str) else value
        many = option.endswith("s") or (option == "column" and attr.kind == "single")
        if not isinstance(names, list | tuple) or not names or (len(names) > 1 and not many) \
                or not all(isinstance(n, str) and n for n in names):
            wanted = "a non-empty string" + (" or a list of them" if many else "")
            raise DeclarationError(f"{where}: {option} must be {wanted}, not {value!r}")
    if attr.opt("column") is not None and attr.opt("columns") is not None:
        raise DeclarationError(f"{where}: give column= or columns=, not both")


def _check_relation(where: str, attr: Attr) -> None:
    on_delete = attr.opt("on_delete")
    if on_delete is not None and str(on_delete).upper() not in ON_DELETE_ACTIONS:
        raise DeclarationError(
            f"{where}: on_delete must be one of {', '.join(ON_DELETE_ACTIONS)}, "
            f"not {on_delete!r}"
        )
    for option in ("cascade_delete", "owner", "nullable", "primary_key"):
        value = attr.opt(option)
        if value is not None and not isinstance(value, bool):
            raise DeclarationError(f"{where}: {option} must be True, False or None, "
                                   f"not {value!r}")
    if on_delete is not None and attr.opt("cascade_delete") is not None:
        raise DeclarationError(f"{where}: give on_delete= or cascade_delete=, not both")
    if attr.opt("primary_key") and attr.opt("nullable"):
        raise DeclarationError(f"{where}: a primary key cannot be nullable")


def _check_callable(where: str, attr: Attr, option: str) -> None:
    value = attr.opt(option)
    if value is not None and not callable(value):
        raise DeclarationError(f"{where}: {option} must be a function taking the value, "
                               f"not {value!r}")


def _check_scalar(where: str, attr: Attr) -> None:
    ltype = logical_type(attr.py_type)
    if ltype is None:
        raise DeclarationError(
            f"{where}: unsupported type {getattr(attr.py_type, '__name__', attr.py_type)!r}"
        )
    dimensions = attr.opt("dimensions")
    if ltype == "vector" and (isinstance(dimensions, bool) or not isinstance(dimensions, int)
                              or dimensions < 1):
        raise DeclarationError(f"{where}: a Vec needs its length: Vec[384] or dimensions=384 "
                               f"(a positive integer), not {dimensions!r}")
    if not attr.options:
        return  # every check below is of an option
    if "dimensions" in attr.options and ltype != "vector":
        raise DeclarationError(f"{where}: dimensions applies only to Vec attributes, not {ltype}")
    max_len = attr.opt("max_len")
    if max_len is not None and (not isinstance(max_len, int) or isinstance(max_len, bool)
                                or max_len <= 0):
        raise DeclarationError(f"{where}: max_len must be a positive integer or None")
    if "max_len" in attr.options and ltype != "str":
        raise DeclarationError(f"{where}: max_len applies only to str attributes, not {ltype}")
    _check_callable(where, attr, "py_check")
    for option, allowed in (("scale", ("decimal",)), ("precision", ("decimal", *TEMPORAL_TYPES)),
                            ("size", ("int",)), ("unsigned", ("int",)),
                            ("autostrip", ("str",)), ("min", ORDERED_TYPES),
                            ("max", ORDERED_TYPES), ("uuid_auto", ("uuid", "str"))):
        if option in attr.options and ltype not in allowed:
            kinds = "Decimal" if allowed == ("decimal",) else ", ".join(
                "Decimal" if a == "decimal" else a for a in allowed)
            raise DeclarationError(f"{where}: {option} applies only to {kinds} attributes, "
                                   f"not {ltype}")
    precision = attr.opt("precision")
    if ltype in TEMPORAL_TYPES and precision is not None and precision not in range(7):
        raise DeclarationError(f"{where}: precision of a {ltype} is 0 to 6 (digits of the "
                               f"seconds' fraction), not {precision!r}")
    if attr.opt("size") is not None and attr.opt("size") not in INT_SIZES:
        raise DeclarationError(f"{where}: size must be one of {INT_SIZES} (bits), "
                               f"not {attr.opt('size')!r}")
    low, high = attr.opt("min"), attr.opt("max")
    if low is not None and high is not None and low > high:
        raise DeclarationError(f"{where}: min={low!r} is greater than max={high!r}")
    auto_kind = attr.opt("uuid_auto")
    if auto_kind is not None and (auto_kind not in KEY_GENERATORS
                                  or (auto_kind == "ulid") != (ltype == "str")):
        raise DeclarationError(f"{where}: uuid_auto must be 'v4' or 'v7' for a UUID, 'ulid' "
                               f"for a ULID, or None; not {auto_kind!r}")
    if "auto" in attr.options and attr.kind != "pk":
        raise DeclarationError(f"{where}: auto applies only to a primary key")
