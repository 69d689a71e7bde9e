"""Queries on entities: attribute expressions, ``select().filter().order_by()`` and friends.

``User.name`` on the class is an :class:`AttrExpr`; comparing it builds a condition::

    User.select().filter((User.age >= 18) & ~User.name.startswith("x")).order_by(User.name.desc())
    Post.select().filter(Post.author.name == "ann")     # one join on the related entity
    User.select().filter(User.age.is_(None) | User.id.in_([1, 2])).limit(10, offset=20)

Every value travels as a parameter (converted like the column, ``convert.py``), every
identifier is quoted.  ``like``/``startswith``/``endswith``/``contains`` are case-sensitive on
every database (SQLite runs them as GLOB); in ``order_by`` NULL sorts before every value on
every database.  For an ``Opt[str]`` attribute, which stores ``''``
for "no value", ``is_(None)`` and ``== None`` match ``''``.  A query runs inside the active
``db_session`` and flushes its pending changes first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .errors import MultipleObjectsFound, ValidationError

_NO_LIMIT = {"sqlite": "-1", "mysql": "18446744073709551615", "postgres": "ALL"}
#: NULL sorts as the smallest value everywhere (as SQLite and MariaDB do; PostgreSQL is told).
_NULLS_SMALLEST = {"postgres": (" NULLS FIRST", " NULLS LAST")}


class Expr:
    """A condition: combine with ``&``, ``|`` and ``~``."""

    def __and__(self, other: Expr) -> Expr:
        return BoolOp("AND", self, other)

    def __or__(self, other: Expr) -> Expr:
        return BoolOp("OR", self, other)

    def __invert__(self) -> Expr:
        return Not(self)

    def __bool__(self) -> bool:
        raise TypeError("use &, | and ~ to combine query conditions, not and/or/not")

    def compile(self, ctx: Context) -> str:
        raise NotImplementedError


class BoolOp(Expr):
    def __init__(self, op: str, left: Expr, right: Expr) -> None:
        self.op, self.left, self.right = op, left, right

    def compile(self, ctx: Context) -> str:
        return f"({self.left.compile(ctx)} {self.op} {self.right.compile(ctx)})"


class Not(Expr):
    def __init__(self, inner: Expr) -> None:
        self.inner = inner

    def compile(self, ctx: Context) -> str:
        return f"NOT ({self.inner.compile(ctx)})"


class Raw(Expr):
    """A condition built by a function of the context (used by relation sets)."""

    def __init__(self, build: Any) -> None:
        self.build = build

    def compile(self, ctx: Context) -> str:
        return self.build(ctx)


class Order:
    def __init__(self, attr: AttrExpr, descending: bool) -> None:
        self.attr, self.descending = attr, descending


def desc(attr: AttrExpr) -> Order:
    """Descending order on ``attr`` (same as ``attr.desc()``)."""
    return Order(attr, True)


class AttrExpr:
    """An entity attribute in a query, reached from ``root`` through Single relations."""

    __hash__ = object.__hash__

    def __init__(self, root: type, path: tuple[str, ...], owner: type, name: str) -> None:
        self._root, self._path, self._owner, self._name = root, path, owner, name

    def __repr__(self) -> str:
        return ".".join((self._root.__name__, *self._path, self._name))

    def __getattr__(self, name: str) -> AttrExpr:
        if name.startswith("_"):
            raise AttributeError(name)
        attr = self._owner._attrs_.get(self._name)
        target = attr.py_type if attr is not None and attr.kind == "single" else None
        if not isinstance(target, type):
            raise AttributeError(f"{self!r} has no attribute {name!r}")
        if name not in target._attrs_:
            raise AttributeError(f"{target.__name__} has no attribute {name!r}")
        return AttrExpr(self._root, (*self._path, self._name), target, name)

    def _cmp(self, op: str, value: Any) -> Expr:
        return Compare(self, op, value)

    def __eq__(self, value: Any) -> Expr:  # type: ignore[override]
        return self._cmp("=", value)

    def __ne__(self, value: Any) -> Expr:  # type: ignore[override]
        return self._cmp("<>", value)

    def __lt__(self, value: Any) -> Expr:
        return self._cmp("<", value)

    def __le__(self, value: Any) -> Expr:
        return self._cmp("<=", value)

    def __gt__(self, value: Any) -> Expr:
        return self._cmp(">", value)

    def __ge__(self, value: Any) -> Expr:
        return self._cmp(">=", value)

    def is_(self, value: None) -> Expr:
        return self._cmp("=", value)

    def is_not(self, value: None) -> Expr:
        return self._cmp("<>", value)

    def in_(self, values: Any) -> Expr:
        return Compare(self, "IN", list(values))

    def not_in(self, values: Any) -> Expr:
        return Not(self.in_(values))

    def like(self, pattern: str) -> Expr:
        """SQL LIKE (``%`` any text, ``_`` one character), case-sensitive everywhere."""
        return Like(self, pattern, raw=True)

    def startswith(self, prefix: str) -> Expr:
        return Like(self, _escape_like(prefix) + "%")

    def endswith(self, suffix: str) -> Expr:
        return Like(self, "%" + _escape_like(suffix))

    def contains(self, text: str) -> Expr:
        return Like(self, "%" + _escape_like(text) + "%")

    def desc(self) -> Order:
        return Order(self, True)

    def asc(self) -> Order:
        return Order(self, False)


def _escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _like_to_glob(pattern: str, escaped: bool) -> str:
    """Translate a LIKE pattern (``!`` escapes when ``escaped``) to a GLOB pattern."""
    out = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if escaped and ch == "!" and i + 1 < len(pattern):
            i += 1
            ch = pattern[i]
            out.append(f"[{ch}]" if ch in "*?[" else ch)
        elif ch == "%":
            out.append("*")
        elif ch == "_":
            out.append("?")
        elif ch in "*?[":
            out.append(f"[{ch}]")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


class Compare(Expr):
    def __init__(self, attr: AttrExpr, op: str, value: Any) -> None:
        self.attr, self.op, self.value = attr, op, value

    def compile(self, ctx: Context) -> str:
        cols, a = ctx.columns(self.attr)
        op, value = self.op, self.value
        if isinstance(value, AttrExpr):
            other, _ = ctx.columns(value)
            parts = [f"{x} {op} {y}" for x, y in zip(cols, other, strict=True)]
            return _joined(parts, op)
        if op == "IN":
            if not value:
                return "1 = 0"
            if len(cols) != 1:
                raise ValidationError(f"{self.attr!r}: in_() needs a one-column attribute")
            ctx.params.extend(ctx.to_db(a, v)[0] for v in value)
            return f"{cols[0]} IN ({', '.join('?' * len(value))})"
        if value is None:
            if a.empty_str:
                ctx.params.append("")
                return f"{cols[0]} {op} ?"
            if op not in ("=", "<>"):
                raise ValidationError(f"{self.attr!r}: cannot compare with None using {op}")
            word = "IS NULL" if op == "=" else "IS NOT NULL"
            return _joined([f"{c} {word}" for c in cols], op)
        values = ctx.to_db(a, value)
        if len(cols) > 1 and op not in ("=", "<>"):
            raise ValidationError(f"{self.attr!r}: only == and != compare a composite key")
        ctx.params.extend(values)
        return _joined([f"{c} {op} ?" for c in cols], op)


def _joined(parts: list[str], op: str) -> str:
    if len(parts) == 1:
        return parts[0]
    if op == "<>":
        return "(" + " OR ".join(parts) + ")"
    return "(" + " AND ".join(parts) + ")"


class Like(Expr):
    def __init__(self, attr: AttrExpr, pattern: str, raw: bool = False) -> None:
        self.attr, self.pattern, self.raw = attr, pattern, raw

    def compile(self, ctx: Context) -> str:
        cols, _ = ctx.columns(self.attr)
        if ctx.dialect == "sqlite":  # SQLite's LIKE ignores case; GLOB does not
            ctx.params.append(_like_to_glob(self.pattern, escaped=not self.raw))
            return f"{cols[0]} GLOB ?"
        ctx.params.append(self.pattern)
        return f"{cols[0]} LIKE ?" if self.raw else f"{cols[0]} LIKE ? ESCAPE '!'"


class Context:
    """Collects parameters and the joins a query's expressions need."""

    def __init__(self, session: Any, root: type) -> None:
        root_info = session.info(root)  # picks the session's database if not chosen yet
        self.session = session
        self.db = session.db
        self.dialect = session.db.dialect.name
        self.quote = session.db.dialect.quote
        self.params: list[Any] = []
        self.aliases: dict[tuple[str, ...], tuple[str, Any]] = {(): ("t0", root_info)}
        self.joins: list[str] = []

    def alias(self, path: tuple[str, ...]) -> tuple[str, Any]:
        found = self.aliases.get(path)
        if found is None:
            parent_alias, parent = self.alias(path[:-1])
            a = parent.attrs[path[-1]]
            target = self.session.info(a.target)
            alias = f"t{len(self.aliases)}"
            target_cols = [q for name in target.pk_attrs for q in target.attrs[name].quoted]
            on = " AND ".join(f"{alias}.{t} = {parent_alias}.{c}"
                              for t, c in zip(target_cols, a.quoted, strict=True))
            self.joins.append(f"LEFT JOIN {target.table} {alias} ON {on}")
            found = self.aliases[path] = (alias, target)
        return found

    def columns(self, attr: AttrExpr) -> tuple[list[str], Any]:
        alias, info = self.alias(attr._path)
        a = info.attrs.get(attr._name)
        if a is None:
            raise ValidationError(f"{attr!r}: a Set attribute cannot be compared in a query")
        return [f"{alias}.{q}" for q in a.quoted], a

    def to_db(self, a: Any, value: Any) -> list[Any]:
        if a.kind == "single":
            from .session import _key_columns

            if hasattr(value, "_vals_"):
                if value._status_ == "new":
                    self.session.flush()
                value = value._key_()
            return _key_columns(a, value)
        conv = a.to_db[0]
        return [value if conv is None or value is None else conv(value)]


