"""The blog grows through a dozen entity changes while its tables hold rows.

After every change ``makemigrations`` writes a file and ``migrate`` applies it; the live
database must then equal the model (``introspect(db) == physical(db.schema_dict())``) and every row
that survived must be unchanged.  At the end every ``downgrade`` runs in reverse, and after each
one the database equals the model of the version before.
"""

from __future__ import annotations

import datetime as dt

import pytest

from nextorm import PK, Database, Entity, Opt, Req, Set, Single
from nextorm.migrations.generate import makemigrations
from nextorm.migrations.runner import MigrationRunner
from nextorm.schema.columns import column_identity as physical_column
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect
from support.entity_shapes import reference_cycle
from support.migrations import mapped

LAST = 13


def blog(version: int) -> list[type]:
    """Return the blog's entities as they are at ``version`` (1 = the first release)."""
    v = version

    class User(Entity):
        id: PK[int]
        name: Req[str] = Req(max_len=80 if v < 7 else 120)  # 7: a longer name
        if v < 11:
            email: Req[str] = Req(unique=v >= 8)  # 8: a unique key
        else:
            email_address: Req[str] = Req(unique=True, renamed_from="email")  # 11: renamed
        if v >= 4:
            bio: Opt[str]  # 4: Opt[str] stores '' (NOT NULL)
        if 4 <= v < 7:
            age: Opt[int]  # 4: a nullable int
        elif 7 <= v < 12:
            age: Opt[float]  # 7: a new type; 12: dropped
        posts: Set["Post"]
        if v >= 9:
            edited: Set["Post"] = Set(reverse="editor")
            comments: Set["Comment"]

    class Post(Entity):
        title: Req[str] = Req(max_len=200, index=8 <= v < 13)  # 8: index; 13: dropped again
        author: Single[User] = Single(reverse="posts")
        if v >= 3:
            views: Req[int] = Req(default=0)  # 3: NOT NULL int with a default, on rows
        if v == 5:
            slug: Opt[str] = Opt(nullable=True)  # 5: nullable
        elif v >= 3:
            slug: Req[str]  # 3: NOT NULL str (rows get ''); 6: NOT NULL again
        if v >= 9:
            editor: Single[User] = Single(nullable=True, on_delete="SET NULL", reverse="edited")
            comments: Set["Comment"]
        if v >= 10:
            tags: Set["Tag"]  # 10: many-to-many

    entities: list[type] = [User, Post]
    if v >= 2:

        class Tag(Entity):  # 2: a new table
            name: Req[str] = Req(max_len=64)
            if v >= 10:
                posts: Set[Post]

        entities.append(Tag)
    if v >= 9:

        class Comment(Entity):  # 9: a relation (new table referencing two others)
            text: Req[str] = Req(max_len=None)
            post: Single[Post]
            author: Single[User] = Single(nullable=True, on_delete="SET NULL")

        entities.append(Comment)
    return entities


def rows(db: Database) -> dict[str, dict[str, list]]:
    """Return every column's values of every table, ordered by primary key."""
    result = {}
    q = db.dialect.quote
    for name, table in introspect(db)["tables"].items():  # what the database holds now
        order = ", ".join(q(c) for c in table["primary_key"])
        columns = list(table["columns"])
        data = db._execute(f"SELECT {', '.join(q(c) for c in columns)} FROM {q(name)} ORDER BY {order}")
        result[name] = {c: [row[i] for row in data] for i, c in enumerate(columns)}
    return result


def assert_rows_survived(before: dict, after: dict, old: dict, new: dict, renamed=()) -> None:
    """Every column whose definition did not change holds the same values as before."""
    for table, columns in before.items():
        if table not in after:
            continue
        for column, values in columns.items():
            target = dict(renamed).get((table, column), column)
            if target not in after[table]:
                continue
            old_col = old["tables"][table]["columns"][column]
            new_col = new["tables"][table]["columns"][target]
            if physical_column(old_col) != physical_column(new_col):
                continue
            assert after[table][target][: len(values)] == values, (table, column)


def open_db(target, version: int) -> Database:
    return mapped(target, blog(version))


def assert_matches_model(db: Database, version: int) -> None:
    assert introspect(db) == physical(db.schema_dict()), f"schema differs after version {version}"


def insert(db: Database, table: str, **values) -> None:
    q = db.dialect.quote
    names = ", ".join(q(c) for c in values)
    marks = ", ".join("?" for _ in values)
    db._execute_dml(f"INSERT INTO {q(table)} ({names}) VALUES ({marks})", list(values.values()))


