"""Queries on entities: ``select().filter().order_by()`` and the rest of 0.5.1's QuerySet.

``User.name`` on the class is an attribute expression (``expressions.py``); comparing it builds
a condition.  A lambda or a generator builds the same conditions (``decompile.py``)::

    User.select().filter((User.age >= 18) & ~User.name.startswith("x")).order_by(User.name.desc())
    User.select(lambda u: u.age >= 18 and not u.name.startswith("x")).order_by(lambda u: u.name)
    select(u for u in User if u.age >= 18 and not u.name.startswith("x"))
    Post.select().filter(Post.author.name == "ann")     # one join on the related entity
    User.select().filter(User.age.is_(None) | User.id.in_([1, 2])).limit(10, offset=20)

Every value travels as a parameter (converted like the column, ``convert.py``), every
identifier is quoted.  ``like``/``startswith``/``endswith``/``contains`` are case-sensitive on
every database (SQLite runs them as GLOB), ``ilike`` ignores case everywhere; in ``order_by``
NULL sorts before every value on every database, and ``order_by`` replaces the previous order
(as in 0.5.1).  For an ``Opt[str]`` attribute, which stores ``''`` for "no value", ``is_(None)``
and ``== None`` match ``''``.  A query runs inside the active ``db_session`` and flushes its
pending changes first.  Running it is ``query_results.py``; this module builds it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from .decompile import lambda_condition, lambda_value
from .expressions import (
    AttrExpr,
    Compare,
    Condition,
    Join,
    Operand,
    Order,
    Selection,
    attribute,
)
from .query_results import QueryResults

if TYPE_CHECKING:
    from ..entity import Entity


class Query(QueryResults):
    """A SELECT of one entity (0.5.1's ``QuerySet``); each method returns a new query."""

    def __init__(self, entity: type[Entity], selection: Selection | None = None) -> None:
        self.entity = entity
        self.selection = selection or Selection(entity)

    def _with(self, **changes: Any) -> Query:
        return Query(self.entity, self.selection.replace(**changes))

    # -- which rows ------------------------------------------------------------------------

    def filter(self, *conditions: Condition | Callable[[Any], Any], **equal: Any) -> Query:
        """Keep rows matching every condition: ``User.age > 18``, ``lambda u: u.age > 18``;
        ``name=value`` means ``Entity.name == value``."""
        extra: list[Condition] = []
        for cond in conditions:
            if isinstance(cond, Condition):
                extra.append(cond)
            elif callable(cond) and not isinstance(cond, AttrExpr):
                found = lambda_condition(cond, self.entity)
                if found is not None:
                    extra.append(found)
            else:
                raise ValidationError(f"filter() takes conditions such as User.name == 'x' "
                                      f"or lambda u: u.name == 'x', not {cond!r}")
        for name, value in equal.items():
            self._check_attribute(name)
            extra.append(Compare(attribute(self.entity, name), "=", value))
        return self._with(where=self.selection.where + tuple(extra))

    where = filter

    def join(self, entity: type[Entity] | str, on: Condition, *, join_type: str = "INNER",
             alias: str | None = None) -> Query:
        """Join another entity on a condition: ``join(Post, Post.author == User.id)``.

        Conditions and orders may then use its attributes (``Post.title == "x"``); each
        matching pair of rows is one result, as in SQL.  ``alias`` is accepted for 0.5.1
        code: the joined entity's attributes already name it.
        """
        kind = join_type.upper()
        if kind not in ("INNER", "LEFT"):
            raise ValidationError(f"join_type must be 'INNER' or 'LEFT', not {join_type!r}")
        if isinstance(entity, str) or not hasattr(entity, "_attrs_"):
            raise ValidationError(f"join() takes an entity class, not {entity!r}")
        if not isinstance(on, Condition):
            raise ValidationError(f"join() takes a condition such as Post.author == User.id, "
                                  f"not {on!r}")
        return self._with(joins=self.selection.joins + (Join(entity, on, kind),))

    # -- order and window ------------------------------------------------------------------

    def order_by(self, *items: AttrExpr | Order | str | Callable[[Any], Any]) -> Query:
        """Order by attributes (replacing the previous order): ``User.name``,
        ``User.name.desc()``, ``desc(User.name)``, ``"name"``, ``"-name"``,
        ``lambda u: u.name`` or ``lambda u: (u.name, desc(u.age))``."""
        orders: list[Order] = []
        for item in items:
            if callable(item) and not isinstance(item, Operand | Order | str):
                value = lambda_value(item, self.entity)
                for part in value if isinstance(value, tuple | list) else (value,):
                    orders.append(self._order(part))
            else:
                orders.append(self._order(item))
        return self._with(order=tuple(orders), random=False)

    def _order(self, item: Any) -> Order:
        if isinstance(item, str):
            name = item.lstrip("-")
            self._check_attribute(name)
            return Order(attribute(self.entity, name), item.startswith("-"))
        if isinstance(item, Operand):  # an attribute, or arithmetic (lambda u: u.a * u.b)
            return Order(item, False)
        if not isinstance(item, Order):
            raise ValidationError(f"order_by() takes attributes, not {item!r}")
        return item

    def _check_attribute(self, name: str) -> None:
        if name not in self.entity._attrs_:
            raise ValidationError(f"{self.entity.__name__} has no attribute {name!r}")

    def limit(self, n: int | None, offset: int | None = None) -> Query:
        return self._with(limit=_count_arg(n, "limit"),
                          offset=_count_arg(offset, "offset") if offset is not None
                          else self.selection.offset)

    def offset(self, n: int) -> Query:
        return self._with(offset=_count_arg(n, "offset"))

    def page(self, pagenum: int, pagesize: int = 10) -> Query:
        """Page ``pagenum`` (from 1) of ``pagesize`` rows."""
        if isinstance(pagenum, bool) or not isinstance(pagenum, int) or pagenum < 1:
            raise ValidationError(f"page numbers start at 1, not {pagenum!r}")
        size = _count_arg(pagesize, "pagesize") or 0
        return self._with(limit=size, offset=(pagenum - 1) * size)

    def random(self, n: int) -> Query:
        """``n`` rows in a random order."""
        return self._with(random=True, order=(), limit=_count_arg(n, "random"))

    def distinct(self) -> Query:
        """Each row once (SELECT DISTINCT)."""
        return self._with(distinct=True)

    def without_distinct(self) -> Query:
        return self._with(distinct=False)

    def for_update(self, *, nowait: bool = False, skip_locked: bool = False) -> Query:
        """Lock the selected rows until the session's transaction ends (``FOR UPDATE``).

        ``nowait`` fails at once on a locked row, ``skip_locked`` leaves locked rows out.
        SQLite has no row locks: its writers lock the whole file, so this adds nothing there.
        """
        if nowait and skip_locked:
            raise ValidationError("for_update() takes nowait or skip_locked, not both")
        return self._with(lock="NOWAIT" if nowait else "SKIP LOCKED" if skip_locked else "")

    def prefetch(self, *relations: Any) -> Query:
        """Load these relations of the results with one query each (no query per object):
        ``Post.select().prefetch(Post.author)``, ``User.select().prefetch("posts")``."""
        names = []
        for rel in relations:
            name = rel if isinstance(rel, str) else getattr(rel, "_name", None) or getattr(
                rel, "name", None)
            attr = self.entity._attrs_.get(name) if isinstance(name, str) else None
            if attr is None or attr.kind not in ("single", "set"):
                raise ValidationError(f"prefetch() takes relations of {self.entity.__name__}, "
                                      f"not {rel!r}")
            names.append(attr.name)
        return self._with(prefetch=self.selection.prefetch + tuple(names))

    def __repr__(self) -> str:
        return f"<Query of {self.entity.__name__}>"


#: The name of this class in nextorm 0.5.1.
QuerySet = Query


def _count_arg(n: Any, what: str) -> int | None:
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValidationError(f"{what} must be a non-negative integer, not {n!r}")
    return n
