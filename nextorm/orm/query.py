"""Queries on entities: ``select().filter().order_by()`` and friends.

``User.name`` on the class is an attribute expression (``expressions.py``); comparing it builds
a condition::

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
from typing import TYPE_CHECKING, Any

from ..errors import MultipleObjectsFound, ValidationError
from .context import current_session
from .expressions import AttrExpr, Compare, Condition, Order, Selection, attribute
from .sql import count_sql, exists_sql, select_sql

if TYPE_CHECKING:
    from ..entity import Entity


class Query:
    """A SELECT of one entity; each method returns a new query."""

    def __init__(self, entity: type[Entity], selection: Selection | None = None) -> None:
        self.entity = entity
        self.selection = selection or Selection(entity)

    def _with(self, **changes: Any) -> Query:
        return Query(self.entity, self.selection.replace(**changes))

    def filter(self, *conditions: Condition, **equal: Any) -> Query:
        """Keep rows matching every condition; ``name=value`` means ``Entity.name == value``."""
        extra = list(conditions)
        for name, value in equal.items():
            self._check_attribute(name)
            extra.append(Compare(attribute(self.entity, name), "=", value))
        for cond in extra:
            if not isinstance(cond, Condition):
                raise ValidationError(f"filter() takes conditions such as User.name == 'x', "
                                      f"not {cond!r}")
        return self._with(where=self.selection.where + tuple(extra))

    where = filter

    def order_by(self, *items: AttrExpr | Order | str) -> Query:
        """Order by attributes: ``User.name``, ``User.name.desc()``, ``"name"`` or ``"-name"``."""
        return self._with(order=self.selection.order + tuple(self._order(i) for i in items))

    def _order(self, item: AttrExpr | Order | str) -> Order:
        if isinstance(item, str):
            name = item.lstrip("-")
            self._check_attribute(name)
            return Order(attribute(self.entity, name), item.startswith("-"))
        if isinstance(item, AttrExpr):
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

    def __getitem__(self, item: slice) -> list[Any]:
        if not isinstance(item, slice) or item.step is not None:
            raise TypeError("queries take slices: query[10:20]")
        start = item.start or 0
        stop = None if item.stop is None else max(item.stop - start, 0)
        return self.limit(stop, offset=start).fetch_all()

    # -- running ---------------------------------------------------------------------------

    def _fetch(self) -> list[Any]:
        session = current_session()
        session.flush()
        sql, params, info = select_sql(session, self.selection)
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
        session = current_session()
        session.flush()
        sql, params = count_sql(session, self.selection)
        return int(session.execute(sql, params)[0][0])

    def exists(self) -> bool:
        """Return True if at least one row matches."""
        session = current_session()
        session.flush()
        sql, params = exists_sql(session, self.selection)
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
