"""Your own SELECT as objects: ``query.raw(sql)``, ``User.select_by_sql(sql)``.

The statement's columns are matched to the entity's attributes by name (the column names
of the table), in whatever order and with whatever extra columns it selects, so
``SELECT * FROM "user" WHERE ...`` works after a migration reordered nothing.  Every key column
must be selected; an attribute left out is an error, so a half-read object never enters the
identity map.  Parameters are ``?`` marks, as everywhere in NextORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError

if TYPE_CHECKING:
    from .layout import EntityInfo
    from .session import Session


def raw_rows(session: Session, info: EntityInfo, sql: str, params: Sequence[Any]
             ) -> list[tuple[Any, ...]]:
    """The rows of ``sql``, rearranged as the entity's columns (``EntityStatements`` order)."""
    db = session.database
    session.begin()
    with db._lock:  # the cursor's description is read before the next statement
        cursor = db._run(sql, params)
        if cursor.description is None:
            raise ValidationError(f"raw SQL must be a SELECT of {info.entity.__name__}'s "
                                  f"columns: {sql}")
        names = [str(d[0]).lower() for d in cursor.description]
        rows = cursor.fetchall()
    where = {name: i for i, name in reversed(list(enumerate(names)))}
    order: list[int] = []
    for a in info.attrs.values():
        for column in a.columns:
            i = where.get(column.lower())
            if i is None:
                raise ValidationError(f"raw SQL selects no column {column!r} of "
                                      f"{info.entity.__name__} (it selects {', '.join(names)})")
            order.append(i)
    return [tuple(row[i] for i in order) for row in rows]
