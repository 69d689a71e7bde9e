"""Relations: Single loads, Set add/remove/iterate/len/count, many-to-many, on_delete."""

from __future__ import annotations

import pytest

from nextorm import ValidationError, db_session


def count_rows(db, table):
    return db._execute(f"SELECT COUNT(*) FROM {db.dialect.quote(table)}")[0][0]


def test_single_loads_the_related_object(orm):
    with db_session(orm.db):
        ann = orm.User(name="ann", email="a@example.com")
        post = orm.Post(title="t", author=ann)
    with db_session(orm.db):
        loaded = orm.Post[post.id]
        assert loaded.author.name == "ann"
        assert loaded.author is orm.User[ann.id]
        assert loaded.editor is None


def test_changing_a_single_updates_the_foreign_key(orm):
    with db_session(orm.db):
        ann = orm.User(name="ann", email="a@example.com")
        bob = orm.User(name="bob", email="b@example.com")
        post = orm.Post(title="t", author=ann)
    with db_session(orm.db):
        orm.Post[post.id].author = orm.User[bob.id]
    with db_session(orm.db):
        assert orm.Post[post.id].author.name == "bob"
        assert len(orm.User[ann.id].posts) == 0


def test_one_to_many_set(orm):
    User, Post = orm.User, orm.Post
    with db_session(orm.db):
        ann = User(name="ann", email="a@example.com")
        bob = User(name="bob", email="b@example.com")
        p1 = Post(title="p1", author=ann)
        p2 = Post(title="p2", author=bob)
        ann.posts.add(p2)  # moves p2 to ann
        assert len(ann.posts) == 2 and ann.posts.count() == 2
        assert sorted(p.title for p in ann.posts) == ["p1", "p2"]
        assert bob.posts.is_empty()
        assert p1 in ann.posts
        with pytest.raises(ValidationError, match=r"Post\.author is required"):
            ann.posts.remove(p1)
        ann.edited.add(p1)
        assert list(ann.edited) == [p1]
        ann.edited.remove(p1)
        assert p1.editor is None
        assert [p.title for p in ann.posts.select().filter(Post.title == "p2")] == ["p2"]


def test_many_to_many_writes_the_join_table(orm):
    Post, Tag = orm.Post, orm.Tag
    with db_session(orm.db):
        ann = orm.User(name="ann", email="a@example.com")
        post = Post(title="p", author=ann, tags=[Tag(name="a"), Tag(name="b")])
        other = Post(title="q", author=ann)
    assert count_rows(orm.db, "post_tag") == 2
    with db_session(orm.db):
        post, other = Post[post.id], Post[other.id]
        a = Tag.get(name="a")
        post.tags.add(a)  # already linked: no duplicate row, no error
        other.tags.add(a)
        assert sorted(t.name for t in post.tags) == ["a", "b"]
        assert sorted(p.title for p in a.posts) == ["p", "q"]
        assert len(a.posts) == 2
        post.tags.remove(Tag.get(name="b"))
        assert [t.name for t in post.tags] == ["a"]
    assert count_rows(orm.db, "post_tag") == 2
    with db_session(orm.db):
        Post[post.id].tags = []
    assert count_rows(orm.db, "post_tag") == 1


def test_on_delete_cascade_and_set_null(orm):
    User, Post = orm.User, orm.Post
    with db_session(orm.db):
        ann = User(name="ann", email="a@example.com")
        bob = User(name="bob", email="b@example.com")
        written = Post(title="by bob", author=bob, editor=ann)
        edited = Post(title="by ann", author=ann, editor=bob)
    with db_session(orm.db):
        by_bob = Post[written.id]
        by_ann = Post[edited.id]
        assert by_bob.editor.name == "ann"
        User[ann.id].delete()
        # author CASCADE: ann's post is gone; editor SET NULL: bob's post stays, without editor
        assert by_bob.editor is None
        assert Post.select().count() == 1
        with pytest.raises(KeyError):
            Post[by_ann.id]
    with db_session(orm.db):
        assert Post[written.id].editor is None
    assert count_rows(orm.db, "post") == 1


def test_deleting_a_tag_removes_its_links(orm):
    with db_session(orm.db):
        ann = orm.User(name="ann", email="a@example.com")
        post = orm.Post(title="p", author=ann)
        tag = orm.Tag(name="t")
        post.tags.add(tag)
    with db_session(orm.db):
        orm.Tag[tag.id].delete()
        assert len(orm.Post[post.id].tags) == 0
    assert count_rows(orm.db, "post_tag") == 0
