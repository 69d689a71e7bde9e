"""Binding a Database, running statements with ``?`` parameters, and transactions.

Bad ``bind`` arguments (unknown provider, unreachable server, missing driver extra) each raise
one clear BindError.  Statements and transactions run against the real servers.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from nextorm import BindError, Database, IntegrityError, NotBoundError, SQLError

# -- bind arguments ---------------------------------------------------------------------------


def test_unknown_provider():
    db = Database(entities=[])
    with pytest.raises(BindError, match=r"unknown provider 'oracle'; use one of: .*postgres"):
        db.bind("oracle", "oracle://somewhere")
    assert db.provider is None


@pytest.mark.parametrize("alias,name", [("postgresql", "postgres"), ("mariadb", "mysql"),
                                        ("SQLite", "sqlite")])
def test_provider_aliases(alias, name):
    from nextorm.dialects import get_dialect

    assert get_dialect(alias).name == name


@pytest.mark.parametrize(
    "provider,url",
    [("postgres", "postgresql://root@127.0.0.1:1/test"), ("mysql", "mysql://root@127.0.0.1:1/test")],
)
def test_unreachable_server_fails_at_bind(provider, url):
    db = Database(entities=[])
    with pytest.raises(BindError, match=rf"cannot connect to {provider} ") as info:
        db.bind(provider, url)
    assert "\n" not in str(info.value)
    assert db.provider is None and db.dialect is None  # not half-bound: bind can be retried


def test_mysql_url_with_the_wrong_scheme():
    db = Database(entities=[])
    with pytest.raises(BindError, match=r"not a mysql:// URL: 'postgresql://x@h/db'"):
        db.bind("mysql", "postgresql://x@h/db")


def test_sqlite_takes_one_file_name():
    db = Database(entities=[])
    with pytest.raises(BindError, match=r"bind\('sqlite', FILENAME\) takes one file name"):
        db.bind("sqlite", 42)
    with pytest.raises(BindError, match=r"takes one file name"):
        db.bind("sqlite", "a.db", "b.db")


def test_binding_twice_is_refused(tmp_path):
    db = Database(entities=[])
    db.bind("sqlite", str(tmp_path / "a.db"))
    with pytest.raises(BindError, match=r"already bound to sqlite"):
        db.bind("sqlite", str(tmp_path / "b.db"))


def test_statement_before_bind():
    db = Database(entities=[])
    with pytest.raises(NotBoundError, match=r"call db.bind"):
        db._execute("SELECT 1")


BLOCK_DRIVER = """
import sys

class RefuseDriver:
    # A meta-path finder that makes the driver look uninstalled, as without the extra.
    def find_spec(self, name, path=None, target=None):
        if name == {module!r} or name.startswith({module!r} + "."):
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, RefuseDriver())
from nextorm import BindError, Database

try:
    Database(entities=[]).bind({provider!r}, {url!r})
except BindError as exc:
    print("BindError:", exc)
