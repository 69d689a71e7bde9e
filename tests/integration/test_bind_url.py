"""``db.bind(url)``: a URL alone names the provider and the database (the forms of
``--database-url``, one parser: ``nextorm/urls.py``), so an app can bind
``os.environ["DATABASE_URL"]``.  On SQLite, PostgreSQL and MariaDB, with rows in the table.
"""

from __future__ import annotations

import pytest

from nextorm import PK, BindError, Database, Entity, Req, db_session


def url_of(target) -> str:
    """The test database as a URL (SQLite: an absolute file, ``sqlite:////...``)."""
    return f"sqlite:///{target.url}" if target.provider == "sqlite" else target.url


def test_a_url_alone_binds_the_database(target):
    class Pet(Entity):
        id: PK[int]
        name: Req[str]

    first = Database(entities=[Pet])
    target.bind(first)  # the usual two arguments: provider, then where
    first.generate_mapping(create_tables=True)
    with db_session(first):
        Pet(name="rex")
    first.disconnect()

    class Pet2(Entity):
        _table_ = "pet"
        id: PK[int]
        name: Req[str]

    db = Database(entities=[Pet2])
    db.bind(url_of(target))
    db.generate_mapping(check_tables=True)
    assert db.provider == target.provider
    with db_session(db):
        assert [p.name for p in Pet2.select()] == ["rex"]
        Pet2(name="tom")
    with db_session(db):
        assert sorted(p.name for p in Pet2.select()) == ["rex", "tom"]
    db.disconnect()


@pytest.mark.parametrize(("call", "line"), [
    (("nosuch://app:secret@h/x",), "db.bind(): 'nosuch://app:***@h/x' is not a database URL "
                                   "(use one of: "),
    (("postgresql://app:secret@h/x", "more"), "db.bind('postgresql://app:***@h/x', ...): a URL "
                                              "names the provider and the database; give it "
                                              "alone"),
    (("sqlite://app.db",), "db.bind(): 'sqlite://app.db': write a file as sqlite:///relative/"
                           "path or sqlite:////absolute/path"),
])
def test_a_wrong_url_is_one_line_without_the_password(call, line):
    db = Database(entities=[])
    with pytest.raises(BindError) as info:
        db.bind(*call)
    assert str(info.value).startswith(line), info.value
    assert "secret" not in str(info.value) and "\n" not in str(info.value)
    assert db.provider is None


def test_an_unreachable_server_url_masks_the_password():
    db = Database(entities=[])
    with pytest.raises(BindError, match=r"cannot connect to postgres ") as info:
        db.bind("postgresql://app:secret@127.0.0.1:1/x")
    assert "secret" not in str(info.value)
    assert db.provider is None
