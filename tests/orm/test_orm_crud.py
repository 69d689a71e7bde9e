"""Create, read, change and delete entities inside db_session, as the issue's example does."""

from __future__ import annotations

import gc

import pytest

from nextorm import ObjectNotFound, SessionError, db_session


def raw(db, sql, params=()):
    """Read the database directly, not through the ORM."""
    return db._execute(sql, params)


def test_issue_example_end_to_end(orm):
    User, Post, Tag = orm.User, orm.Post, orm.Tag
    gc.collect()  # databases of earlier tests must not make the bare db_session ambiguous
    with db_session:
        ann = User(name="ann", email="ann@example.com")
        post = Post(title="hello", author=ann)
        post.tags.add(Tag(name="intro"))
        assert ann.id is None  # nothing written yet
    assert isinstance(ann.id, int) and isinstance(post.id, int)
    q = orm.db.dialect.quote
    assert raw(orm.db, f"SELECT {q('name')}, {q('email')} FROM {q('user')}") == [
        ("ann", "ann@example.com")]
    with db_session:
        ann = User[ann.id]
        assert User.get(email="ann@example.com") is ann
        assert User.get(email="nobody@example.com") is None
        assert User.select().filter(User.name == "ann").order_by(User.id).fetch_all() == [ann]
        assert Post.select().filter((Post.title != "") & (Post.author == ann)).count() == 1
        ann.name = "Ann"
        ann.set(email="a@example.com")
        assert list(ann.posts) == [Post[post.id]]
        tag = list(Post[post.id].tags)[0]
        Post[post.id].tags.remove(tag)
        Post[post.id].delete()
    assert raw(orm.db, f"SELECT {q('name')}, {q('email')} FROM {q('user')}") == [
        ("Ann", "a@example.com")]
    assert raw(orm.db, f"SELECT COUNT(*) FROM {q('post')}") == [(0,)]
    assert raw(orm.db, f"SELECT COUNT(*) FROM {q('post_tag')}") == [(0,)]
    assert raw(orm.db, f"SELECT {q('name')} FROM {q('tag')}") == [("intro",)]


def test_missing_key_raises_object_not_found(orm):
    with db_session(orm.db):
        with pytest.raises(ObjectNotFound, match=r"User\[42\] not found"):
            orm.User[42]
        with pytest.raises(KeyError):  # ObjectNotFound is a KeyError too
            orm.User[42]


def test_flush_inserts_before_commit_and_sets_the_id(orm):
    with db_session(orm.db) as session:
        bob = orm.User(name="bob", email="bob@example.com")
        session.flush()
        assert bob.id is not None
        assert orm.User[bob.id] is bob


def test_exception_rolls_everything_back(orm):
    with pytest.raises(RuntimeError):
        with db_session(orm.db):
            orm.User(name="bob", email="bob@example.com")
            orm.User.select().count()  # flushes: the INSERT ran inside the transaction
            raise RuntimeError("boom")
    assert raw(orm.db, f"SELECT COUNT(*) FROM {orm.db.dialect.quote('user')}") == [(0,)]


def test_decorator_commits_on_success_and_rolls_back_on_error(orm):
    User = orm.User

    @db_session(orm.db)
    def add(name: str, fail: bool = False) -> int:
        user = User(name=name, email=f"{name}@example.com")
        if fail:
            raise ValueError(name)
        return user

    add("ok")
    with pytest.raises(ValueError):
        add("bad", fail=True)
    with db_session(orm.db):
        assert [u.name for u in User.select()] == ["ok"]


def test_explicit_commit_and_rollback(orm):
    User = orm.User
    with db_session(orm.db) as session:
        User(name="kept", email="k@example.com")
        session.commit()
        User(name="dropped", email="d@example.com")
        session.flush()
        session.rollback()
        assert [u.name for u in User.select()] == ["kept"]


def test_identity_map_gives_the_same_object(orm):
    User = orm.User
    with db_session(orm.db):
        User(name="ann", email="a@example.com")
    with db_session(orm.db):
        first = User.select().first()
        assert User[first.id] is first
        assert User.get(name="ann") is first
        assert User.select().fetch_all()[0] is first


def test_update_writes_only_changed_columns(orm):
    User = orm.User
    q = orm.db.dialect.quote
    with db_session(orm.db):
        ann = User(name="ann", email="a@example.com", age=30)
    with db_session(orm.db):
        ann = User[ann.id]
        # Someone else changes the age meanwhile; our UPDATE of the name must not undo it.
        raw(orm.db, f"UPDATE {q('user')} SET {q('age')} = ?", (31,))
        ann.name = "Ann"
    assert raw(orm.db, f"SELECT {q('name')}, {q('age')} FROM {q('user')}") == [("Ann", 31)]


def test_delete_removes_the_row_and_the_object(orm):
    User = orm.User
    with db_session(orm.db):
        ann = User(name="ann", email="a@example.com")
    with db_session(orm.db):
        User[ann.id].delete()
        with pytest.raises(ObjectNotFound):
            User[ann.id]
    assert raw(orm.db, f"SELECT COUNT(*) FROM {orm.db.dialect.quote('user')}") == [(0,)]


def test_changing_an_object_after_its_session_ended_is_a_clear_error(orm):
    outside = orm.User(name="x", email="x@example.com")  # nextorm 0.5.1: only in memory
    assert outside.id is None and orm.User.select().count() == 0
    with db_session(orm.db):
        ann = orm.User(name="ann", email="a@example.com")
    assert ann.name == "ann"  # loaded values stay readable
    with pytest.raises(SessionError, match="ended"):
        ann.name = "other"


def test_nested_db_session_joins_the_outer_one(orm):
    User = orm.User
    with pytest.raises(RuntimeError):
        with db_session(orm.db):
            with db_session:
                User(name="inner", email="i@example.com")
            raise RuntimeError  # the outer rollback also undoes the inner block
    with db_session(orm.db):
        assert User.select().count() == 0


def test_bare_decorator_picks_the_one_database_of_the_entities(orm):
    gc.collect()  # databases of earlier tests must not make the choice ambiguous
    User = orm.User

    @db_session
    def register(name: str) -> None:
        User(name=name, email=f"{name}@example.com")

    @db_session
    def names() -> list[str]:
        return [u.name for u in User.select().order_by(User.name)]

    register("bob")
    register("ann")
    assert names() == ["ann", "bob"]
    with db_session:
        assert User.exists(name="ann") and not User.exists(name="cid")


def test_module_level_flush_commit_rollback(orm):
    from nextorm import commit, flush, rollback

    with db_session(orm.db):
        kept = orm.User(name="kept", email="k@example.com")
        flush()
        assert kept.id is not None
        commit()
        orm.User(name="gone", email="g@example.com")
        rollback()
    with db_session(orm.db):
        assert [u.name for u in orm.User.select()] == ["kept"]


def test_runtime_is_not_imported_by_import_nextorm_or_the_migration_cli():
    import subprocess
    import sys

    code = ("import sys, nextorm, nextorm.migrations.cli, nextorm.migrations.runner; "
            "print(sorted(m for m in sys.modules if m.startswith('nextorm.orm') "
            "or m in ('nextorm.session', 'nextorm.query', 'nextorm.convert')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_key_of_the_wrong_type_is_a_clear_error(orm):
    from nextorm import ValidationError

    with db_session(orm.db):
        with pytest.raises(ValidationError, match=r"User\.id: expected int, got str"):
            orm.User["1"]
        assert orm.User.select().count() == 0  # the session is still usable
