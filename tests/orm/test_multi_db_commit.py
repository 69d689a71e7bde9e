"""A session that touches two databases commits both, in stages (nextorm 0.5.1's order).

The *primary* database is the one the session chose first; the other is a SQLite file whose
COMMIT can be made to fail for real: a deferred foreign key (``PRAGMA defer_foreign_keys``) is
only checked at COMMIT.  Every test runs with the ``target`` server as the other database.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from nextorm import (
    CommitException,
    Database,
    Entity,
    IntegrityError,
    PartialCommitException,
    Req,
    Set,
    Single,
    db_session,
)
from nextorm.orm.context import current_session


def declare() -> SimpleNamespace:
    """Fresh entity classes per test: one for the server, two for the SQLite file."""

    class Ledger(Entity):
        note: Req[str] = Req(unique=True)

    class Shelf(Entity):
        name: Req[str]
        books: Set["Book"] = Set(reverse="shelf")

    class Book(Entity):
        title: Req[str]
        shelf: Single["Shelf"]

    return SimpleNamespace(Ledger=Ledger, Shelf=Shelf, Book=Book)


@pytest.fixture
def dbs(make_db, tmp_path):
    """``(entities, the server's Database, the SQLite file's Database)``."""
    e = declare()
    server = make_db([e.Ledger], create_tables=True)
    lite = Database(entities=[e.Shelf, e.Book])
    lite.bind("sqlite", str(tmp_path / "books.db"))
    lite.generate_mapping(create_tables=True)
    yield e, server, lite
    lite.disconnect()


def refuse_commit(e: SimpleNamespace) -> None:
    """Make the SQLite file's COMMIT fail: a book on a shelf that does not exist, deferred."""
    current_session().for_entity(e.Book).execute_dml("PRAGMA defer_foreign_keys = ON")
    e.Book(title="orphan", shelf=999)


def notes(e: SimpleNamespace, db: Database) -> list[str]:
    with db_session(db):
        return sorted(x.note for x in e.Ledger.select())


def titles(e: SimpleNamespace, db: Database) -> list[str]:
    with db_session(db):
        return sorted(b.title for b in e.Book.select())


def test_one_session_writes_to_both_databases(dbs):
    e, server, lite = dbs
    with db_session:
        e.Ledger(note="paid")
        shelf = e.Shelf(name="top")
        e.Book(title="a", shelf=shelf)
        assert e.Ledger.select().count() == 1 and e.Book.select().count() == 1
    assert notes(e, server) == ["paid"]
    assert titles(e, lite) == ["a"]
    with db_session(server):  # the server's session reaches the file's entities too
        assert [b.shelf.name for b in e.Book.select()] == ["top"]
        e.Shelf[shelf.id].name = "middle"
        e.Ledger.get(note="paid").note = "settled"
    with db_session(lite):
        assert e.Shelf[shelf.id].name == "middle"
    assert notes(e, server) == ["settled"]


def test_second_database_failing_after_the_first_committed_is_a_partial_commit(dbs):
    e, server, lite = dbs
    with pytest.raises(PartialCommitException, match=r"commit failed on sqlite .*books\.db "
                                                     r"after .* committed") as caught:
        with db_session(server):
            e.Ledger(note="kept")
            e.Book(title="good", shelf=e.Shelf(name="s"))
            refuse_commit(e)
    assert "FOREIGN KEY" in str(caught.value.exceptions[0])
    assert notes(e, server) == ["kept"]  # durable
    assert titles(e, lite) == []  # rolled back


def test_first_database_failing_commits_nothing(dbs):
    e, server, lite = dbs
    with pytest.raises(CommitException, match=r"commit failed on sqlite .*nothing was "
                                              r"committed") as caught:
        with db_session(lite):
            e.Book(title="good", shelf=e.Shelf(name="s"))
            refuse_commit(e)
            e.Ledger(note="undone")
    assert caught.value.exceptions
    assert notes(e, server) == []
    assert titles(e, lite) == []


def test_a_flush_error_rolls_both_back(dbs):
    e, server, lite = dbs
    with db_session(server):
        e.Ledger(note="taken")
    with pytest.raises(IntegrityError, match=r"Ledger\.note must be unique"):
        with db_session(lite):
            e.Book(title="undone", shelf=e.Shelf(name="s"))
            e.Ledger(note="taken")
    assert notes(e, server) == ["taken"]
    assert titles(e, lite) == []


def test_the_session_stays_usable_after_a_staged_commit(dbs):
    e, server, lite = dbs
    with db_session(server) as session:
        e.Ledger(note="one")
        e.Book(title="one", shelf=e.Shelf(name="s"))
        session.commit()
        e.Ledger(note="two")
        e.Book(title="two", shelf=e.Shelf(name="t"))
    assert notes(e, server) == ["one", "two"]
    assert titles(e, lite) == ["one", "two"]
