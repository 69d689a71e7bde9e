"""Every SQL statement the ORM runtime sends: row writes, key reads, queries, join-table links.

Identifiers arrive quoted (``layout.py`` quotes them with the dialect) or are quoted here;
values always travel as ``?`` parameters, which ``Database`` adapts to the driver.  The
statements of one entity are built once per database and kept in its ``EntityStatements``.

What differs per server (the "no limit" LIMIT, NULL ordering, LIKE as GLOB, RETURNING, an
INSERT of defaults only) is asked of the dialect, never decided here by the server's name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from .expressions import AttrExpr, BoolOp, Compare, Condition, Like, LinkedTo, Not, Selection
from .rows import key_columns

if TYPE_CHECKING:
    from ..dialects.base import Dialect
    from ..entity import Entity
    from ..mapping import Relation
    from .layout import AttrInfo, EntityInfo
    from .session import Session


#: The attributes an UPDATE compares with the values the session read: ``(name, was NULL)``.
Checks = tuple[tuple[str, bool], ...]


class EntityStatements:
    """The statements that write and read one entity's rows on one database, by key."""

    def __init__(self, dialect: Dialect, table: str, attrs: dict[str, AttrInfo],
                 pk_attrs: list[str], auto_pk: str | None) -> None:
        self._dialect = dialect
        self._table = table
        self._attrs = attrs
        self._auto_pk = auto_pk
        #: The quoted key columns, in the order of ``rows.key_params``.
        self.key_quoted = [q for name in pk_attrs for q in attrs[name].quoted]
        self.key_where = " AND ".join(f"{q} = ?" for q in self.key_quoted)
        self.all_columns = ", ".join(f"t0.{q}" for a in attrs.values() for q in a.quoted)
        self.delete = f"DELETE FROM {table} WHERE {self.key_where}"
        key_where_t0 = " AND ".join(f"t0.{q} = ?" for q in self.key_quoted)
        self.select_by_key = f"SELECT {self.all_columns} FROM {table} t0 WHERE {key_where_t0}"
        self._inserts: dict[tuple[str, ...], str] = {}  # by the attributes left out
        self._multi_inserts: dict[tuple[tuple[str, ...], int], str] = {}  # and the row count
        self._updates: dict[tuple[tuple[str, ...], Checks], str] = {}

    def _columns(self, names: tuple[str, ...] | list[str]) -> list[str]:
        return [q for name in names for q in self._attrs[name].quoted]

    def insert_without(self, server_filled: tuple[str, ...]) -> str:
        """The INSERT of every attribute but ``server_filled`` (left to the server's DEFAULT).

        It returns the auto key where the server can.
        """
        sql = self._inserts.get(server_filled)
        if sql is None:
            cols = self._columns([name for name in self._attrs if name not in server_filled])
            if cols:
                marks = ", ".join("?" * len(cols))
                sql = f"INSERT INTO {self._table} ({', '.join(cols)}) VALUES ({marks})"
            else:
                sql = self._dialect.insert_defaults_sql(self._table)
            if self._auto_pk and self._dialect.insert_returns_key:
                sql += f" RETURNING {self._attrs[self._auto_pk].quoted[0]}"
            self._inserts[server_filled] = sql
        return sql

    def insert_rows(self, server_filled: tuple[str, ...], rows: int) -> str:
        """The INSERT of ``rows`` rows of every attribute but ``server_filled``, returning
        nothing (the batched flush, ``batch.py``, learns the keys its own way)."""
        sql = self._multi_inserts.get((server_filled, rows))
        if sql is None:
            cols = self._columns([name for name in self._attrs if name not in server_filled])
            row = f"({', '.join('?' * len(cols))})"
            sql = (f"INSERT INTO {self._table} ({', '.join(cols)}) VALUES "
                   + ", ".join([row] * rows))
            self._multi_inserts[(server_filled, rows)] = sql
        return sql

    def update(self, names: tuple[str, ...], checks: Checks = ()) -> str:
        """The UPDATE of the given attributes of one row (parameters: values, key, then the
        values ``checks`` compares: the optimistic check, ``batch.py``)."""
        sql = self._updates.get((names, checks))
        if sql is None:
            sets = ", ".join(f"{q} = ?" for q in self._columns(names))
            where = self.key_where + "".join(
                f" AND {q} IS NULL" if is_null else f" AND {q} = ?"
                for name, is_null in checks for q in self._attrs[name].quoted)
            sql = self._updates[(names, checks)] = (
                f"UPDATE {self._table} SET {sets} WHERE {where}")
        return sql

    def select_columns(self, names: list[str]) -> str:
        """Read the given attributes of one row."""
        return (f"SELECT {', '.join(self._columns(names))} FROM {self._table} "
                f"WHERE {self.key_where}")


