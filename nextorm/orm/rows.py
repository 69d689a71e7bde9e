"""Rows <-> attribute values: the plans that convert a row into values and values into params.

A plan is built once per entity and database (it lives on ``EntityInfo``, ``layout.py``), so
turning 100,000 rows into value dicts is a zip and a few converter calls per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..convert import Converter
from ..errors import ValidationError

if TYPE_CHECKING:
    from .layout import AttrInfo, EntityInfo

Row = Sequence[Any]

# Plans are plain tuples, unpacked in the loops that run once per row (cheaper than objects,
# and no class to build at import).

#: Where one attribute's value sits in a row: ``(name, index of its first column,
#: from_db per column, empty_str)``; ``empty_str``: Opt[str] stored NOT NULL, NULL reads as ''.
AttrRead = tuple[str, int, tuple[Converter, ...], bool]

#: How one attribute's value goes into an INSERT: ``(name, attribute, is a Single, to_db of a
#: one-column attribute, required, the server fills it when the value is None)``.
InsertColumn = tuple[str, "AttrInfo", bool, Converter, bool, bool]


class ReadPlan:
    """How to turn rows of some attributes' columns (in that order) into value dicts."""

    __slots__ = ("reads", "one_column_each", "names", "conversions", "empty_str_names", "plain")

    def __init__(self, attrs: Sequence[AttrInfo]) -> None:
        reads: list[AttrRead] = []
        i = 0
        for a in attrs:
            reads.append((a.name, i, tuple(a.from_db), a.empty_str))
            i += len(a.columns)
        self.reads = tuple(reads)
        #: The fast path: zip the names with the row, then convert a few values.
        self.one_column_each = all(len(from_db) == 1 for _, _, from_db, _ in reads)
        self.names = tuple(name for name, _, _, _ in reads)
        self.conversions: tuple[tuple[str, int, Callable[[Any], Any]], ...] = tuple(
            (name, first, convert) for name, first, from_db, _ in reads
            if len(from_db) == 1 and (convert := from_db[0]) is not None)
        self.empty_str_names = tuple(name for name, _, _, empty in reads if empty)
        #: A row is its values as they are (one column each, nothing to convert): a zip.
        self.plain = self.one_column_each and not self.conversions and not self.empty_str_names

    def values_of(self, rows: Iterable[Row]) -> list[dict[str, Any]]:
        """Return the attribute values of each row."""
        if not self.one_column_each:
            return [self.values(row) for row in rows]
        names, conversions, empties = self.names, self.conversions, self.empty_str_names
        self.check_width(rows)
        if not conversions and not empties:
            return [dict(zip(names, row)) for row in rows]  # noqa: B905 (check_width)
        out = []
        for row in rows:
            vals = dict(zip(names, row))  # noqa: B905 (check_width)
            for name, i, convert in conversions:
                v = row[i]
                if v is not None:
                    vals[name] = convert(v)
            for name in empties:
                if vals[name] is None:
                    vals[name] = ""
            out.append(vals)
        return out

    def check_width(self, rows: Iterable[Row]) -> None:
        """Refuse rows of another width than the plan's columns (all rows of a result have
        the first one's width: checked once, not by a ``zip(strict=True)`` per row)."""
        first = next(iter(rows), None) if isinstance(rows, list) else None
        if first is not None and len(first) != len(self.names):
            raise ValueError(f"rows of {len(first)} columns, read as {len(self.names)}: "
                             f"{', '.join(self.names)}")

    def values(self, row: Row) -> dict[str, Any]:
        """Return the attribute values of one row (any number of columns per attribute)."""
        vals: dict[str, Any] = {}
        for name, i, from_db, empty_str in self.reads:
            if len(from_db) == 1:
                v = row[i]
                convert = from_db[0]
                if v is None:
                    if empty_str:
                        v = ""
                elif convert is not None:
                    v = convert(v)
            else:
                raw = row[i:i + len(from_db)]
                v = None if all(x is None for x in raw) else tuple(
                    x if c is None or x is None else c(x)
                    for x, c in zip(raw, from_db, strict=True))
            vals[name] = v
        return vals


def read_values(info: EntityInfo, names: list[str], row: Row) -> dict[str, Any]:
    """Convert the columns of ``names`` (in that order) from one row."""
    return ReadPlan([info.attrs[name] for name in names]).values(row)


