"""0.5.1's collection methods (``user.posts.filter(...)`` ...) and entity helpers
(``get_pk``, ``to_dict`` options), on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import pytest

from nextorm import ValidationError, db_session


@pytest.fixture
def blog(orm):
    with db_session(orm.db):
        ann = orm.User(name="ann", email="ann@example.com", age=30)
        bob = orm.User(name="bob", email="bob@example.com")
        t1, t2 = orm.Tag(name="t1"), orm.Tag(name="t2")
        for title in ("c", "a", "b"):
            orm.Post(title=title, author=ann, tags=[t1] if title != "b" else [t1, t2])
        orm.Post(title="z", author=bob, editor=ann)
    return orm


def titles(posts):
    return [p.title for p in posts]


def test_filter_where_select_order_by(blog):
    User, Post = blog.User, blog.Post
    with db_session(blog.db):
        ann = User.get(name="ann")
        assert titles(ann.posts.filter(Post.title > "a").order_by(Post.title)) == ["b", "c"]
        assert titles(ann.posts.filter(title="b")) == ["b"]
        assert titles(ann.posts.where(lambda p: p.title == "c")) == ["c"]
        assert titles(ann.posts.select(lambda p: p.title != "c").order_by(Post.title)) == [
            "a", "b"]
        assert titles(ann.posts.order_by(Post.title.desc())) == ["c", "b", "a"]
        assert titles(ann.posts.order_by(lambda p: p.title).page(2, pagesize=2)) == ["c"]
        assert titles(ann.posts.page(1, pagesize=10)) != []
        tag = blog.Tag.get(name="t1")
        assert titles(tag.posts.filter(lambda p: p.author.name == "ann").order_by(Post.title)
                      ) == ["a", "b", "c"]
        assert tag.posts.where(lambda p: p.title == "z").count() == 0


def test_load_copy_random(blog):
    User = blog.User
    with db_session(blog.db):
        ann = User.get(name="ann")
        loaded = ann.posts.load()
        assert sorted(titles(loaded)) == ["a", "b", "c"]
        assert ann.posts.copy() == set(loaded)
        picked = ann.posts.random(2).fetch_all()
        assert len(picked) == 2 and set(picked) <= set(loaded)
        assert titles(User.get(name="bob").posts.load()) == ["z"]
        assert User.get(name="bob").edited.load() == []


def test_create_sets_the_relation(blog):
    User, Tag = blog.User, blog.Tag
    with db_session(blog.db):
        bob = User.get(name="bob")
        made = bob.posts.create(title="new")
        assert made.author is bob
        assert sorted(titles(bob.posts)) == ["new", "z"]
        tag = Tag.get(name="t2")
        tagged = tag.posts.create(title="tagged", author=bob)
        assert tagged in tag.posts
    with db_session(blog.db):
        assert sorted(titles(User.get(name="bob").posts)) == ["new", "tagged", "z"]
        assert sorted(titles(Tag.get(name="t2").posts)) == ["b", "tagged"]


def test_get_pk_and_to_dict(blog):
    User, Post = blog.User, blog.Post
    with db_session(blog.db):
        ann = User.get(name="ann")
        z = Post.get(title="z")
        assert ann.get_pk() == ann.id and isinstance(ann.get_pk(), int)
        assert ann.to_dict() == {"id": ann.id, "name": "ann", "email": "ann@example.com",
                                 "bio": "", "age": 30}
        assert ann.to_dict(only=["name", "age"]) == {"name": "ann", "age": 30}
        assert set(ann.to_dict(exclude=["bio", "email"])) == {"id", "name", "age"}
        with_sets = ann.to_dict(with_collections=True)
        assert with_sets["posts"] == sorted(p.id for p in ann.posts)
        assert with_sets["edited"] == [z.id]
        assert z.to_dict()["author"] == User.get(name="bob").id
        assert z.to_dict(related_objects=True)["editor"] is ann
        assert ann.to_dict(only="posts", related_objects=True)["posts"][0] in set(ann.posts)
        with pytest.raises(ValidationError, match="no attribute 'nope'"):
            ann.to_dict(only=["nope"])