# -- many-to-many links --------------------------------------------------------------------


def link_insert(dialect: Dialect, rel: Relation) -> str:
    """Insert a join-table row unless it exists (parameters: the row's values, twice)."""
    q = dialect.quote
    cols = rel.join_columns + rel.join_target_columns
    table = q(_join_table(rel))
    marks = ", ".join("?" * len(cols))
    return (f"INSERT INTO {table} ({', '.join(q(c) for c in cols)}) SELECT {marks} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {_link_match(dialect, rel)})")


def link_delete(dialect: Dialect, rel: Relation) -> str:
    """Delete a join-table row (parameters: the owner's key, then the target's)."""
    return f"DELETE FROM {dialect.quote(_join_table(rel))} WHERE {_link_match(dialect, rel)}"


def _link_match(dialect: Dialect, rel: Relation) -> str:
    q = dialect.quote
    return " AND ".join(f"{q(c)} = ?" for c in rel.join_columns + rel.join_target_columns)


def _join_table(rel: Relation) -> str:
    if rel.join_table is None:
        raise ValueError(f"{rel.attr!r} is not a many-to-many relation")
    return rel.join_table


# -- queries -------------------------------------------------------------------------------


def select_sql(session: Session, selection: Selection, columns: str | None = None
               ) -> tuple[str, list[Any], EntityInfo]:
    """The SELECT of a query (every column of the entity unless ``columns`` is given)."""
    ctx = SelectContext(session, selection.entity)
    info = ctx.root
    conditions = [condition_sql(c, ctx) for c in selection.where]
    orders: list[str] = []
    for order in selection.order:
        cols, _ = ctx.columns(order.attr)
        nulls = ctx.dialect.nulls_smallest_sql(order.descending)
        orders.extend((f"{c} DESC" if order.descending else c) + nulls for c in cols)
    sql = f"SELECT {columns or info.statements.all_columns} FROM {info.table} t0"
    if ctx.joins:
        sql += " " + " ".join(ctx.joins)
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    if orders:
        sql += " ORDER BY " + ", ".join(orders)
    params = ctx.params
    if selection.limit is not None:
        sql += " LIMIT ?"
        params.append(selection.limit)
    elif selection.offset:
        sql += " LIMIT " + ctx.dialect.no_limit_sql
    if selection.offset:
        sql += " OFFSET ?"
        params.append(selection.offset)
    return sql, params, info


def count_sql(session: Session, selection: Selection) -> tuple[str, list[Any]]:
    """Count the rows of a query (its window applies; its order does not matter)."""
    unordered = selection.replace(order=())
    if selection.limit is not None or selection.offset:
        sql, params, _ = select_sql(session, unordered, "1")
        return f"SELECT COUNT(*) FROM ({sql}) counted", params
    sql, params, _ = select_sql(session, unordered, "COUNT(*)")
    return sql, params


def exists_sql(session: Session, selection: Selection) -> tuple[str, list[Any]]:
    """Return one row when a query matches any."""
    sql, params, _ = select_sql(session, selection.replace(order=(), limit=1), "1")
    return sql, params


class SelectContext:
    """Collects the parameters and the joins a query's conditions and order need."""

    def __init__(self, session: Session, root: type[Entity]) -> None:
        self.root = session.info(root)  # picks the session's database if not chosen yet
        self.session = session
        self.dialect = session.dialect
        self.params: list[Any] = []
        self.aliases: dict[tuple[str, ...], tuple[str, EntityInfo]] = {(): ("t0", self.root)}
        self.joins: list[str] = []

    def alias(self, path: tuple[str, ...]) -> tuple[str, EntityInfo]:
        """The table alias of the entity reached through ``path`` (a LEFT JOIN per Single)."""
        found = self.aliases.get(path)
        if found is None:
            parent_alias, parent = self.alias(path[:-1])
            a = parent.attrs[path[-1]]
            target = self.session.info(_single_target(a))
            alias = f"t{len(self.aliases)}"
            on = " AND ".join(f"{alias}.{t} = {parent_alias}.{c}"
                              for t, c in zip(target.statements.key_quoted, a.quoted, strict=True))
            self.joins.append(f"LEFT JOIN {target.table} {alias} ON {on}")
            found = self.aliases[path] = (alias, target)
        return found

    def columns(self, attr: AttrExpr) -> tuple[list[str], AttrInfo]:
        """The aliased columns of an attribute expression, and the attribute."""
        alias, info = self.alias(attr._path)
        a = info.attrs.get(attr._name)
        if a is None:
            raise ValidationError(f"{attr!r}: a Set attribute cannot be compared in a query")
        return [f"{alias}.{q}" for q in a.quoted], a

    def to_db(self, a: AttrInfo, value: Any) -> list[Any]:
        """The column values of ``value`` (a new related object is flushed to get its key)."""
        if a.kind == "single":
            if hasattr(value, "_vals_"):
                if value._status_ == "new":
                    self.session.flush()
                value = value._key_()
            return key_columns(a, value)
        convert = a.to_db[0]
        return [value if convert is None or value is None else convert(value)]