"""


@pytest.mark.parametrize(
    "provider,module,url,extra",
    [
        ("postgres", "psycopg", "postgresql://root@127.0.0.1:5432/test", "nextorm[postgres]"),
        ("mysql", "pymysql", "mysql://root@127.0.0.1:3306/test", "nextorm[mysql]"),
    ],
)
def test_missing_driver_extra(provider, module, url, extra):
    code = BLOCK_DRIVER.format(module=module, provider=provider, url=url)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("BindError: provider ")
    assert f"pip install '{extra}'" in result.stdout
    assert result.stdout.count("\n") == 1


def test_sqlite_memory_connects_at_bind():
    db = Database(entities=[])
    db.bind("sqlite", ":memory:")
    assert db.provider == "sqlite" and db.sqlite_filename is None
    assert db._execute("SELECT 1 + 1") == [(2,)]
    db.disconnect()


def test_sqlite_file_is_created_by_the_first_statement(tmp_path):
    path = tmp_path / "app.db"
    db = Database(entities=[])
    db.bind("sqlite", str(path))
    assert db.sqlite_filename == str(path)
    assert not path.exists()  # binding alone creates no file
    db._execute_dml("CREATE TABLE t (x INTEGER)")
    db._execute_dml("INSERT INTO t VALUES (?)", [7])
    db.disconnect()
    assert path.exists()
    again = Database(entities=[])
    again.bind("sqlite", str(path))
    assert again._execute("SELECT x FROM t") == [(7,)]
    again.disconnect()


# -- statements on every server ---------------------------------------------------------------


@pytest.fixture
def db(target):
    database = Database(entities=[])
    target.bind(database)
    q = database.dialect.quote
    database._execute_dml(
        f"CREATE TABLE {q('order')} ({q('id')} INTEGER PRIMARY KEY, {q('note')} VARCHAR(100))"
    )
    yield database
    database.disconnect()


def notes(db) -> list[tuple]:
    q = db.dialect.quote
    return db._execute(f"SELECT {q('id')}, {q('note')} FROM {q('order')} ORDER BY {q('id')}")


def test_question_marks_are_parameters_outside_literals(db):
    q = db.dialect.quote
    insert = f"INSERT INTO {q('order')} ({q('id')}, {q('note')}) VALUES (?, ?)"
    assert db._execute_dml(insert, [1, "plain"]) == 1
    assert db._execute_dml(insert, [2, "has ? and % and %s"]) == 1
    # A literal '?' and '%' inside a string stay text; the ? outside is the one parameter.
    assert db._execute_dml(
        f"INSERT INTO {q('order')} ({q('id')}, {q('note')}) VALUES (?, 'why? 100% it''s')", [3]
    ) == 1
    assert notes(db) == [(1, "plain"), (2, "has ? and % and %s"), (3, "why? 100% it's")]
    rows = db._execute(
        f"SELECT {q('id')} FROM {q('order')} WHERE {q('note')} LIKE '%?%' AND {q('id')} > ? "
        f"ORDER BY {q('id')}", [1]
    )
    assert rows == [(2,), (3,)]
    assert db._execute(f"SELECT COUNT(*) FROM {q('order')} WHERE {q('note')} = '%'") == [(0,)]


def test_execute_without_parameters_keeps_percent_signs(db):
    q = db.dialect.quote
    db._execute_dml(f"INSERT INTO {q('order')} VALUES (1, '50% off?')")
    assert db._execute(f"SELECT {q('note')} FROM {q('order')} WHERE {q('note')} LIKE '50%'") == [
        ("50% off?",)
    ]


def test_dml_returns_the_row_count(db):
    q = db.dialect.quote
    for i in range(3):
        db._execute_dml(f"INSERT INTO {q('order')} VALUES (?, ?)", [i, "x"])
    assert db._execute_dml(f"UPDATE {q('order')} SET {q('note')} = ? WHERE {q('id')} < ?",
                           ["y", 2]) == 2
    assert db._execute_dml(f"DELETE FROM {q('order')}") == 3


def test_driver_errors_become_one_line_errors_with_the_sql(db):
    q = db.dialect.quote
    db._execute_dml(f"INSERT INTO {q('order')} VALUES (1, 'a')")
    with pytest.raises(IntegrityError) as info:
        db._execute_dml(f"INSERT INTO {q('order')} VALUES (1, 'b')")
    assert "\n" not in str(info.value) and "INSERT" in info.value.sql
    with pytest.raises(SQLError) as info:
        db._execute("SELECT * FROM no_such_table")
    assert "no_such_table" in str(info.value) and info.value.sql == "SELECT * FROM no_such_table"


# -- transactions on every server -------------------------------------------------------------


def insert(db, id_: int, note: str) -> None:
    q = db.dialect.quote
    db._execute_dml(f"INSERT INTO {q('order')} VALUES (?, ?)", [id_, note])


def test_outside_a_transaction_each_statement_commits(db, target):
    insert(db, 1, "auto")
    other = Database(entities=[])
    target.bind(other)
    try:
        assert notes(other) == [(1, "auto")]
    finally:
        other.disconnect()


def test_transaction_commits(db, target):
    with db.transaction():
        assert db.in_transaction
        insert(db, 1, "a")
        insert(db, 2, "b")
    assert not db.in_transaction
    other = Database(entities=[])
    target.bind(other)
    try:
        assert notes(other) == [(1, "a"), (2, "b")]
    finally:
        other.disconnect()


def test_transaction_rolls_back_on_error(db):
    insert(db, 1, "kept")
    with pytest.raises(IntegrityError):
        with db.transaction():
            insert(db, 2, "lost")
            insert(db, 1, "duplicate")
    assert not db.in_transaction
    assert notes(db) == [(1, "kept")]


def test_nested_transaction_is_a_savepoint(db):
    with db.transaction():
        insert(db, 1, "outer")
        with pytest.raises(RuntimeError):
            with db.transaction():
                insert(db, 2, "inner, rolled back")
                raise RuntimeError("inner block fails")
        with db.transaction():
            insert(db, 3, "inner, kept")
        assert db.in_transaction
    assert notes(db) == [(1, "outer"), (3, "inner, kept")]


def test_outer_rollback_undoes_released_savepoints(db):
    with pytest.raises(RuntimeError):
        with db.transaction():
            with db.transaction():
                insert(db, 1, "inner")
            raise RuntimeError("outer block fails")
    assert notes(db) == []
    insert(db, 2, "after")  # the connection is usable again, in autocommit
    assert notes(db) == [(2, "after")]
