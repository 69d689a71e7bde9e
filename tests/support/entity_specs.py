"""Hypothesis strategies for random entity sets, kept as plain data until the last moment.

A drawn :class:`EntitySetSpec` is pure data (names, kinds, types, options) so Hypothesis can
shrink it and print it; :meth:`EntitySetSpec.build` turns it into fresh entity classes with
``EntityMeta`` (the same path ``class X(Entity)`` takes), and :meth:`EntitySetSpec.source` shows
the equivalent Python declarations, which is what a failing example reports.

The generator only makes declarations that every supported server can store: columns that take
part in a key, an index or a foreign key have a bounded size (MariaDB cannot index ``LONGTEXT``,
``LONGBLOB`` or ``JSON`` and limits a key to 3072 bytes and 16 columns), and ``sql_default``
values that fit their column.  Derived names never collide: drawn names have no underscore,
while ``Single`` columns (``<attr>_<pk column>``) and join tables (``<table>_<table>``) always
have one.  One example in five may use names at or just over the 63-byte limit, which the
schema builder must refuse (the test predicts which, from the mapping).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from nextorm import Entity
from nextorm.entity import EntityMeta
from nextorm.fields import Attr, Composite


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blueish"


class Level(enum.Enum):
    LOW = 1
    HIGH = 2


#: Reserved words on at least one server, plus names that need careful quoting.
RESERVED = ["user", "order", "group", "select", "from", "table", "key", "index", "check",
            "default", "limit", "desc", "where", "column", "primary", "references", "value",
            "position", "rank", "offset", "all", "both", "constraint", "to", "like", "is"]
PLAIN = ["name", "title", "body", "price", "qty", "flag", "note", "kind", "code", "label"]
AWKWARD = ["my col", 'quo"te', "back`tick", "it's", "what?", "100%", "dash-ed", "café",
           "größe", "Mixed", "UPPER", "x1", "a.b", "f(x)"]
#: Around the 63-byte limit every server can take (PostgreSQL truncates longer names, MariaDB
#: refuses them): 63 and 62 bytes fit, 64 ASCII or 64 UTF-8 bytes (32 characters) do not.
LONG = ["l" * 63, "ü" * 31, "k" * 64, "é" * 32]
IDENTIFIERS = RESERVED + PLAIN + AWKWARD + LONG
#: Awkward names MariaDB refuses as table names ('.' is a file-name character there).
NOT_TABLE_NAMES = {"a.b"}

#: Column types; sizes are chosen separately, and UNKEYABLE ones never join a key or index.
PLAIN_TYPES: list[Any] = [int, float, bool, str, bytes, Decimal, dt.datetime, dt.date, dt.time,
                          uuid.UUID, dict, Color, Level]
UNKEYABLE = (bytes, dict)
PK_TYPES: list[Any] = [int, str, uuid.UUID, dt.date]
ON_DELETE = ["CASCADE", "RESTRICT", "NO ACTION", "SET NULL"]
MAX_KEY_BYTES = 3072
MAX_KEY_COLUMNS = 16


@dataclass
class AttrSpec:
    name: str
    kind: str  # pk, req, opt, single, set
    py_type: Any  # a Python type, or the target's class name for single/set
    options: dict[str, Any] = field(default_factory=dict)
    positional: tuple[Any, ...] = ()  # Req[str](80) / Req[Decimal](10, 3) spelling

    def annotation(self) -> Attr:
        from nextorm.fields import Marker

        marker = Marker(self.kind)
        return marker[self.py_type]

    def value(self) -> Attr | None:
        if not self.options and not self.positional:
            return None
        from nextorm.fields import Marker

        if self.positional:
            return Marker(self.kind)[self.py_type](*self.positional, **self.options)
        return Marker(self.kind)(**self.options)

    def source(self) -> str:
        marker = "PK" if self.kind == "pk" else self.kind.capitalize()
        if isinstance(self.py_type, str):
            shown = repr(self.py_type)
        elif isinstance(self.py_type, type) and issubclass(self.py_type, enum.Enum):
            shown = self.py_type.__name__
        else:
            shown = {dt.datetime: "dt.datetime", dt.date: "dt.date", dt.time: "dt.time",
                     uuid.UUID: "uuid.UUID"}.get(self.py_type, self.py_type.__name__)
        text = f"{marker}[{shown}]"
        args = [repr(a) for a in self.positional]
        args += [f"{k}={v!r}" for k, v in self.options.items()]
        if args:
            text += " = " + (f"{marker}[{shown}]" if self.positional else marker)
            text += f"({', '.join(args)})"
        return f"{self.name!r}: {text}"


@dataclass
class EntitySpec:
    cls_name: str
    table: str | None  # None: the default, cls_name.lower()
    attrs: list[AttrSpec] = field(default_factory=list)
    composites: list[tuple[str, tuple[str, ...], str | None]] = field(default_factory=list)

    def attrs_named(self, name: str) -> list[AttrSpec]:
        return [a for a in self.attrs if a.name == name]

    @property
    def table_name(self) -> str:
        return self.table if self.table is not None else self.cls_name.lower()

    def build(self) -> type:
        annotations: dict[str, Any] = {}
        ns: dict[str, Any] = {"__module__": __name__, "__qualname__": self.cls_name}
        if self.table is not None:
            ns["_table_name_"] = self.table
        for attr in self.attrs:
            annotations[attr.name] = attr.annotation()
            value = attr.value()
            if value is not None:
                ns[attr.name] = value
        for i, (kind, attrs, name) in enumerate(self.composites):
            ns[f"_c{i}"] = Composite(kind, attrs, name)
        ns["__annotations__"] = annotations
        return EntityMeta(self.cls_name, (Entity,), ns)

    def source(self) -> str:
        lines = [f"class {self.cls_name}(Entity):"]
        if self.table is not None:
            lines.append(f"    _table_name_ = {self.table!r}")
        lines += [f"    {a.source()}" for a in self.attrs]
        for kind, attrs, name in self.composites:
            func = {"key": "composite_key", "index": "composite_index",
                    "primary_key": "PrimaryKey"}[kind]
            args = ", ".join(repr(a) for a in attrs) + (f", name={name!r}" if name else "")
            lines.append(f"    {func}({args})")
        if len(lines) == 1 or (len(lines) == 2 and self.table is not None):
            lines.append("    pass")
        return "\n".join(lines)


@dataclass
class EntitySetSpec:
    entities: list[EntitySpec]

    def build(self) -> list[type]:
        return [e.build() for e in self.entities]

    def source(self) -> str:
        return "\n\n".join(e.source() for e in self.entities)

    def __repr__(self) -> str:  # what Hypothesis prints for a falsifying example
        return "\n" + self.source() + "\n"


# -- sizes of key columns on MariaDB (utf8mb4: 4 bytes a character) ---------------------------


def _column_bytes(py_type: Any, options: dict[str, Any], positional: tuple) -> int:
    if py_type is str:
        max_len = positional[0] if positional else options.get("max_len", 255)
        return 4 * (max_len or 10**6)
    if py_type is uuid.UUID:
        return 144
    if py_type is Decimal:
        return 30
    if py_type is Color:
        return 28
    return 8


def _has_unique(spec: EntitySpec, attrs: list[str]) -> bool:
    """True if ``attrs`` already form a unique key (attribute option or composite)."""
    if len(attrs) == 1 and any(a.options.get("unique") for a in spec.attrs_named(attrs[0])):
        return True
    return any(kind == "key" and list(cols) == attrs for kind, cols, _ in spec.composites)


#: SQL defaults each type can hold on every server, in the spellings people write.
SQL_DEFAULTS: dict[Any, list[str]] = {
    int: ["0", "-1", "42", "+7", "(5)"],
    float: ["1.5", "-2.50", "0", "0.0", "1e3", ".5", "2.5E-7"],
    bool: ["TRUE", "FALSE", "true", "false"],
    str: ["''", "'new'", "'it''s'", "'100%'", "'a?b'", "'x::text'", "'(a)'", "'-- no'",
          "'/* no */'", "'5'", "7"],
    Decimal: ["0", "7", "-3", "0.0"],
    dt.datetime: ["CURRENT_TIMESTAMP"],
    dt.date: ["CURRENT_DATE"],
    dict: ["'{}'", "'[]'"],
    Color: ["'red'", "'green'"],
    Level: ["1", "2"],
}


def _sql_default(draw: Any, py_type: Any, options: dict[str, Any], positional: tuple) -> Any:
    """An ``sql_default`` for about one column in four, that fits the column's size."""
    choices = SQL_DEFAULTS.get(py_type)
    if not choices or draw(st.integers(0, 3)):
        return None
    if py_type is str:
        max_len = positional[0] if positional else options.get("max_len", 255)
        choices = [c for c in choices if max_len is None or len(c) - 2 <= max_len]
    if py_type is Decimal:  # 7 does not fit DECIMAL(1,1): MariaDB refuses the default
        precision, scale = positional or (options.get("precision", 12), options.get("scale"))
        if scale is None:
            scale = min(2, precision)
        if precision - scale < 1:
            choices = ["0", "0.0"]
    return draw(st.sampled_from(choices)) if choices else None


