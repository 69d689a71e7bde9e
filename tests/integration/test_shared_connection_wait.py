"""``pool_max=1`` (the default): the threads share one connection and take turns; a thread
waits ``pool_timeout`` seconds at most for another's ``db_session`` to end, then gets one
``PoolTimeoutError`` line naming the database and the timeout (it once waited for ever).
On SQLite, PostgreSQL and MariaDB, with rows in the table.
"""

from __future__ import annotations

import threading
import time

import pytest

from nextorm import PK, Database, Entity, PoolTimeoutError, Req, db_session


def bound(target, timeout: float) -> tuple[Database, type]:
    class Visit(Entity):
        id: PK[int]
        who: Req[str]

    db = Database(entities=[Visit])
    db.bind(target.provider, target.url, pool_timeout=timeout)
    db.generate_mapping(create_tables=True)
    return db, Visit


def holding(db: Database, visit: type, seconds: float) -> tuple[threading.Thread,
                                                                 threading.Event]:
    """Another thread opens a session, writes a row and keeps the session open ``seconds``
    (or until the returned event is set)."""
    inside, done = threading.Event(), threading.Event()

    def hold() -> None:
        with db_session(db):
            visit(who="holder")
            visit.select().count()  # the row is flushed: the session is on the connection
            inside.set()
            done.wait(seconds)

    thread = threading.Thread(target=hold)
    thread.start()
    assert inside.wait(10)
    return thread, done


def test_a_session_waits_pool_timeout_then_one_line(target):
    db, visit = bound(target, 0.5)
    with db_session(db):
        visit(who="before")
    thread, done = holding(db, visit, 30)
    start = time.monotonic()
    try:
        with pytest.raises(PoolTimeoutError) as info, db_session(db):
            visit.select().count()
        waited = time.monotonic() - start
    finally:
        done.set()
        thread.join()
    assert 0.4 < waited < 5, waited
    line = str(info.value)
    assert "\n" not in line and line.startswith(f"{db.describe()}: ")
    assert "0.5 s" in line and "pool_timeout" in line, line
    with db_session(db):  # the holder committed; the timed-out session changed nothing
        assert sorted(v.who for v in visit.select()) == ["before", "holder"]
    db.disconnect()


def test_a_session_that_ends_in_time_is_waited_for(target):
    db, visit = bound(target, 10)
    thread, _ = holding(db, visit, 0.3)
    with db_session(db):
        visit(who="after")
    thread.join()
    with db_session(db):
        assert sorted(v.who for v in visit.select()) == ["after", "holder"]
    db.disconnect()
