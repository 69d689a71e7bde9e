"""nextorm 0.5.1's ``Vec`` columns: an entity with vectors, its rows, a reference distance.

The rows are float4-exact, so PostgreSQL's ``REAL[]`` stores them unchanged; ``reference``
computes each distance in plain Python, independently of nextorm.  The ``articles`` fixture
(tests/orm/conftest.py) maps the entity and writes the rows.
"""

from __future__ import annotations

import math

from nextorm import Entity, Opt, Req, Vec

ROWS = {
    "a": [1.0, 0.0, 0.0],
    "b": [0.5, 0.75, 0.0],
    "c": [0.0, 2.0, 1.0],
    "d": [-1.0, 0.25, 3.0],
    "e": [4.0, -2.0, 0.5],
    "f": [0.75, 1.5, -0.25],
}
QUERY = [1.0, 0.5, 0.25]


def reference(kind: str, a: list[float], b: list[float]) -> float:
    """The distance as the docs define it, computed independently of nextorm."""
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    if kind == "l2":
        return math.dist(a, b)
    if kind == "cosine":
        return 1 - dot / (math.hypot(*a) * math.hypot(*b))
    return -dot


def entities() -> list[type]:
    class Article(Entity):
        title: Req[str]
        embedding: Req[Vec[3]]
        sketch: Opt[Vec] = Opt(dimensions=2)

    return [Article]
