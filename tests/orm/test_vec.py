"""nextorm 0.5.1's ``Vec`` columns and their distances, on SQLite, PostgreSQL and MariaDB.

Rows are written, read back in a new session, and ordered and filtered by the three
distances, which each server computes in SQL; the expected numbers come from a reference
written here in plain Python (not the one SQLite calls), with float4-exact values so
PostgreSQL's ``REAL[]`` stores them unchanged.
"""

from __future__ import annotations

import pytest

from nextorm import ValidationError, db_session, select
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect
from support.vectors import QUERY, ROWS, entities, reference


def test_vectors_are_written_and_read_back(make_db):
    db = make_db(entities(), create_tables=True)
    article = db.entities["Article"]
    with db_session:  # a batch: COPY on PostgreSQL, a multi-row INSERT on MariaDB
        for i in range(12):
            article(title=f"t{i}", embedding=[i, 0.5, -2.25], sketch=[1, 2] if i % 2 else None)
    with db_session:
        got = {a.title: (a.embedding, a.sketch) for a in article.select()}
        assert got["t3"] == ([3.0, 0.5, -2.25], [1.0, 2.0])
        assert got["t4"] == ([4.0, 0.5, -2.25], None)
        assert all(type(x) is float for x in got["t3"][0])
        one = article.get(title="t3")
        one.embedding = [0.125, 8.0, -1.0]  # an UPDATE
    with db_session:
        assert article.get(title="t3").embedding == [0.125, 8.0, -1.0]
        assert article.select().count() == 12
    assert introspect(db) == physical(db.schema_dict())


def test_wrong_vectors_are_refused_naming_the_attribute(articles):
    db, article = articles
    bad_values = {
        "[1.0, 2.0]": "expected 3 floats, got 2",
        "['x', 1.0, 2.0]": "item 0 is str 'x', not a number",
        "[True, 1.0, 2.0]": "item 0 is bool",
        "[nan, 1.0, 2.0]": "finite numbers",
        "'1,2,3'": "expected a list of 3 floats",
    }
    with db_session:
        row = article.get(title="a")
        for text, message in bad_values.items():
            value = eval(text, {"nan": float("nan")})  # noqa: S307 - the test's own literals
            with pytest.raises(ValidationError, match="Article.embedding: .*" + message[:12]):
                article(title="bad", embedding=value)
            with pytest.raises(ValidationError, match="Article.embedding"):
                row.embedding = value
        assert row.embedding == ROWS["a"]
    with db_session:
        assert article.select().count() == len(ROWS)
        assert article.get(title="a").embedding == ROWS["a"]


@pytest.mark.parametrize("kind", ["l2", "cosine", "inner_product"])
def test_nearest_neighbours_match_the_python_reference(articles, kind):
    db, article = articles
    expected = {t: reference(kind, v, QUERY) for t, v in ROWS.items()}
    assert len(set(expected.values())) == len(expected)  # no ties: one right order
    distance = getattr(article.embedding, f"dist_{kind}")(QUERY)
    with db_session:
        nearest = [a.title for a in article.select().order_by(distance)]
        assert nearest == sorted(expected, key=expected.__getitem__)
        farthest = [a.title for a in article.select().order_by(distance.desc()).limit(2)]
        assert farthest == sorted(expected, key=expected.__getitem__, reverse=True)[:2]
        for title, value in expected.items():  # the server's number, within 1e-6
            near = article.select((article.title == title) & (distance > value - 1e-6)
                                  & (distance < value + 1e-6))
            assert near.count() == 1, (title, value)
            off = article.select((article.title == title) & (distance > value + 1e-5))
            assert off.count() == 0, (title, value)


def test_distances_filter_and_compute(articles):
    db, article = articles
    v = QUERY
    close = {t for t, vec in ROWS.items() if reference("l2", vec, v) < 1.5}
    assert close and close != set(ROWS)
    with db_session:
        assert {a.title for a in article.select(article.embedding.dist_l2(v) < 1.5)} == close
        assert {a.title for a in article.select().filter(
            article.embedding.dist_l2(v) * 2 < 3)} == close
        assert {a.title for a in article.select(lambda a: a.embedding.dist_l2(v) < 1.5)} == close
        assert {a.title for a in select(a for a in article if a.embedding.dist_l2(v) < 1.5)
                } == close
        ordered = article.select().order_by(lambda a: a.embedding.dist_inner_product(v))
        largest_dot = min(ROWS, key=lambda t: reference("inner_product", ROWS[t], v))
        assert ordered.first().title == largest_dot


def test_the_cosine_distance_of_a_zero_vector_is_null(articles):
    db, article = articles
    with db_session:
        article(title="zero", embedding=[0, 0, 0])
    with db_session:
        found = {a.title for a in article.select(article.embedding.dist_cosine(QUERY) < 10)}
        assert found == set(ROWS)
        assert article.select(article.embedding.dist_l2(QUERY) < 10).count() == len(ROWS) + 1


def test_a_wrong_query_vector_is_an_error(articles):
    db, article = articles
    with pytest.raises(ValidationError, match=r"Article.embedding.dist_l2\(...\): expected 3"):
        article.embedding.dist_l2([1.0, 2.0])
    with pytest.raises(TypeError, match="Article.title is not a Vec"):
        article.title.dist_cosine([1.0, 2.0, 3.0])
