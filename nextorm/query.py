"""The import path of ``Query`` and ``desc``; they live in ``nextorm/orm/``.

``Entity.select()`` (``entity.py``) and existing code import from here.
"""

from .orm.expressions import AttrExpr, Condition, Order, desc
from .orm.query import Query, QuerySet

__all__ = ["AttrExpr", "Condition", "Order", "Query", "QuerySet", "desc"]
