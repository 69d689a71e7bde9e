"""Running a query: its objects, one object, counts, aggregates, UPDATE, DELETE, raw SQL.

``Query`` (``query.py``) inherits these; they read ``self.selection`` and never change it.
Every method runs in the active ``db_session`` and flushes its pending changes first.

- ``update(**values)`` is one UPDATE statement; the objects of the session that it changes
  take the new values (their keys are read first, only when the session holds objects of
  the entity), so the identity map never shows a value the database no longer has.
- ``sum``/``avg``/``min``/``max`` are SQL aggregates over the query's rows (its window
  applies); ``avg`` of an ``int`` or ``float`` attribute is a float, ``sum`` keeps the
  attribute's type; all of them give None when no row has a value.  ``group_concat`` joins
  the values (in the query's order) in Python, the same on every server.
- ``raw(sql, params)`` runs the user's SELECT of the entity's columns (by name, any order).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any

from ..errors import MultipleObjectsFound, ObjectNotFound, SessionError, ValidationError
from .context import current_session
from .decompile import lambda_value
from .prefetch import forget_prefetched, prefetch
from .querysql import aggregate_sql, column_of, count_sql, exists_sql, select_sql, update_sql
from .raw import raw_rows
from .rows import ReadPlan, key_columns

if TYPE_CHECKING:
    from ..entity import Entity
    from .expressions import AttrExpr, Selection
    from .layout import AttrInfo
    from .session import Session


class QueryResults:
    """The methods that run a query (mixed into ``Query``)."""

    entity: type[Entity]
    selection: Selection

    def _with(self, **changes: Any) -> Any:
        raise NotImplementedError

    def _session(self) -> Session:
        session = current_session().for_entity(self.entity)
        session.flush()
        return session

    def _fetch(self) -> list[Any]:
        session = self._session()
        column = self.selection.column
        if column is not None:
            return self._fetch_column(session, column)
        sql, params, info = select_sql(session, self.selection)
        found = session.materialize(info, session.execute(sql, params))
        if self.selection.prefetch:
            prefetch(session, info, found, self.selection.prefetch)
        return found

    def _fetch_column(self, session: Session, column: AttrExpr) -> list[Any]:
        """The values of the one attribute a generator yields (``u.name for u in User``)."""
        found: list[AttrInfo] = []

        def columns(ctx: Any) -> str:
            found.append(ctx.columns(column)[1])
            return column_of(column)(ctx)

        sql, params, _ = select_sql(session, self.selection, columns)
        rows = session.execute(sql, params)
        a = found[0]
        plan = ReadPlan([a])
        values = [plan.values(row)[a.name] for row in rows]
        if a.target is None:
            return values
        target = a.target
        return [None if key is None else session.load(target, key, required=False)
                for key in values]

    def fetch_all(self) -> list[Any]:
        """Return every matching object."""
        return self._fetch()

    fetch = to_list = fetch_all

    def __iter__(self) -> Iterator[Any]:
        return iter(self._fetch())

    def first(self) -> Any:
        """Return the first matching object (in the query's order), or None."""
        found = self._with(limit=1)._fetch()
        return found[0] if found else None

    fetch_one = first

    def get(self) -> Any:
        """Return the one matching object, None if there is none; more than one is an error."""
        found = self._with(limit=2)._fetch()
        if len(found) > 1:
            raise MultipleObjectsFound(f"{self.entity.__name__}: more than one object matches")
        return found[0] if found else None

    def get_or_raise(self) -> Any:
        """Return the one matching object; none is ``ObjectNotFound``, more is an error."""
        found = self.get()
        if found is None:
            raise ObjectNotFound(f"no {self.entity.__name__} matches the query")
        return found

    def __getitem__(self, item: int | slice) -> Any:
        """``query[3]``: the fourth object (IndexError past the end); ``query[10:20]``."""
        if isinstance(item, int) and not isinstance(item, bool):
            if item < 0:
                raise IndexError(f"query[{item}]: negative indexes would need a count first; "
                                 f"reverse the order instead")
            limit = self.selection.limit
            found = [] if limit is not None and item >= limit else self._with(
                limit=1, offset=(self.selection.offset or 0) + item)._fetch()
            if not found:
                raise IndexError(f"query index {item} out of range")
            return found[0]
        if not isinstance(item, slice) or item.step is not None:
            raise TypeError("queries take an index or a slice: query[3], query[10:20]")
        start = item.start or 0
        stop = None if item.stop is None else max(item.stop - start, 0)
        return self._with(limit=stop, offset=start).fetch_all()

    def __len__(self) -> int:
        return self.count()

    def count(self) -> int:
        """Return the number of matching rows."""
        session = self._session()
        sql, params = count_sql(session, self.selection)
        return int(session.execute(sql, params)[0][0])

    def exists(self) -> bool:
        """Return True if at least one row matches."""
        session = self._session()
        sql, params = exists_sql(session, self.selection)
        return bool(session.execute(sql, params))

    # -- aggregates ------------------------------------------------------------------------

    def _aggregate(self, function: str, attr: str | AttrExpr | Callable[[Any], Any]) -> Any:
        expr = self._attr(attr)
        session = self._session()
        sql, params, a = aggregate_sql(session, self.selection, function, expr)
        value = session.execute(sql, params)[0][0]
        if value is None:
            return None
        py_type = self.entity_attr(expr).py_type
        if function == "AVG":
            return value if py_type is Decimal else float(value)
        if function == "SUM":
            return py_type(value) if py_type in (int, float, Decimal) else value
        if function == "COUNT":
            return int(value)
        return ReadPlan([a]).values((value,))[a.name]

    def _attr(self, attr: str | AttrExpr | Callable[[Any], Any]) -> AttrExpr:
        from .expressions import AttrExpr, attribute

        if isinstance(attr, str):
            if attr not in self.entity._attrs_:
                raise ValidationError(f"{self.entity.__name__} has no attribute {attr!r}")
            return attribute(self.entity, attr)
        if not isinstance(attr, AttrExpr) and callable(attr):
            attr = lambda_value(attr, self.entity)
        if not isinstance(attr, AttrExpr):
            raise ValidationError(f"an aggregate takes an attribute such as 'age' or "
                                  f"User.age, not {attr!r}")
        return attr

    @staticmethod
    def entity_attr(expr: AttrExpr) -> Any:
        return expr._owner._attrs_[expr._name]

    def sum(self, attr: str | AttrExpr | Callable[[Any], Any]) -> Any:
        """SUM of an attribute over the matching rows (None if no row has a value)."""
        return self._aggregate("SUM", attr)

    def avg(self, attr: str | AttrExpr | Callable[[Any], Any]) -> Any:
        return self._aggregate("AVG", attr)

    def min(self, attr: str | AttrExpr | Callable[[Any], Any]) -> Any:
        return self._aggregate("MIN", attr)

    def max(self, attr: str | AttrExpr | Callable[[Any], Any]) -> Any:
        return self._aggregate("MAX", attr)

    def group_concat(self, attr: str | AttrExpr | Callable[[Any], Any], sep: str = ","
                     ) -> str | None:
        """The attribute's values joined by ``sep`` (NULLs left out; None if none)."""
        column = self._attr(attr)
        values = self._with(column=column, prefetch=())._fetch()
        texts = [str(v) for v in values if v is not None]
        return sep.join(texts) if texts else None

    # -- changing rows ---------------------------------------------------------------------

    def update(self, **values: Any) -> int:
        """Set attributes of every matching row in one UPDATE; return the rows changed."""
        session = self._session()
        info = session.info(self.entity)
        sets: list[str] = []
        params: list[Any] = []
        checked: dict[str, Any] = {}
        for name, value in values.items():
            a = info.attrs.get(name)
            if a is None or a.kind == "pk" or name in info.pk_attrs:
                raise ValidationError(f"update(): {self.entity.__name__}.{name} is not an "
                                      f"attribute that can be set this way")
            checked[name] = value = self.entity.__dict__[name].check(value)
            if value is None and a.required:
                raise ValidationError(f"update(): {self.entity.__name__}.{name} is required, "
                                      f"it cannot be set to None")
            sets.extend(f"{q} = ?" for q in a.quoted)
            if a.kind == "single":
                params.extend([None] * len(a.quoted) if value is None  # a new one: INSERTed
                              else session.key_params(value) if hasattr(value, "_vals_")
                              else key_columns(a, value))
            else:
                convert = a.to_db[0]
                params.append(value if value is None or convert is None else convert(value))
        if not sets:
            return 0
        loaded = self._loaded_keys(session)
        sql, all_params = update_sql(session, self.selection, sets, params)
        changed = session.execute_dml(sql, all_params)
        imap = session.identity.get(self.entity, {})
        for key in loaded:
            obj = imap.get(key)
            if obj is not None:
                obj._vals_.update(checked)
        forget_prefetched(session)
        return changed

    def _loaded_keys(self, session: Session) -> list[Any]:
        """The keys of the session's objects of this entity that the query matches."""
        if not session.identity.get(self.entity):
            return []
        info = session.info(self.entity)
        sql, params, _ = select_sql(session, self.selection.replace(prefetch=(), column=None))
        return [info.key_of_row(vals)
                for vals in info.read_plan.values_of(session.execute(sql, params))]

    def delete(self) -> int:
        """Delete every matching object (one by one, so on_delete holds in the session)."""
        found = self._fetch()
        for obj in found:
            obj.delete()
        return len(found)

    # -- SQL -------------------------------------------------------------------------------

    def raw(self, sql: str, params: list[Any] | tuple[Any, ...] | None = None) -> list[Any]:
        """Run your own SELECT of this entity's columns (``?`` parameters) as objects."""
        session = self._session()
        info = session.info(self.entity)
        return session.materialize(info, raw_rows(session, info, sql, params or ()))

    def raw_one(self, sql: str, params: list[Any] | tuple[Any, ...] | None = None) -> Any:
        """The first object of ``raw(sql, params)``, or None."""
        found = self.raw(sql, params)
        return found[0] if found else None

    def get_sql(self) -> str:
        """The SELECT this query sends (``?`` marks the parameters); no session needed."""
        from .session import Session

        try:
            session = current_session()
        except SessionError:
            session = Session()  # only to find the database and its dialect: runs nothing
        return select_sql(session.for_entity(self.entity), self.selection)[0]

    def show(self, width: int = 120, *, file: IO[str] | None = None) -> None:
        """Print the matching rows as a table of their stored attributes."""
        out = file or sys.stdout
        objs = self._fetch()
        names = list(self.entity._attrs_)
        names = [n for n in names if self.entity._attrs_[n].kind != "set"]
        rows = [[_shown(o._vals_.get(n)) for n in names] for o in objs]
        widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        for text in [line, _row(names, widths), line, *(_row(r, widths) for r in rows), line]:
            print(text[:width], file=out)


def _shown(value: Any) -> str:
    return repr(value._key_()) if hasattr(value, "_vals_") else str(value)


def _row(cells: list[str], widths: list[int]) -> str:
    return "|" + "|".join(f" {c.ljust(w)} " for c, w in zip(cells, widths, strict=True)) + "|"
