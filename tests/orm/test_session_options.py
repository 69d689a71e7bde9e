"""db_session's options, depth/current, sessions' edges (outside one, after one), on 3 servers."""

from __future__ import annotations

import pytest

from nextorm import (
    OptimisticCheckError,
    SessionError,
    TransactionError,
    TransientError,
    capture_sql,
    commit,
    db_session,
)
from support.entity_shapes import authors_and_books


@pytest.fixture
def zoo(make_db):
    Owner, Pet = authors_and_books()  # an author with books, as Owner and Pet here
    db = make_db([Owner, Pet], create_tables=True)
    return db, Owner, Pet


def names(db, table="author", column="name"):
    return sorted(r[column] for r in db.select_raw(f"SELECT {column} FROM {table}"))


def test_depth_and_current(zoo):
    db, Owner, _ = zoo
    assert db_session.depth == 0 and db_session.current() is None
    with db_session(db) as outer:
        assert db_session.depth == 1 and db_session.current() is outer
        with db_session as inner:
            assert db_session.depth == 2 and inner is outer
        assert db_session.depth == 1
    assert db_session.depth == 0 and db_session.current() is None


@pytest.mark.parametrize("exc", [TransactionError("conflict"), OptimisticCheckError("x"),
                                 TransientError("deadlock")])
def test_retry_runs_the_function_again_after_a_transaction_error(zoo, exc):
    db, Owner, _ = zoo
    calls = []

    @db_session(db, retry=2)
    def add() -> None:
        calls.append(1)
        Owner(name=f"try{len(calls)}")
        if len(calls) < 3:
            raise exc
    add()
    assert len(calls) == 3 and names(db) == ["try3"]  # the failed attempts rolled back
    calls.clear()

    @db_session(db, retry=1)
    def always() -> None:
        calls.append(1)
        raise exc
    with pytest.raises(type(exc)):
        always()
    assert len(calls) == 2


def test_retry_does_not_repeat_other_errors_unless_listed(zoo):
    db, _, _ = zoo
    calls = []

    @db_session(db, retry=3)
    def fails() -> None:
        calls.append(1)
        raise ValueError

    with pytest.raises(ValueError):
        fails()
    assert len(calls) == 1

    @db_session(db, retry=3, retry_exceptions=[ValueError])
    def listed() -> None:
        calls.append(1)
        raise ValueError

    calls.clear()
    with pytest.raises(ValueError):
        listed()
    assert len(calls) == 4


def test_a_nested_function_joins_and_never_retries_alone(zoo):
    db, Owner, _ = zoo
    calls = []

    @db_session(retry=3)
    def inner() -> None:
        calls.append(1)
        raise TransactionError("conflict")

    with pytest.raises(TransactionError):
        with db_session(db):
            inner()
    assert calls == [1]


def test_allowed_exceptions_still_commit(zoo):
    db, Owner, _ = zoo

    class Done(Exception):
        pass

    with pytest.raises(Done):
        with db_session(db, allowed_exceptions=[Done]):
            Owner(name="kept")
            raise Done
    with pytest.raises(KeyError):
        with db_session(db, allowed_exceptions=[Done]):
            Owner(name="lost")
            raise KeyError
    assert names(db) == ["kept"]


def test_strict_empties_the_identity_map_at_the_end(zoo):
    db, Owner, _ = zoo
    with db_session(db):
        Owner(name="ann")
    with db_session(db, strict=True) as session:
        Owner.select().fetch_all()
        assert session.identity
    assert not session.identity
    with db_session(db) as relaxed:
        Owner.select().fetch_all()
    assert relaxed.identity


def test_optimistic_is_stored_on_the_session(zoo):
    db, _, _ = zoo
    with db_session(db) as session:
        assert session.optimistic is True
    with db_session(db, optimistic=False) as session:
        assert session.optimistic is False


def test_immediate_and_serializable_begin_as_the_dialect_says(zoo):
    db, Owner, _ = zoo
    for options in ({"immediate": True}, {"serializable": True},
                    {"immediate": True, "serializable": True}):
        expected = list(db.dialect.begin_session_sql(options.get("immediate", False),
                                                     options.get("serializable", False)))
        with capture_sql() as queries:
            with db_session(db, **options):
                if not options.get("immediate"):
                    assert queries == []  # a plain session begins at its first statement
                Owner(name=f"{sorted(options)}")
        assert [q.sql for q in queries[:len(expected)]] == expected
    assert len(names(db)) == 3


def test_immediate_begins_on_entry(zoo):
    db, _, _ = zoo
    with capture_sql() as queries:
        with db_session(db, immediate=True):
            assert [q.sql for q in queries] == list(db.dialect.begin_session_sql(True, False))


def test_sql_debug_prints_the_sessions_statements(zoo, capsys):
    db, Owner, _ = zoo
    with db_session(db, sql_debug=True, show_values=True):
        Owner(name="shown")
    with db_session(db):
        Owner(name="quiet")
    out = capsys.readouterr().out
    assert "INSERT INTO" in out and "'shown'" in out and "quiet" not in out


def test_unknown_option_and_bad_retry_are_clear_errors():
    with pytest.raises(SessionError, match="unknown option"):
        db_session(retries=3)
    with pytest.raises(SessionError, match="retry"):
        db_session(retry=-1)


def test_d4_async_functions_are_refused_at_decoration():
    async def view() -> None:
        pass

    with pytest.raises(SessionError, match=r"cannot wrap the async function .*view\(\)"):
        db_session(view)
    with pytest.raises(SessionError, match="async"):
        db_session(retry=2)(view)

    def gen():
        yield 1

    with pytest.raises(SessionError, match="generator"):
        db_session(gen)


def test_reads_outside_a_session_and_relations_after_it(zoo):
    db, Owner, Pet = zoo
    with db_session(db):
        ann = Owner(name="ann")
        rex = Pet(title="rex", author=ann)
    # outside any session, reads work and each statement commits on its own
    assert [o.name for o in Owner.select()] == ["ann"]
    assert Owner.get(name="ann").id == ann.id
    assert Owner.select().count() == 1
    # relations of an ended session's objects still load
    assert [p.title for p in ann.books] == ["rex"]
    assert rex.author.name == "ann"
    # changing them is refused: it would never be written
    with pytest.raises(SessionError, match="ended"):
        rex.title = "max"
    assert names(db, "book", "title") == ["rex"]


def test_creates_outside_a_session_stay_in_memory_until_saved(zoo):
    db, Owner, _ = zoo
    ann = Owner(name="ann")
    with db_session(db):
        commit()
    assert names(db) == []  # no session wrote it
    db.save(ann)
    assert names(db) == ["ann"]


def test_threads_see_their_own_session(zoo):
    import threading

    db, Owner, _ = zoo
    seen = []
    with db_session(db):
        thread = threading.Thread(target=lambda: seen.append(db_session.current()))
        thread.start()
        thread.join()
    assert seen == [None]