def _single_target(a: AttrInfo) -> type[Entity]:
    if a.target is None:
        raise ValidationError(f"{a.name} is not a Single attribute")
    return a.target


def condition_sql(condition: Condition, ctx: SelectContext) -> str:
    """Render a condition, adding its parameters to ``ctx``."""
    return _RENDERERS[type(condition)](condition, ctx)


def _bool_op_sql(cond: BoolOp, ctx: SelectContext) -> str:
    return f"({condition_sql(cond.left, ctx)} {cond.op} {condition_sql(cond.right, ctx)})"


def _not_sql(cond: Not, ctx: SelectContext) -> str:
    return f"NOT ({condition_sql(cond.inner, ctx)})"


def _compare_sql(cond: Compare, ctx: SelectContext) -> str:
    cols, a = ctx.columns(cond.attr)
    op, value = cond.op, cond.value
    if isinstance(value, AttrExpr):
        other, _ = ctx.columns(value)
        return _joined([f"{x} {op} {y}" for x, y in zip(cols, other, strict=True)], op)
    if op == "IN":
        if not value:
            return "1 = 0"
        if len(cols) != 1:
            raise ValidationError(f"{cond.attr!r}: in_() needs a one-column attribute")
        ctx.params.extend(ctx.to_db(a, v)[0] for v in value)
        return f"{cols[0]} IN ({', '.join('?' * len(value))})"
    if value is None:
        if a.empty_str:  # Opt[str] stores '' for "no value"
            ctx.params.append("")
            return f"{cols[0]} {op} ?"
        if op not in ("=", "<>"):
            raise ValidationError(f"{cond.attr!r}: cannot compare with None using {op}")
        word = "IS NULL" if op == "=" else "IS NOT NULL"
        return _joined([f"{c} {word}" for c in cols], op)
    values = ctx.to_db(a, value)
    if len(cols) > 1 and op not in ("=", "<>"):
        raise ValidationError(f"{cond.attr!r}: only == and != compare a composite key")
    ctx.params.extend(values)
    return _joined([f"{c} {op} ?" for c in cols], op)


def _joined(parts: list[str], op: str) -> str:
    """One comparison per column of a composite key: all must hold, or one differ for <>."""
    if len(parts) == 1:
        return parts[0]
    if op == "<>":
        return "(" + " OR ".join(parts) + ")"
    return "(" + " AND ".join(parts) + ")"


def _like_sql(cond: Like, ctx: SelectContext) -> str:
    cols, _ = ctx.columns(cond.attr)
    if ctx.dialect.like_as_glob:
        ctx.params.append(_like_to_glob(cond.pattern, escaped=not cond.raw))
        return f"{cols[0]} GLOB ?"
    ctx.params.append(cond.pattern)
    return f"{cols[0]} LIKE ?" if cond.raw else f"{cols[0]} LIKE ? ESCAPE '!'"


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


def _linked_to_sql(cond: LinkedTo, ctx: SelectContext) -> str:
    q = ctx.dialect.quote
    rel = cond.relation
    alias, info = ctx.aliases[()]
    on = [f"j.{q(jc)} = {alias}.{tc}"
          for jc, tc in zip(rel.join_target_columns, info.statements.key_quoted, strict=True)]
    on += [f"j.{q(jc)} = ?" for jc in rel.join_columns]
    ctx.params.extend(cond.owner_key())
    return f"EXISTS (SELECT 1 FROM {q(_join_table(rel))} j WHERE {' AND '.join(on)})"


#: The renderer of each kind of condition (each takes its own kind, hence ``Any``).
_RENDERERS: dict[type[Condition], Callable[[Any, SelectContext], str]] = {
    BoolOp: _bool_op_sql,
    Not: _not_sql,
    Compare: _compare_sql,
    Like: _like_sql,
    LinkedTo: _linked_to_sql,
}
