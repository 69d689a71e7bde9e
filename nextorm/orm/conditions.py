"""A query's conditions as SQL: the table aliases and joins they need, and their parameters.

``SelectContext`` gives each entity a query reaches an alias: ``t0`` the queried entity, one
``LEFT JOIN`` per ``Single`` a condition or an order walks through (``Post.author.name``), and
the entities joined explicitly (``query.join(Post, ...)``).  ``condition_sql`` renders the
condition classes of ``expressions.py``; values always become ``?`` parameters.

Server differences come from the dialect: LIKE as GLOB where LIKE ignores case (SQLite).
``ilike`` lower-cases both sides, which reads the same on every server.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from .expressions import (
    Always,
    Arith,
    AttrExpr,
    BoolOp,
    Compare,
    Condition,
    Distance,
    Like,
    LinkedTo,
    Not,
)
from .rows import key_columns
from .sql import _join_table

if TYPE_CHECKING:
    from ..entity import Entity
    from .expressions import Operand
    from .layout import AttrInfo, EntityInfo
    from .session import Session


class SelectContext:
    """Collects the parameters and the joins a query's conditions and order need."""

    def __init__(self, session: Session, root: type[Entity]) -> None:
        self.root = session.info(root)  # picks the session's database if not chosen yet
        self.session = session
        self.dialect = session.dialect
        self.params: list[Any] = []
        #: ``(entity the path starts at, path) -> (alias, info)``
        self.aliases: dict[tuple[type[Entity], tuple[str, ...]], tuple[str, EntityInfo]] = {
            (root, ()): ("t0", self.root)}
        self.joins: list[str] = []

    def join(self, entity: type[Entity], on: Condition, kind: str) -> None:
        """An explicit join of ``entity`` (its attributes then name its alias)."""
        if (entity, ()) in self.aliases:
            raise ValidationError(f"{entity.__name__} is already part of this query")
        info = self.session.info(entity)
        alias = f"t{len(self.aliases)}"
        self.aliases[(entity, ())] = (alias, info)
        self.joins.append(f"{kind} JOIN {info.table} {alias} ON {condition_sql(on, self)}")

    def alias(self, root: type[Entity], path: tuple[str, ...]) -> tuple[str, EntityInfo]:
        """The table alias of the entity reached through ``path`` (a LEFT JOIN per Single)."""
        found = self.aliases.get((root, path))
        if found is None:
            if not path:
                raise ValidationError(f"{root.__name__} is not part of this query of "
                                      f"{self.root.entity.__name__}: join it first")
            parent_alias, parent = self.alias(root, path[:-1])
            a = parent.attrs[path[-1]]
            target = self.session.info(_single_target(a))
            alias = f"t{len(self.aliases)}"
            on = " AND ".join(f"{alias}.{t} = {parent_alias}.{c}"
                              for t, c in zip(target.statements.key_quoted, a.quoted, strict=True))
            self.joins.append(f"LEFT JOIN {target.table} {alias} ON {on}")
            found = self.aliases[(root, path)] = (alias, target)
        return found

    def columns(self, attr: AttrExpr) -> tuple[list[str], AttrInfo]:
        """The aliased columns of an attribute expression, and the attribute."""
        alias, info = self.alias(attr._root, attr._path)
        a = info.attrs.get(attr._name)
        if a is None:
            raise ValidationError(f"{attr!r}: a Set attribute cannot be compared in a query")
        return [f"{alias}.{q}" for q in a.quoted], a

    def expression(self, expr: Operand) -> list[str]:
        """The SQL of an attribute (its columns) or of arithmetic (one expression)."""
        if isinstance(expr, AttrExpr):
            return self.columns(expr)[0]
        return [operand_sql(expr, self)]

    def to_db(self, a: AttrInfo, value: Any) -> list[Any]:
        """The column values of ``value`` (a new related object is flushed to get its key)."""
        if a.kind == "single":
            if hasattr(value, "_vals_"):
                if value._status_ == "new":
                    self.session.flush()
                value = value._key_()
            return key_columns(a, value)
        if hasattr(value, "_vals_"):  # ``u == obj`` compares keys: the object's own key
            value = value._key_()
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


