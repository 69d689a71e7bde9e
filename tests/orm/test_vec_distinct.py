"""``distinct()`` with an order by a vector distance, on SQLite, PostgreSQL and MariaDB.

The distance is not a selected column, so the DISTINCT runs in a derived table that selects
it (``querysql._distinct_then_ordered``): the distance, with its vector parameter, is written
before the WHERE.  Its parameters must follow the SQL text, or the vector is bound to the
condition and the condition's value to the vector.
"""

from __future__ import annotations

import pytest

from nextorm import db_session
from support.vectors import QUERY, ROWS, reference


def by_distance(kind: str, titles: list[str]) -> list[str]:
    return sorted(titles, key=lambda t: reference(kind, ROWS[t], QUERY))


@pytest.mark.parametrize("kind", ["l2", "cosine", "inner_product"])
def test_distinct_rows_ordered_by_a_distance_with_conditions(articles, kind):
    db, article = articles
    distance = getattr(article.embedding, f"dist_{kind}")(QUERY)
    with db_session:
        article(title="a", embedding=ROWS["a"])  # another row at the same distance as "a"
    expected = by_distance(kind, [t for t in ROWS if t != "c"] + ["a"])
    with db_session:
        query = article.select(article.title != "c").distinct().order_by(distance)
        assert [a.title for a in query] == expected
        assert [a.title for a in query.limit(3)] == expected[:3]
        assert [a.title for a in query.order_by(distance.desc())] == expected[::-1]
        assert query.count() == len(expected)
        near = {t for t in expected if reference("l2", ROWS[t], QUERY) < 3}
        assert near and len(set(near)) < len(set(expected))  # the condition leaves rows out
        both = article.select(lambda a: a.embedding.dist_l2(QUERY) < 3 and a.title != "c")
        assert [a.title for a in both.distinct().order_by(distance)] == [
            t for t in expected if t in near]
