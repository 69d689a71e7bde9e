"""The distances of ``Vec`` columns in SQL, for ``Article.embedding.dist_l2(v)`` and its kin.

``OrmSql`` inherits ``VectorSql``.  No server is assumed to have pgvector (PostgreSQL stores a
``Vec`` as ``REAL[]``, the others as JSON text), so each computes the distances from the
column's numbers: PostgreSQL with ``unnest`` over the two arrays, MariaDB with ``JSON_TABLE``
over the two JSON arrays, SQLite with the Python functions of ``nextorm/types.py``, registered
on each connection (``register_distances``).  The three give the same numbers
(``tests/orm/test_vec.py``): the negated inner product (smaller is nearer, as pgvector's
``<#>``), and NULL for the cosine distance of an all-zero vector.

Every dialect inherits this module and every SQLite connection registers its functions, so
it imports ``json`` and the distances of ``types.py`` only when a vector is rendered or a
distance computed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

#: Each distance from the pairs ``(a, b)`` of the two vectors' numbers, in SQL both
#: PostgreSQL and MariaDB read (``NULLIF``: a zero vector has no cosine distance).
AGGREGATES = {
    "l2": "sqrt(sum((a - b) * (a - b)))",
    "cosine": "1 - sum(a * b) / NULLIF(sqrt(sum(a * a)) * sqrt(sum(b * b)), 0)",
    "inner_product": "-sum(a * b)",
}


class VectorSql:
    """How a server computes the distance between a ``Vec`` column and a vector."""

    def distance_sql(self, kind: str, column: str, vector: str) -> str:
        """The distance ``kind`` (``l2``, ``cosine``, ``inner_product``) between ``column``
        and ``vector`` (a ``?`` holding the vector as the column stores it)."""
        return f"nextorm_dist_{kind}({column}, {vector})"

    # -- what migrations need: a vector's length (the checks before a change of dimensions,
    # ``conversions.py``) and a vector as a literal (the value existing rows get) -------------

    def vector_length(self, expr: str) -> str:
        """SQL for the number of floats in the stored vector ``expr`` (JSON text here)."""
        return f"json_array_length({expr})"

    def vector_literal(self, values: list[float]) -> str:
        """A vector as an SQL literal, in the form the ORM stores it (JSON text here)."""
        import json

        return "'" + json.dumps([float(v) for v in values]) + "'"


def register_distances(conn: Any) -> None:
    """Give an SQLite connection the functions ``distance_sql`` calls (JSON text in)."""
    for kind in AGGREGATES:  # the names of ``types.DISTANCES`` too
        conn.create_function(f"nextorm_dist_{kind}", 2, _on_json(kind), deterministic=True)


@lru_cache(maxsize=16)
def _vector(text: str) -> tuple[float, ...]:
    """The numbers of a vector's JSON text: the query's vector is parsed once, not per row."""
    return tuple(_numbers(text))


def _numbers(text: str) -> Any:
    """The numbers of a stored vector (JSON text)."""
    import json

    return json.loads(text)


def _on_json(kind: str) -> Callable[[Any, Any], Any]:
    distance: Callable[[Any, Any], float | None] | None = None

    def call(column: str | None, vector: str | None) -> float | None:
        nonlocal distance
        if column is None or vector is None:
            return None
        if distance is None:  # the first distance this connection computes
            from ..types import DISTANCES

            distance = DISTANCES[kind]
        return distance(_numbers(column), _vector(vector))

    return call