class InsertPlan:
    """How a new object's values become the parameters of its INSERT, in column order.

    ``groups(objects)`` gives each object's parameters, grouped by the attributes left to the
    server.  The common object (every value set but the auto key, one column each, no
    Single) takes one ``map()``; any other goes through ``columns`` one by one (``_params``).
    """

    __slots__ = ("entity_name", "columns", "auto_pk", "simple", "conversions")

    def __init__(self, entity_name: str, attrs: dict[str, AttrInfo], auto_pk: str | None,
                 json_attrs: frozenset[str]) -> None:
        self.entity_name = entity_name
        self.auto_pk = auto_pk
        #: How each stored attribute goes in (the general path).
        self.columns: tuple[InsertColumn, ...] = tuple(
            (a.name, a, a.kind == "single", a.to_db[0], a.required,
             a.name == auto_pk or a.sql_default is not None)
            for a in attrs.values())
        rest = [a for a in attrs.values() if a.name != auto_pk]
        # The fast path tests ``None in params``: not for a JSON value (any object, whose
        # ``== None`` may not be a bool), a Single, several columns or a server default.
        plain = all(a.kind != "single" and len(a.columns) == 1 and a.sql_default is None
                    and a.name not in json_attrs for a in rest)
        #: The attributes of the fast path (all but the auto key), or None.
        self.simple = tuple(a.name for a in rest) if plain else None
        self.conversions = tuple((i, a.to_db[0]) for i, a in enumerate(rest)
                                 if a.to_db[0] is not None)

    def groups(self, objects: list[Any]) -> dict[tuple[str, ...], tuple[list[Any], list[Any]]]:
        """The objects by the attributes left to the server, with their INSERT parameters:
        ``{server_filled: (objects, parameter rows)}`` (one batch each, objects in order)."""
        found: dict[tuple[str, ...], tuple[list[Any], list[Any]]] = {}
        simple, auto, conversions = self.simple, self.auto_pk, self.conversions
        auto_filled: tuple[str, ...] = (auto,) if auto is not None else ()
        for obj in objects:
            vals = obj._vals_
            row = None
            if simple is not None and (auto is None or vals.get(auto) is None):
                row = list(map(vals.get, simple))
                if None in row:  # a column may be required, or left to the server
                    row = None
                else:
                    server_filled = auto_filled
                    for i, convert in conversions:
                        row[i] = convert(row[i])
            if row is None:
                server_filled, row = self._params(vals)
            group = found.get(server_filled)
            if group is None:
                group = found[server_filled] = ([], [])
            group[0].append(obj)
            group[1].append(row)
        return found

    def _params(self, vals: dict[str, Any]) -> tuple[tuple[str, ...], list[Any]]:
        """``(the attributes left to the server, the INSERT's parameters)`` of ``vals``."""
        params: list[Any] = []
        append = params.append
        server_filled: tuple[str, ...] = ()  # left to the server's DEFAULT or auto-increment
        for name, a, is_single, to_db, required, server_fills in self.columns:
            value = vals.get(name)
            if value is None:
                if server_fills:
                    server_filled += (name,)
                    continue
                if required:
                    raise ValidationError(
                        f"{self.entity_name}.{name} is required "
                        f"({'PK' if a.kind == 'pk' else 'Req'}) but has no value")
                params.extend([None] * len(a.columns))
            elif is_single:
                params.extend(key_columns(a, value._key_() if hasattr(value, "_vals_")
                                          else value))
            else:
                append(value if to_db is None else to_db(value))
        return server_filled, params


def key_columns(attr: AttrInfo, key: Any) -> list[Any]:
    """Column values of a Single's target key (a scalar, or a tuple for a composite key)."""
    values = [key] if len(attr.columns) == 1 and not isinstance(key, tuple) else list(key)
    return [v if c is None or v is None else c(v)
            for v, c in zip(values, attr.to_db, strict=True)]


def key_params(info: EntityInfo, key: Any) -> list[Any]:
    """Column values of an entity key, in the order of ``EntityStatements.key_where``."""
    keys = (key,) if len(info.pk_attrs) == 1 else tuple(key)
    params: list[Any] = []
    for name, value in zip(info.pk_attrs, keys, strict=True):
        a = info.attrs[name]
        if a.kind == "single":
            params.extend(key_columns(a, value))
        else:
            convert = a.to_db[0]
            params.append(value if convert is None else convert(value))
    return params
