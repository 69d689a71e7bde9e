"""The SQL of queries: SELECT, COUNT, EXISTS, the aggregates and the UPDATE of a query.

Each builds on ``select_sql``: the queried entity is ``t0``, relations are joined as the
conditions and orders need them (``conditions.py``), values are ``?`` parameters.  What
differs per server is asked of the dialect (``dialects/ormsql.py``): the random order
(``random_sql``), the lock clause (``for_update_sql``: SQLite locks the whole file, so
``for_update`` adds nothing there; PostgreSQL locks only the queried table of a join), the
"no limit" LIMIT and the NULL ordering.

A query with a window (LIMIT/OFFSET), DISTINCT or explicit joins is wrapped as a derived
table when counted, aggregated or updated, so the window applies before the aggregate and
an UPDATE changes exactly the rows the query selects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .conditions import SelectContext, condition_sql

if TYPE_CHECKING:
    from .expressions import AttrExpr, Selection
    from .layout import AttrInfo, EntityInfo
    from .session import Session

#: What ``select_sql`` selects: every column of the entity (None), a list, or a function of
#: the context (so a selected attribute can join its relation).
Columns = str | Callable[[SelectContext], str] | None


def select_sql(session: Session, selection: Selection, columns: Columns = None
               ) -> tuple[str, list[Any], EntityInfo]:
    """The SELECT of a query (every column of the entity unless ``columns`` is given)."""
    ctx = SelectContext(session, selection.entity)
    info = ctx.root
    for join in selection.joins:
        ctx.join(join.entity, join.on, join.kind)
    conditions = [condition_sql(c, ctx) for c in selection.where]
    if info.sti_filter:  # a subclass's rows only (single-table inheritance)
        conditions.append(info.sti_filter)
    # The parameters of each part, put together below in the order of the SQL text (an
    # order by a distance has one, which the DISTINCT path writes before the WHERE).
    body_params, ctx.params = ctx.params, []
    orders: list[tuple[str, str]] = []  # (expression, " DESC" and the NULL ordering)
    for order in selection.order:
        cols = ctx.expression(order.attr)
        nulls = ctx.dialect.nulls_smallest_sql(order.descending)
        orders.extend((c, (" DESC" if order.descending else "") + nulls) for c in cols)
    order_params, ctx.params = ctx.params, []
    if callable(columns):
        columns = columns(ctx)
    selected = columns or info.statements.all_columns
    body = f" FROM {info.table} t0"
    if ctx.joins:
        body += " " + " ".join(ctx.joins)
    if conditions:
        body += " WHERE " + " AND ".join(conditions)
    items = [i.split(" AS ")[0] for i in selected.split(", ")]
    params = ctx.params  # the selected columns' (none so far), first in the text
    if selection.distinct and (selection.random or any(o not in items for o, _ in orders)):
        sql = _distinct_then_ordered(selected, body, orders)  # the orders inside, first
        params += order_params + body_params
    else:
        sql = f"SELECT {'DISTINCT ' if selection.distinct else ''}{selected}{body}"
        if orders:
            sql += " ORDER BY " + ", ".join(o + suffix for o, suffix in orders)
        params += body_params + order_params
    if selection.random:
        sql += " ORDER BY " + ctx.dialect.random_sql
    if selection.limit is not None:
        sql += " LIMIT ?"
        params.append(selection.limit)
    elif selection.offset:
        sql += " LIMIT " + ctx.dialect.no_limit_sql
    if selection.offset:
        sql += " OFFSET ?"
        params.append(selection.offset)
    if selection.lock is not None:
        sql += ctx.dialect.for_update_sql(selection.lock, "t0", bool(ctx.joins))
    return sql, params, info


def _distinct_then_ordered(selected: str, body: str, orders: list[tuple[str, str]]) -> str:
    """DISTINCT rows ordered by what they do not show (``Post`` by ``Post.author.name``).

    PostgreSQL refuses an ORDER BY expression missing from a DISTINCT select list: the
    DISTINCT runs in a derived table that also selects the order expressions, and the outer
    query orders by them and returns only the selected columns.  An order through Singles
    has one value per row, so the rows are exactly those of the DISTINCT.
    """
    inner, outer = [], []
    for i, item in enumerate(selected.split(", ")):
        expr, _, name = item.partition(" AS ")
        name = name or f"nx_c{i}"
        inner.append(f"{expr} AS {name}")
        outer.append(name)
    inner += [f"{o} AS nx_o{i}" for i, (o, _) in enumerate(orders)]
    sql = f"SELECT {', '.join(outer)} FROM (SELECT DISTINCT {', '.join(inner)}{body}) ordered"
    if orders:
        sql += " ORDER BY " + ", ".join(f"nx_o{i}{suffix}" for i, (_, suffix) in
                                        enumerate(orders))
    return sql


def _wrapped(selection: Selection) -> bool:
    """The query must be a derived table to be counted, aggregated or updated."""
    return (selection.limit is not None or bool(selection.offset) or selection.distinct
            or bool(selection.joins))


def column_of(attr: AttrExpr) -> Callable[[SelectContext], str]:
    """The columns of one attribute, for ``select_sql`` (a Single: its key columns)."""
    return lambda ctx: ", ".join(ctx.columns(attr)[0])


def count_sql(session: Session, selection: Selection) -> tuple[str, list[Any]]:
    """Count the rows of a query (its window applies; its order does not matter)."""
    unordered = selection.replace(order=(), random=False, lock=None)
    if _wrapped(selection):
        inner: Columns = "1"
        if selection.distinct:
            inner = column_of(selection.column) if selection.column is not None else None
        sql, params, _ = select_sql(session, unordered if selection.limit is None
                                    else selection.replace(lock=None), inner)
        return f"SELECT COUNT(*) FROM ({sql}) counted", params
    sql, params, _ = select_sql(session, unordered, "COUNT(*)")
    return sql, params


def exists_sql(session: Session, selection: Selection) -> tuple[str, list[Any]]:
    """Return one row when a query matches any."""
    sql, params, _ = select_sql(session, selection.replace(order=(), random=False, limit=1,
                                                           lock=None), "1")
    return sql, params


def aggregate_sql(session: Session, selection: Selection, function: str, attr: AttrExpr
                  ) -> tuple[str, list[Any], AttrInfo]:
    """``SUM``/``AVG``/``MIN``/``MAX``/``COUNT`` of one attribute over a query's rows."""
    found: list[AttrInfo] = []

    def column(ctx: SelectContext) -> str:
        cols, a = ctx.columns(attr)
        found.append(a)
        if not _wrapped(selection):
            return f"{function}({cols[0]})"
        keys = ", ".join(f"t0.{q} AS nx_k{i}"
                         for i, q in enumerate(ctx.root.statements.key_quoted))
        return f"{keys}, {cols[0]} AS nx_v"

    plain = selection.replace(order=(), random=False, lock=None)
    sql, params, _ = select_sql(session, plain if selection.limit is None else
                                selection.replace(lock=None), column)
    if _wrapped(selection):
        sql = f"SELECT {function}(nx_v) FROM ({sql}) aggregated"
    return sql, params, found[0]


def update_sql(session: Session, selection: Selection, sets: list[str], set_params: list[Any]
               ) -> tuple[str, list[Any]]:
    """One UPDATE of the rows a query selects: ``sets`` are ``"column" = ?`` items."""
    info = session.info(selection.entity)
    if not _wrapped(selection):
        ctx = SelectContext(session, selection.entity)
        conditions = [condition_sql(c, ctx) for c in selection.where]
        conditions += [info.sti_filter] if info.sti_filter else []  # a subclass's rows only
        if not ctx.joins:
            sql = f"UPDATE {info.table} AS t0 SET {', '.join(sets)}"
            if conditions:
                sql += " WHERE " + " AND ".join(conditions)
            return sql, set_params + ctx.params
    keys = info.statements.key_quoted
    inner, params, _ = select_sql(session, selection.replace(lock=None),
                                  ", ".join(f"t0.{q} AS nx_k{i}" for i, q in enumerate(keys)))
    names = ", ".join(f"nx_k{i}" for i in range(len(keys)))
    target = keys[0] if len(keys) == 1 else f"({', '.join(keys)})"
    return (f"UPDATE {info.table} SET {', '.join(sets)} WHERE {target} IN "
            f"(SELECT {names} FROM ({inner}) selected)", set_params + params)