class Query:
    """A SELECT of one entity; each method returns a new query."""

    def __init__(self, entity: type, where: tuple[Expr, ...] = (), order: tuple[Any, ...] = (),
                 limit: int | None = None, offset: int | None = None) -> None:
        self.entity = entity
        self._where = where
        self._order = order
        self._limit = limit
        self._offset = offset

    def _copy(self, **changes: Any) -> Query:
        fields = {"where": self._where, "order": self._order, "limit": self._limit,
                  "offset": self._offset, **changes}
        return Query(self.entity, **fields)

    def filter(self, *conditions: Expr, **equal: Any) -> Query:
        """Keep rows matching every condition; ``name=value`` means ``Entity.name == value``."""
        extra = list(conditions)
        for name, value in equal.items():
            if name not in self.entity._attrs_:
                raise ValidationError(f"{self.entity.__name__} has no attribute {name!r}")
            extra.append(Compare(AttrExpr(self.entity, (), self.entity, name), "=", value))
        for cond in extra:
            if not isinstance(cond, Expr):
                raise ValidationError(f"filter() takes conditions such as User.name == 'x', "
                                      f"not {cond!r}")
        return self._copy(where=self._where + tuple(extra))

    where = filter

    def order_by(self, *items: Any) -> Query:
        """Order by attributes: ``User.name``, ``User.name.desc()``, ``"name"`` or ``"-name"``."""
        order = []
        for item in items:
            if isinstance(item, str):
                descending = item.startswith("-")
                name = item.lstrip("-")
                if name not in self.entity._attrs_:
                    raise ValidationError(f"{self.entity.__name__} has no attribute {name!r}")
                item = Order(AttrExpr(self.entity, (), self.entity, name), descending)
            elif isinstance(item, AttrExpr):
                item = Order(item, False)
            elif not isinstance(item, Order):
                raise ValidationError(f"order_by() takes attributes, not {item!r}")
            order.append(item)
        return self._copy(order=self._order + tuple(order))

    def limit(self, n: int | None, offset: int | None = None) -> Query:
        return self._copy(limit=_count_arg(n, "limit"),
                          offset=_count_arg(offset, "offset") if offset is not None
                          else self._offset)

    def offset(self, n: int) -> Query:
        return self._copy(offset=_count_arg(n, "offset"))

    def __getitem__(self, item: slice) -> list[Any]:
        if not isinstance(item, slice) or item.step is not None:
            raise TypeError("queries take slices: query[10:20]")
        start = item.start or 0
        stop = None if item.stop is None else max(item.stop - start, 0)
        return self.limit(stop, offset=start).fetch_all()

    # -- running ---------------------------------------------------------------------------

    def _session(self) -> Any:
        from .session import current_session

        return current_session()

    def _sql(self, session: Any, select: str | None, where_sql: Any = None
             ) -> tuple[str, list[Any], Any]:
        ctx = Context(session, self.entity)
        info = ctx.aliases[()][1]
        conds = [c.compile(ctx) for c in self._where]
        if where_sql is not None:
            conds.append(where_sql[0])
            ctx.params.extend(where_sql[1])
        orders: list[str] = []
        for order in self._order:
            cols, _ = ctx.columns(order.attr)
            nulls = _NULLS_SMALLEST.get(ctx.dialect, ("", ""))[order.descending]
            orders.extend((f"{c} DESC" if order.descending else c) + nulls for c in cols)
        if select is None:
            select = ", ".join(f"t0.{q}" for a in info.attrs.values() for q in a.quoted)
        sql = f"SELECT {select} FROM {info.table} t0"
        if ctx.joins:
            sql += " " + " ".join(ctx.joins)
        if conds:
            sql += " WHERE " + " AND ".join(conds)
        if orders:
            sql += " ORDER BY " + ", ".join(orders)
        params = ctx.params
        if self._limit is not None:
            sql += " LIMIT ?"
            params.append(self._limit)
        elif self._offset:
            sql += " LIMIT " + _NO_LIMIT[ctx.dialect]
        if self._offset:
            sql += " OFFSET ?"
            params.append(self._offset)
        return sql, params, info

    def _fetch(self, session: Any = None, where_sql: Any = None) -> list[Any]:
        session = session or self._session()
        session.flush()
        sql, params, info = self._sql(session, None, where_sql)
        return session.materialize(info, session.execute(sql, params))

    def fetch_all(self) -> list[Any]:
        """Return every matching object."""
        return self._fetch()

    fetch = to_list = fetch_all

    def __iter__(self) -> Iterator[Any]:
        return iter(self._fetch())

    def first(self) -> Any:
        """Return the first matching object (in the query's order), or None."""
        found = self.limit(1)._fetch()
        return found[0] if found else None

    def get(self) -> Any:
        """Return the one matching object, None if there is none; more than one is an error."""
        found = self.limit(2)._fetch()
        if len(found) > 1:
            raise MultipleObjectsFound(f"{self.entity.__name__}: more than one object matches")
        return found[0] if found else None

    def count(self) -> int:
        """Return the number of matching rows."""
        session = self._session()
        session.flush()
        if self._limit is not None or self._offset:
            inner = self._copy(order=())
            sql, params, _ = inner._sql(session, "1")
            sql = f"SELECT COUNT(*) FROM ({sql}) counted"
        else:
            sql, params, _ = self._copy(order=())._sql(session, "COUNT(*)")
        return int(session.execute(sql, params)[0][0])

    def exists(self) -> bool:
        """Return True if at least one row matches."""
        session = self._session()
        session.flush()
        sql, params, _ = self._copy(order=(), limit=1)._sql(session, "1")
        return bool(session.execute(sql, params))

    def delete(self) -> int:
        """Delete every matching object (one by one, so on_delete holds in the session)."""
        found = self._fetch()
        for obj in found:
            obj.delete()
        return len(found)

    def __repr__(self) -> str:
        return f"<Query of {self.entity.__name__}>"


def _count_arg(n: Any, what: str) -> int | None:
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValidationError(f"{what} must be a non-negative integer, not {n!r}")
    return n
