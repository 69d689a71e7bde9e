"""nextorm 0.5.1's ``Database`` methods, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import pytest

from nextorm import (
    ConstraintError,
    Database,
    IntegrityError,
    MappingError,
    NextORMError,
    NotBoundError,
    SessionError,
    db_session,
)
from support.entity_shapes import authors_and_books, reference_cycle


@pytest.fixture
def lib(make_db):
    Author, Book = authors_and_books()
    db = make_db([Author, Book], create_tables=True)
    return db, Author, Book


def test_entities_is_a_dict_and_schema_a_property(lib):
    db, Author, Book = lib
    assert db.entities == {"Author": Author, "Book": Book}
    assert db.entity_classes() == [Author, Book]
    assert set(db.schema) == {"author", "book"}
    assert db.schema["author"]["columns"]["name"]["type"] == "str"
    assert db.schema_dict()["tables"] is db.schema_dict()["tables"]
    assert Database([Author]).schema == {}  # empty before generate_mapping, as in 0.5.1


def test_execute_and_select_raw_take_question_marks_on_every_server(lib):
    db, _, _ = lib
    q = db.dialect.quote
    assert db.execute(f"INSERT INTO {q('author')} (name, age) VALUES (?, ?)", "ann", 30) == 1
    assert db.execute(f"INSERT INTO {q('author')} (name, age) VALUES (?, ?)", ("bob", 40)) == 1
    assert db.last_sql == f"INSERT INTO {q('author')} (name, age) VALUES (?, ?)"
    rows = db.select_raw(f"SELECT name, age FROM {q('author')} WHERE age > ? ORDER BY name", 20)
    assert rows == [{"name": "ann", "age": 30}, {"name": "bob", "age": 40}]
    assert db.execute(f"UPDATE {q('author')} SET age = age + 1") == 2
    stat = db.local_stats[f"UPDATE {q('author')} SET age = age + 1"]
    assert stat.count == 1 and stat.sum_time > 0 and stat.min_time == stat.max_time


def test_raw_sql_inside_a_session_sees_and_shares_its_transaction(lib):
    db, Author, _ = lib
    q = db.dialect.quote
    with pytest.raises(RuntimeError):
        with db_session(db):
            Author(name="ann")  # pending: flushed before the raw statement
            assert db.select_raw(f"SELECT name FROM {q('author')}") == [{"name": "ann"}]
            db.execute(f"UPDATE {q('author')} SET age = ?", 5)
            raise RuntimeError  # rolls back the raw UPDATE and the INSERT alike
    assert db.select_raw(f"SELECT name FROM {q('author')}") == []


def test_save_insert_and_delete_instance_outside_a_session(lib):
    db, Author, _ = lib
    ann = Author(name="ann")  # outside a session: only in memory (0.5.1)
    assert ann.id is None and db.select_raw("SELECT * FROM author") == []
    db.save(ann)
    assert ann.id is not None
    assert db.select_raw("SELECT name, age FROM author") == [{"name": "ann", "age": None}]
    ann.age = 31  # still changeable after an outside save
    db.save(ann)
    assert db.select_raw("SELECT age FROM author") == [{"age": 31}]
    copy = Author(name="copy")
    db.insert(copy)
    assert sorted(r["name"] for r in db.select_raw("SELECT name FROM author")) == ["ann", "copy"]
    db.delete_instance(ann)
    assert db.select_raw("SELECT name FROM author") == [{"name": "copy"}]


def test_save_inside_a_session_writes_now(lib):
    db, Author, _ = lib
    with db_session(db):
        bob = Author(name="bob")
        db.save(bob)
        assert bob.id is not None
        assert db.select_raw("SELECT name FROM author") == [{"name": "bob"}]
        db.rollback()
    assert db.select_raw("SELECT name FROM author") == []
    with db_session(db):
        Author(name="cid")
        db.commit()
        Author(name="dan")
        db.flush()
        assert len(db.select_raw("SELECT name FROM author")) == 2


def test_select_runs_a_query_of_the_entity(lib):
    db, Author, Book = lib
    with db_session(db):
        ann = Author(name="ann", age=3)
        Book(title="t", author=ann)
    with db_session(db):
        assert [a.name for a in db.select(Author).filter(age=3)] == ["ann"]
    with pytest.raises(MappingError, match="not an entity mapped in this database"):
        db.select(int)


def test_get_connection_is_the_drivers_and_unbind_forgets_the_binding(lib, target):
    db, _, _ = lib
    conn = db.get_connection()
    cursor = conn.cursor()
    cursor.execute("SELECT 1")
    assert cursor.fetchall()[0][0] == 1
    cursor.close()
    assert db.is_bound
    db.unbind()
    assert not db.is_bound
    with pytest.raises(NotBoundError):
        db.execute("SELECT 1")
    target.bind(db)  # bound again, to the same database
    assert db.select_raw("SELECT COUNT(*) AS n FROM author") == [{"n": 0}]


def test_drop_table_refuses_rows_unless_told(lib):
    db, Author, Book = lib
    db.execute("INSERT INTO author (name) VALUES (?)", "ann")
    db.drop_table(Book)  # an entity class; empty
    assert "book" not in db.table_names()
    with pytest.raises(NextORMError, match="'author' holds rows: pass with_all_data=True"):
        db.drop_table("author")
    assert db.select_raw("SELECT name FROM author") == [{"name": "ann"}]  # nothing lost
    db.drop_table("author", with_all_data=True)
    assert "author" not in db.table_names()
    db.drop_table("author", if_exists=True)  # gone already: nothing happens
    with pytest.raises(NextORMError):
        db.drop_table("author")


def test_get_ddl_is_what_creates_the_tables(make_db, target):
    Author, Book = authors_and_books()
    db = make_db([Author, Book])
    ddl = db.get_ddl()
    assert any("author" in s and "CREATE TABLE" in s for s in ddl)
    for statement in ddl:
        db.execute(statement)
    assert {"author", "book"} <= set(db.table_names())


def test_get_ddl_of_tables_that_reference_each_other_creates_them(make_db):
    db = make_db(reference_cycle())
    for statement in db.get_ddl():  # one key of the cycle comes once both tables exist
        db.execute(statement)
    assert {"person", "team"} <= set(db.table_names())
    db.execute("INSERT INTO person (name) VALUES (?)", "ann")
    db.execute("INSERT INTO team (title, leader_id) VALUES (?, ?)", "core", 1)
    assert db.select_raw("SELECT title, leader_id FROM team") == [
        {"title": "core", "leader_id": 1}]


def test_with_database_closes_it_on_exit(target):
    Author, Book = authors_and_books()
    with Database([Author, Book]) as db:
        target.bind(db)
        db.generate_mapping(create_tables=True, validate_relations=True)
        db.execute("INSERT INTO author (name) VALUES (?)", "ann")
    assert db.get_connection is not None and db._link().conn is None  # closed
    with db_session:  # the closed database no longer claims the entities...
        with pytest.raises(SessionError, match="not mapped"):
            Author.select().count()


def test_d1_a_closed_database_frees_its_entities_without_the_gc(target):
    """A fresh Database per test with the same entity classes: no 'mapped in 2 databases'."""
    Author, Book = authors_and_books()
    first = Database([Author, Book])
    target.bind(first)
    first.generate_mapping(create_tables=True)
    with db_session:
        Author(name="ann")  # a session <-> object cycle keeps ``first`` alive until the GC
    first.close()
    second = Database([Author, Book])
    target.bind(second)
    second.generate_mapping()
    try:
        with db_session:
            assert [a.name for a in Author.select()] == ["ann"]
    finally:
        second.close()
    assert first is not None  # still referenced: only close() retired it


def test_constraint_errors_from_execute_on_every_server(db):
    q = db.dialect.quote
    db.execute(f"CREATE TABLE {q('parent')} (id INTEGER PRIMARY KEY)")
    db.execute(f"CREATE TABLE {q('child')} (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, "
               f"code VARCHAR(10) UNIQUE, parent_id INTEGER REFERENCES {q('parent')} (id), "
               f"CHECK (n > 0))")
    insert = f"INSERT INTO {q('child')} (id, n, code, parent_id) VALUES (?, ?, ?, ?)"
    db.execute(f"INSERT INTO {q('parent')} (id) VALUES (1)")
    db.execute(insert, 1, 1, "a", 1)
    cases = {"not null": (2, None, "b", 1), "unique": (3, 1, "a", 1),
             "foreign key": (4, 1, "c", 99), "check": (5, -1, "d", 1)}
    for what, values in cases.items():
        with pytest.raises(ConstraintError) as caught:
            db.execute(insert, *values)
        assert isinstance(caught.value, IntegrityError), what
    assert db.select_raw(f"SELECT id FROM {q('child')}") == [{"id": 1}]


def test_constraint_errors_from_the_orm_on_every_server(lib):
    db, Author, Book = lib
    with db_session(db):
        Author(name="ann")
    with pytest.raises(ConstraintError):
        with db_session(db):
            Author(name="ann")  # unique
    with pytest.raises(ConstraintError):
        with db_session(db):
            Book(title="orphan", author=12345)  # no such author: foreign key
    assert db.select_raw("SELECT COUNT(*) AS n FROM book") == [{"n": 0}]