def _always_sql(cond: Always, ctx: SelectContext) -> str:
    return "1 = 1" if cond.value else "1 = 0"


def operand_sql(value: Any, ctx: SelectContext) -> str:
    """One side of arithmetic or of its comparison: a one-column attribute, arithmetic in
    parentheses, or a ``?`` parameter (a Decimal as a float where decimals are stored as
    text: SQLite computes with floats then)."""
    if isinstance(value, AttrExpr):
        cols, _ = ctx.columns(value)
        if len(cols) != 1:
            raise ValidationError(f"{value!r}: arithmetic needs a one-column attribute")
        return cols[0]
    if isinstance(value, Distance):  # the vector as the column stores it (JSON text...)
        cols, a = ctx.columns(value.attr)
        convert = a.to_db[0]
        ctx.params.append(value.vector if convert is None else convert(value.vector))
        return ctx.dialect.distance_sql(value.kind, cols[0], "?")
    if isinstance(value, Arith):
        left, right = operand_sql(value.left, ctx), operand_sql(value.right, ctx)
        if value.op == "/":  # Python's true division, also of two integers
            return f"({left} * 1.0 / {right})"
        return f"({left} {value.op} {right})"
    if isinstance(value, Decimal) and ctx.dialect.value_forms.get("decimal") == "text":
        value = float(value)
    ctx.params.append(value)
    return "?"


def _arith_compare_sql(cond: Compare, ctx: SelectContext) -> str:
    left, op, value = operand_sql(cond.attr, ctx), cond.op, cond.value
    if value is None and op in ("=", "<>"):
        return f"{left} {'IS NULL' if op == '=' else 'IS NOT NULL'}"
    if op == "IN":
        return f"{left} IN ({', '.join(operand_sql(v, ctx) for v in value)})" if value \
            else "1 = 0"
    return f"{left} {op} {operand_sql(value, ctx)}"


def _compare_sql(cond: Compare, ctx: SelectContext) -> str:
    if isinstance(cond.attr, Arith | Distance) or isinstance(cond.value, Arith | Distance):
        return _arith_compare_sql(cond, ctx)
    assert isinstance(cond.attr, AttrExpr)
    cols, a = ctx.columns(cond.attr)
    op, value = cond.op, cond.value
    if isinstance(value, AttrExpr):
        other, _ = ctx.columns(value)
        return _joined([f"{x} {op} {y}" for x, y in zip(cols, other, strict=True)], op)
    if op == "IN":
        if not value:
            return "1 = 0"
        if len(cols) != 1:  # a composite key: one AND per value, flat (no nesting)
            each = "(" + " AND ".join(f"{c} = ?" for c in cols) + ")"
            for v in value:
                ctx.params.extend(ctx.to_db(a, v))
            return "(" + " OR ".join([each] * len(value)) + ")"
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
    if cond.ignore_case:
        ctx.params.append(cond.pattern)
        return f"LOWER({cols[0]}) LIKE LOWER(?)"
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
    alias, info = ctx.aliases[(ctx.root.entity, ())]
    on = [f"j.{q(jc)} = {alias}.{tc}"
          for jc, tc in zip(rel.join_target_columns, info.statements.key_quoted, strict=True)]
    on += [f"j.{q(jc)} = ?" for jc in rel.join_columns]
    ctx.params.extend(cond.owner_key())
    return f"EXISTS (SELECT 1 FROM {q(_join_table(rel))} j WHERE {' AND '.join(on)})"


#: The renderer of each kind of condition (each takes its own kind, hence ``Any``).
_RENDERERS: dict[type[Condition], Callable[[Any, SelectContext], str]] = {
    BoolOp: _bool_op_sql,
    Not: _not_sql,
    Always: _always_sql,
    Compare: _compare_sql,
    Like: _like_sql,
    LinkedTo: _linked_to_sql,
}