def _maybe_column(draw: Any, options: dict[str, Any], used: set[str], pool: list[str]) -> None:
    """Give about one attribute in six a ``column=`` name of its own (not another's name)."""
    if draw(st.integers(0, 5)) == 0:
        names = _distinct_names(draw, 1, used, pool)
        if names:
            options["column"] = names[0]


# -- the strategy -----------------------------------------------------------------------------


def _distinct_names(draw: Any, count: int, taken: set[str], pool: list[str]) -> list[str]:
    """Draw ``count`` names, distinct ignoring case (SQLite and MariaDB ignore it)."""
    names: list[str] = []
    candidates = [n for n in pool if n.lower() not in taken]
    for _ in range(count):
        if not candidates:
            break
        usual = [n for n in candidates if n not in LONG] or candidates
        rare = [n for n in candidates if n in LONG]
        # About one name in ten is a long one (when the pool has them).
        name = draw(st.sampled_from(rare if rare and draw(st.integers(0, 9)) == 0 else usual))
        names.append(name)
        taken.add(name.lower())
        candidates = [n for n in candidates if n.lower() != name.lower()]
    return names


def _str_size(draw: Any, keyable: bool) -> tuple[dict[str, Any], tuple]:
    """Options for a str column: default 255, a max_len, or unlimited; keyed ones bounded."""
    if keyable:
        size = draw(st.sampled_from([None, 1, 20, 64, 100]))
    else:
        size = draw(st.sampled_from([None, 1, 20, 255, 1000, "unlimited"]))
    if size is None:
        return ({}, ()) if not keyable else ({"max_len": 64}, ())
    if size == "unlimited":
        return {"max_len": None}, ()
    return (({"max_len": size}, ()) if draw(st.booleans()) else ({}, (size,)))


