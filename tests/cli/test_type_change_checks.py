"""Issue 8, item 4: changing ``views: Req[str]`` to ``Req[int]`` over a row holding 'hello'.

Before, SQLite "succeeded" and left 'hello' in an INTEGER column, so the ORM returned 'hello'
for an int attribute.  Now ``migrate`` stops with one line naming the table, the column and the
count, changes nothing, and works once the row is fixed; the values then read back as ints.
"""

from __future__ import annotations

from support.cli import one_error_line

MODELS = """\
from nextorm import PK, Database, Entity, Req


class Post(Entity):
    id: PK[int]
    views: Req[{kind}]


db = Database(entities=[Post])
{bind}
"""


def models(project, kind: str) -> None:
    project.write_models(MODELS.format(kind=kind, bind=project.target.bind_source()))


def test_text_that_is_no_number_stops_the_change_to_int(project):
    models(project, "str")
    assert project.run("makemigrations").code == 0
    assert project.run("migrate").code == 0
    project.query("INSERT INTO post (id, views) VALUES (1, '12'), (2, 'hello')")
    models(project, "int")
    assert project.run("makemigrations").code == 0

    failed = project.run("migrate")
    assert failed.code != 0
    error = one_error_line(failed)
    assert "upgrade failed and was rolled back" in error
    assert "post.views: 1 row(s) hold text that is not a whole number" in error
    assert "fix or delete those rows first" in error
    assert project.query("SELECT id, views FROM post ORDER BY id") == [(1, "12"), (2, "hello")]
    assert len(project.applied()) == 1

    project.query("UPDATE post SET views = '7' WHERE id = 2")
    assert project.run("migrate").code == 0
    assert project.query("SELECT id, views FROM post ORDER BY id") == [(1, 12), (2, 7)]
