"""0.5.1's top-level query functions: ``select``, ``count``, ``sum``, ``avg``, ``min``, ``max``.

::

    select(u for u in User if u.age > 18 and u.name.startswith("A"))   # a Query
    select(p.title for p in Post if p.author.name == "ann")             # a Query of titles
    count(u for u in User if u.age > x)       # SELECT COUNT(*) ... WHERE age > ?
    sum(u.age for u in User)                  # SELECT SUM(age) ...

``from nextorm import *`` shadows the builtins ``sum``, ``min`` and ``max``: for anything that
is not a generator over an entity they do what the builtins do (``sum([1, 2])``,
``max(a, b)``), so the import changes nothing else.  ``count(u.attr ...)`` counts the rows
where the attribute has a value (SQL ``COUNT(column)``), ``count(u ...)`` counts rows.
"""

from __future__ import annotations

import builtins
from types import GeneratorType
from typing import Any

from ..entity import EntityIterator
from ..errors import DecompileError
from .decompile import generator_query
from .expressions import Selection
from .query import Query


def select(gen: Any) -> Query:
    """The query a generator expression describes: ``select(u for u in User if u.age > 18)``."""
    entity, condition, column = generator_query(gen)
    where = () if condition is None else (condition,)
    return Query(entity, Selection(entity, where=where, column=column))


def _over_entity(arg: Any) -> bool:
    """``arg`` is a generator expression iterating over an entity (``for u in User``)."""
    if not isinstance(arg, GeneratorType) or arg.gi_frame is None:
        return False
    return isinstance(arg.gi_frame.f_locals.get(".0"), EntityIterator)


def count(gen: Any) -> int:
    """The number of rows a generator (or a query) selects."""
    if isinstance(gen, Query):
        return gen.count()
    query = select(gen)
    column = query.selection.column
    if column is None:
        return query.count()
    return int(query._with(column=None)._aggregate("COUNT", column) or 0)


def _aggregate(function: str, gen: Any) -> Any:
    query = select(gen)
    column = query.selection.column
    if column is None:
        raise DecompileError(f"{function.lower()}() needs an attribute: "
                             f"{function.lower()}(u.age for u in User)")
    return query._with(column=None)._aggregate(function, column)


def sum(gen: Any, *args: Any) -> Any:  # noqa: A001 - 0.5.1's name
    """``SUM`` of the attribute a generator yields (None if no row has a value)."""
    if args or not _over_entity(gen):
        return builtins.sum(gen, *args)
    return _aggregate("SUM", gen)


def avg(gen: Any) -> Any:
    """``AVG`` of the attribute a generator yields (None if no row has a value)."""
    return _aggregate("AVG", gen)


def min(gen: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A001 - 0.5.1's name
    """``MIN`` of the attribute a generator yields; otherwise the builtin ``min``."""
    if args or kwargs or not _over_entity(gen):
        return builtins.min(gen, *args, **kwargs)
    return _aggregate("MIN", gen)


def max(gen: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A001 - 0.5.1's name
    """``MAX`` of the attribute a generator yields; otherwise the builtin ``max``."""
    if args or kwargs or not _over_entity(gen):
        return builtins.max(gen, *args, **kwargs)
    return _aggregate("MAX", gen)