def _decimal_size(draw: Any) -> tuple[dict[str, Any], tuple]:
    how = draw(st.sampled_from(["default", "both", "positional", "precision_only"]))
    precision = draw(st.integers(1, 38))
    scale = draw(st.integers(0, min(precision, 30)))
    if how == "default":
        return {}, ()
    if how == "both":
        return {"precision": precision, "scale": scale}, ()
    if how == "positional":
        return {}, (precision, scale)
    return {"precision": precision}, ()


def _sized(draw: Any, py_type: Any, keyable: bool) -> tuple[dict[str, Any], tuple]:
    if py_type is str:
        return _str_size(draw, keyable)
    if py_type is Decimal:
        return _decimal_size(draw)
    return {}, ()


@st.composite
def entity_sets(draw: Any, max_entities: int = 4) -> EntitySetSpec:
    count = draw(st.integers(1, max_entities))
    # One example in five may use names near the 63-byte limit; the rest create tables.
    pool = IDENTIFIERS if draw(st.integers(0, 4)) == 0 else [
        n for n in IDENTIFIERS if n not in LONG]
    table_pool = [n for n in pool if n not in NOT_TABLE_NAMES]
    tables = _distinct_names(draw, count, set(), table_pool)
    specs: list[EntitySpec] = []
    for i, table in enumerate(tables):
        if table.isidentifier() and table == table.lower() and draw(st.booleans()):
            specs.append(EntitySpec(table.capitalize(), None))
        else:
            specs.append(EntitySpec(f"E{i}", table))
    # Per entity: used attribute names, and (attr name -> list of key-column byte sizes).
    # Entity's own methods (select, get, delete...) are refused as attribute names.
    method_names = {n for n in vars(Entity) if not n.startswith("_")}
    used: list[set[str]] = [set(method_names) for _ in specs]
    column_sizes: list[dict[str, list[int]]] = [{} for _ in specs]
    pk_sizes: list[list[int]] = []

    # Phase 1: primary keys, in order (a PrimaryKey may hold a Single to an earlier entity).
    for i, spec in enumerate(specs):
        shape = draw(st.sampled_from(["default", "single", "two", "composite_single"]
                                     if i else ["default", "single", "two"]))
        if shape == "default":
            used[i].add("id")
            column_sizes[i]["id"] = [8]
        elif shape in ("single", "two"):
            n = 1 if shape == "single" else 2
            for name in _distinct_names(draw, n, used[i], pool):
                py_type = draw(st.sampled_from(PK_TYPES))
                options, positional = _sized(draw, py_type, keyable=True)
                if py_type is int and n == 1:
                    auto = draw(st.sampled_from([None, True, False]))
                    if auto is not None:
                        options["auto"] = auto
                _maybe_column(draw, options, used[i], pool)
                spec.attrs.append(AttrSpec(name, "pk", py_type, options, positional))
                column_sizes[i][name] = [_column_bytes(py_type, options, positional)]
        else:
            target = draw(st.integers(0, i - 1))
            single, other = _distinct_names(draw, 2, used[i], pool)
            py_type = draw(st.sampled_from([int, str, dt.date]))
            options, positional = _sized(draw, py_type, keyable=True)
            spec.attrs.append(AttrSpec(single, "single", specs[target].cls_name,
                                       {"on_delete": draw(st.sampled_from(ON_DELETE[:3]))}))
            spec.attrs.append(AttrSpec(other, "req", py_type, options, positional))
            column_sizes[i][single] = list(pk_sizes[target])
            column_sizes[i][other] = [_column_bytes(py_type, options, positional)]
            order = draw(st.permutations([single, other]))
            spec.composites.append(("primary_key", tuple(order), None))
        pk_sizes.append([b for name, sizes in column_sizes[i].items() for b in sizes])

    # Phase 2: plain attributes, references, many-to-many pairs and composites.
    index_names = iter(range(10**6))
    for i, spec in enumerate(specs):
        for name in _distinct_names(draw, draw(st.integers(0, 5)), used[i], pool):
            kind = draw(st.sampled_from(["req", "opt"]))
            py_type = draw(st.sampled_from(PLAIN_TYPES))
            keyable = py_type not in UNKEYABLE and draw(st.booleans())
            options, positional = _sized(draw, py_type, keyable)
            if keyable:
                if draw(st.booleans()):
                    options["unique"] = True
                index = draw(st.sampled_from([None, True, "named"]))
                if index == "named":
                    options["index"] = f"ix{next(index_names)}_{spec.table_name}"
                elif index:
                    options["index"] = True
            if kind == "opt" and py_type is str and draw(st.booleans()):
                options["nullable"] = draw(st.booleans())
            default = _sql_default(draw, py_type, options, positional)
            if default is not None:
                options["sql_default"] = default
            _maybe_column(draw, options, used[i], pool)
            spec.attrs.append(AttrSpec(name, kind, py_type, options, positional))
            if keyable:
                column_sizes[i][name] = [_column_bytes(py_type, options, positional)]
        for name in _distinct_names(draw, draw(st.integers(0, 2)), used[i], pool):
            target = draw(st.integers(0, len(specs) - 1))
            nullable = draw(st.booleans())
            options: dict[str, Any] = {}
            if nullable:
                options["nullable"] = True
            on_delete = draw(st.sampled_from([None, *ON_DELETE]))
            if on_delete == "SET NULL" and not nullable:
                on_delete = None
            if on_delete is not None:
                options["on_delete"] = on_delete
            if draw(st.booleans()):
                options["unique"] = True
            if draw(st.booleans()):
                options["index"] = True
            if draw(st.integers(0, 5)) == 0:  # column= names its key columns
                columns = _distinct_names(draw, len(pk_sizes[target]), used[i], pool)
                if len(columns) == len(pk_sizes[target]):
                    options["column"] = columns[0] if len(columns) == 1 else columns
            if draw(st.integers(0, 5)) == 0:
                options["fk_name"] = f"fk{next(index_names)}_{spec.table_name}"
            spec.attrs.append(AttrSpec(name, "single", specs[target].cls_name, options))
            column_sizes[i][name] = list(pk_sizes[target])
    pairs: dict[tuple[int, int], int] = {}
    for _ in range(draw(st.integers(0, 2))):
        a = draw(st.integers(0, len(specs) - 1))
        b = draw(st.integers(0, len(specs) - 1))
        a, b = min(a, b), max(a, b)
        names_a = _distinct_names(draw, 1 if a != b else 2, used[a], pool)
        names_b = _distinct_names(draw, 1, used[b], pool) if a != b else names_a[1:]
        if len(names_a) + len(names_b) != 2 or (a == b and len(names_a) != 2):
            continue
        side_a, side_b = names_a[0], names_b[0]
        opts_a: dict[str, Any] = {"reverse": side_b}
        nth = pairs.get((a, b), 0)
        pairs[(a, b)] = nth + 1
        if nth:  # a second pair between the same entities needs its own join table
            opts_a["table"] = f"{specs[a].table_name}_{specs[b].table_name}_{nth}"
        specs[a].attrs.append(AttrSpec(side_a, "set", specs[b].cls_name, opts_a))
        specs[b].attrs.append(AttrSpec(side_b, "set", specs[a].cls_name, {"reverse": side_a}))
    for i, spec in enumerate(specs):
        # The implicit ``id`` cannot be named in a composite: it is added after them.
        keyable = [name for name in column_sizes[i] if name != "id" or spec.attrs_named("id")]
        for _ in range(draw(st.integers(0, 2))):
            if not keyable:
                break
            attrs = draw(st.lists(st.sampled_from(keyable), min_size=1, max_size=3,
                                  unique=True))
            sizes = [b for a in attrs for b in column_sizes[i][a]]
            if sum(sizes) > MAX_KEY_BYTES or len(sizes) > MAX_KEY_COLUMNS:
                continue
            kind = draw(st.sampled_from(["key", "index"]))
            name = f"cx{next(index_names)}_{spec.table_name}" if draw(st.booleans()) else None
            if kind == "key" and _has_unique(spec, attrs):
                continue  # two unique keys over the same columns are refused (by design)
            spec.composites.append((kind, tuple(attrs), name))
    # Single unique/index over too-wide a key: drop the option rather than the example.
    for i, spec in enumerate(specs):
        for attr in spec.attrs:
            if attr.kind == "single" and attr.name in column_sizes[i]:
                sizes = column_sizes[i][attr.name]
                if sum(sizes) > MAX_KEY_BYTES or len(sizes) > MAX_KEY_COLUMNS:
                    attr.options.pop("unique", None)
                    attr.options.pop("index", None)
    return EntitySetSpec(specs)