def seed(db: Database, version: int) -> None:
    """Add rows that exercise the new columns of ``version``."""
    if version == 1:
        for name in ("alice", "bob", "O'Brien \\ \"q\""):
            insert(db, "user", name=name, email=f"{name[:5]}@example.com")
        for title, author in (("hello", 1), ("second", 1), ("bob's", 2)):
            insert(db, "post", title=title, author_id=author)
    if version == 2:
        insert(db, "tag", name="python")
    if version == 5:  # a NULL that version 6 must fill when slug is NOT NULL again
        insert(db, "post", title="no slug", author_id=2, views=5, slug=None)
    if version == 9:
        insert(db, "comment", text="nice", post_id=1, author_id=2)
    if version == 10:
        insert(db, "post_tag", post_id=1, tag_id=1)


@pytest.mark.slow
def test_blog_evolves_with_rows_and_back(target, tmp_path):
    directory = tmp_path / "migrations"
    schemas: dict[int, dict] = {}
    files = []
    for version in range(1, LAST + 1):
        db = open_db(target, version)
        try:
            old = schemas.get(version - 1, {"tables": {}})
            before = rows(db) if version > 1 else {}
            path = makemigrations(db, directory, now=dt.datetime(2026, 1, 1))
            assert path is not None, f"version {version} made no migration"
            files.append(path)
            steps = MigrationRunner(db, directory).migrate()
            assert [s.name for s in steps] == [path.rsplit("/", 1)[-1]]
            assert_matches_model(db, version)
            renamed = {("user", "email"): "email_address"} if version == 11 else {}
            assert_rows_survived(before, rows(db), old, db.schema_dict(), renamed)
            if version == 3:
                assert set(rows(db)["post"]["views"]) == {0}
                assert set(rows(db)["post"]["slug"]) == {""}
            if version == 4:
                assert set(rows(db)["user"]["bio"]) == {""}
            if version == 6:
                assert rows(db)["post"]["slug"][-1] == ""  # the NULL was filled
            if version == 11:
                assert rows(db)["user"]["email_address"][0] == "alice@example.com"
            seed(db, version)
            schemas[version] = db.schema_dict()
            assert makemigrations(db, directory) is None  # nothing left to record
        finally:
            db.disconnect()

    for version in range(LAST - 1, 0, -1):
        db = open_db(target, version)
        try:
            before = rows(db)
            MigrationRunner(db, directory).migrate(str(version))
            assert_matches_model(db, version)
            assert rows(db)["user"]["name"] == before["user"]["name"]
        finally:
            db.disconnect()
    db = open_db(target, 1)
    try:
        MigrationRunner(db, directory).migrate("zero")
        assert set(target.raw_tables()) <= {"_nextorm_migrations"}
    finally:
        db.disconnect()


@pytest.mark.parametrize("version", [3])
def test_not_null_without_value_is_refused(target, tmp_path, version):
    """A NOT NULL int with no default cannot be added to rows without asking."""
    from nextorm import MigrationError

    def entities(extra: bool):
        class Item(Entity):
            name: Req[str]
            if extra:
                count: Req[int]

        return [Item]

    directory = tmp_path / "m"
    db = Database(entities=entities(False))
    target.bind(db)
    db.generate_mapping()
    makemigrations(db, directory)
    db.disconnect()
    db = Database(entities=entities(True))
    target.bind(db)
    db.generate_mapping()
    try:
        with pytest.raises(MigrationError, match=r"item\.count is NOT NULL.*default"):
            makemigrations(db, directory)
        assert sorted(p.name for p in directory.iterdir()) == [".schema_snapshot.json", "0001_initial.py"]
    finally:
        db.disconnect()


def test_reference_cycle_between_new_tables_and_back(target, tmp_path):
    """Two tables that reference each other: one key is added once both exist."""

    directory = tmp_path / "migrations"
    db = Database(entities=reference_cycle())
    target.bind(db)
    db.generate_mapping()
    try:
        makemigrations(db, directory)
        MigrationRunner(db, directory).migrate()
        assert introspect(db) == physical(db.schema_dict())
        insert(db, "person", name="ann")
        insert(db, "team", title="core", leader_id=1)
        MigrationRunner(db, directory).migrate("zero")
        assert set(target.raw_tables()) <= {"_nextorm_migrations"}
    finally:
        db.disconnect()
