"""Lifecycle hooks: called at the right moments, and what before_* assigns is written."""

from __future__ import annotations

import pytest

from nextorm import Entity, Opt, Req, Single, db_session, flush

EVENTS: list[tuple[str, str, object]] = []
REFUSE_UPDATES = []  # holds True while before_update must fail


class Refused(Exception):
    pass


class Author(Entity):
    name: Req[str]
    note: Opt[str]

    def before_insert(self) -> None:
        EVENTS.append(("before_insert", self.name, self.id))

    def after_insert(self) -> None:
        EVENTS.append(("after_insert", self.name, self.id))


class Article(Entity):
    title: Req[str]
    slug: Opt[str]
    edits: Req[int] = Req(default=0)
    author: Single[Author] = Single(nullable=True)

    def before_insert(self) -> None:
        EVENTS.append(("before_insert", self.title, self.id))
        if not self.slug:
            self.slug = self.title.lower().replace(" ", "-")

    def after_insert(self) -> None:
        EVENTS.append(("after_insert", self.title, self.id))

    def before_update(self) -> None:
        EVENTS.append(("before_update", self.title, self.edits))
        if REFUSE_UPDATES:
            raise Refused(self.title)
        self.edits += 1  # an assignment here is written with the rest

    def after_update(self) -> None:
        EVENTS.append(("after_update", self.title, self.edits))

    def before_delete(self) -> None:
        EVENTS.append(("before_delete", self.title, self.id))

    def after_delete(self) -> None:
        EVENTS.append(("after_delete", self.title, self.id))

    def after_load(self) -> None:
        EVENTS.append(("after_load", self.title, self.id))


@pytest.fixture
def db(make_db):
    EVENTS.clear()
    return make_db([Author, Article], create_tables=True)


def names(kind: str) -> list[str]:
    return [name for event, name, _ in EVENTS if event == kind]


def test_insert_hooks_run_around_the_insert_and_their_values_are_written(db):
    with db_session(db):
        article = Article(title="Hello World", author=Author(name="ann"))
        assert EVENTS == []  # nothing before the flush
    # the author is written first (the article refers to it); before_* sees no key yet
    assert [(e, n) for e, n, _ in EVENTS] == [
        ("before_insert", "ann"), ("before_insert", "Hello World"),
        ("after_insert", "ann"), ("after_insert", "Hello World")]
    assert [key for e, _, key in EVENTS if e == "before_insert"] == [None, None]
    assert all(key is not None for e, _, key in EVENTS if e == "after_insert")
    with db_session(db):
        assert Article[article.id].slug == "hello-world"


def test_before_insert_of_a_batch_writes_each_objects_values(db):
    with db_session(db):
        for i in range(30):
            Article(title=f"Post {i}")
    assert len(names("before_insert")) == 30 and len(names("after_insert")) == 30
    with db_session(db):
        assert sorted(a.slug for a in Article.select()) == sorted(f"post-{i}" for i in range(30))


def test_update_hooks_and_the_column_before_update_changes(db):
    with db_session(db):
        Article(title="a")
        Article(title="b")
    EVENTS.clear()
    with db_session(db):
        for article in Article.select():
            article.slug = article.title * 2
    assert sorted(names("before_update")) == ["a", "b"]
    assert [e for e, _, _ in EVENTS if e.endswith("_update")] == [
        "before_update", "before_update", "after_update", "after_update"]
    with db_session(db):
        assert sorted((a.slug, a.edits) for a in Article.select()) == [("aa", 1), ("bb", 1)]


def test_no_update_hook_without_a_change(db):
    with db_session(db):
        Article(title="a")
    EVENTS.clear()
    with db_session(db):
        list(Article.select())
    assert names("before_update") == []


def test_delete_hooks_run_around_the_delete(db):
    with db_session(db):
        article = Article(title="gone")
    EVENTS.clear()
    with db_session(db):
        doomed = Article[article.id]
        doomed.delete()
        assert Article.select().count() == 0
    assert [(e, n) for e, n, _ in EVENTS] == [
        ("after_load", "gone"), ("before_delete", "gone"), ("after_delete", "gone")]


def test_after_load_runs_once_per_object_read(db):
    with db_session(db):
        Article(title="x")
        Article(title="y")
        flush()
        list(Article.select())  # objects this session created: not loaded
    assert names("after_load") == []
    with db_session(db):
        first = list(Article.select())
        again = list(Article.select())  # the identity map already holds them
        assert first == again
    assert sorted(names("after_load")) == ["x", "y"]


def test_a_failing_hook_rolls_the_session_back(db):
    with db_session(db):
        Article(title="kept")
    REFUSE_UPDATES.append(True)
    try:
        with pytest.raises(Refused):
            with db_session(db):
                Article(title="also undone")
                Article.get(title="kept").slug = "changed"
    finally:
        REFUSE_UPDATES.clear()
    with db_session(db):
        assert [(a.title, a.slug) for a in Article.select()] == [("kept", "kept")]
