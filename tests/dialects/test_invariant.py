"""Right after ``create_tables``, the live database reads back as the model says.

This is the invariant the migration system rests on: ``introspect(db) == physical(model)`` on
SQLite, PostgreSQL and MariaDB, for entities that use every type and every option, composite
keys, self-references, many-to-many join tables and reserved-word table names.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import uuid
from decimal import Decimal
from pathlib import Path

from nextorm import (
    PK,
    Database,
    Entity,
    Opt,
    PrimaryKey,
    Req,
    Set,
    Single,
    composite_index,
    composite_key,
)
from nextorm import types as nt
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect
from support.entity_specs import Color, Level

BLOG_MODELS = Path(__file__).resolve().parents[2] / "examples" / "blog" / "blog" / "models.py"


def rich_entities() -> list[type]:
    """Entities using every type and option; declared afresh for each test."""

    class User(Entity):
        name: Req[str] = Req(max_len=80, index=True)
        email: Req[str] = Req(unique=True, column="email_address")
        bio: Opt[str]
        note: Opt[str] = Opt(nullable=True, max_len=None)
        age: Opt[int]
        score: Req[float] = Req(sql_default="1.5")
        ratio: Opt[float] = Opt(sql_default="-2.50")
        active: Req[bool] = Req(default=True, sql_default="TRUE")
        banned: Req[bool] = Req(sql_default="FALSE")
        avatar: Opt[bytes]
        balance: Req[Decimal] = Req(precision=10, scale=3, sql_default="0")
        price: Opt[Decimal]
        joined: Req[dt.datetime] = Req(sql_default="CURRENT_TIMESTAMP")
        seen: Opt[dt.datetime] = Opt(default=dt.datetime.now)
        birthday: Opt[dt.date]
        wake: Opt[dt.time]
        token: Req[uuid.UUID] = Req(default=uuid.uuid4)
        prefs: Opt[dict]
        settings: Req[dict] = Req(sql_default="'{}'")
        history: Req[list] = Req(default=[])
        color: Req[Color] = Req(default=Color.RED)
        level: Opt[Level]
        status: Req[str] = Req(max_len=20, sql_default="'new'")
        count: Req[int] = Req(sql_default="-1")
        zip_code: Req[str] = Req(max_len=5, sql_default="12345")
        motto: Req[str] = Req(max_len=None, sql_default="'it''s 100% ok?'")
        manager: Single["User"] = Single(nullable=True, on_delete="SET NULL")
        reports: Set["User"]
        orders: Set["Order"]
        groups: Set["Group"]
        memberships: Set["Membership"]
        _k = composite_key("name", "age")
        _i = composite_index("bio", "active", name="ix_user_bio_active")

    class Group(Entity):
        _table_name_ = "group"
        title: Req[str] = Req(max_len=100, unique=True)
        members: Set[User]
        friends: Set["Group"]
        friend_of: Set["Group"] = Set(reverse="friends")
        memberships: Set["Membership"]

    class Order(Entity):
        number: PK[str] = PK(max_len=32)
        user: Single[User] = Single(on_delete="RESTRICT", fk_name="fk_order_owner")
        total: Req[Decimal]
        lines: Set["OrderLine"]

    class OrderLine(Entity):
        _table_name_ = "order_line"
        order: Single[Order] = Single(on_delete="CASCADE")
        position: Req[int]
        qty: Req[int] = Req(default=1)
        PrimaryKey("order", "position")
        notes: Set["LineNote"]

    class LineNote(Entity):
        line: Single[OrderLine] = Single(column=["line_order", "line_pos"], on_delete="NO ACTION")
        body: Req[str] = Req(max_len=None)
        when: Opt[dt.date] = Opt(sql_default="CURRENT_DATE")

    class Membership(Entity):
        user: Single[User]
        group: Single[Group] = Single(index=True)
        role: Req[str] = Req(max_len=10, sql_default="'member'")
        PrimaryKey("user", "group")

    class Profile(Entity):
        owner: Single[User] = Single(unique=True, column="owner")
        website: Opt[str] = Opt(max_len=200, index="ix_profile_site")
        code: PK[int] = PK(auto=False)

    class Tree(Entity):
        id: PK[int]
        parent: Single["Tree"] = Single(nullable=True, on_delete="CASCADE")
        children: Set["Tree"]
        label: Req[str] = Req(max_len=300, index=True)
        composite_key("parent", "label")

    class Dept(Entity):  # Dept and Emp reference each other: one key is added later
        name: Req[str] = Req(max_len=50)
        head: Single["Emp"] = Single(nullable=True, on_delete="SET NULL")
        staff: Set["Emp"] = Set(reverse="dept")

    class Emp(Entity):
        dept: Single[Dept]
        heads: Set[Dept] = Set(reverse="head")
        badge: Req[str] = Req(max_len=12)
        composite_key("dept", "badge", name="uq_emp_badge")

    return [User, Group, Order, OrderLine, LineNote, Membership, Profile, Tree, Dept, Emp]


def assert_invariant(db: Database) -> None:
    """The database reads back exactly as the model's physical part."""
    expected = physical(db.schema_dict())
    actual = introspect(db)
    assert set(actual["tables"]) == set(expected["tables"])
    for name, table in expected["tables"].items():
        assert actual["tables"][name] == table, name
    assert actual == expected


def test_rich_entities_read_back_as_modelled(target):
    db = Database(entities=rich_entities())
    target.bind(db)
    try:
        db.generate_mapping(create_tables=True)
        assert_invariant(db)
        schema = introspect(db)
        assert {"user", "order", "group", "group_user", "group_group"} <= set(schema["tables"])
    finally:
        db.disconnect()


def test_a_changed_database_no_longer_matches(target):
    from nextorm.schema.operations import DropIndex

    db = Database(entities=rich_entities())
    target.bind(db)
    try:
        db.generate_mapping(create_tables=True)
        for sql in db.dialect.render(DropIndex("user", "idx_user__name", ("name",))):
            db._execute_dml(sql)
        db._execute_dml(f"ALTER TABLE {db.dialect.quote('group')} ADD COLUMN extra INTEGER")
        actual = introspect(db)["tables"]
    finally:
        db.disconnect()
    expected = physical(db.schema_dict())["tables"]
    assert "idx_user__name" not in actual["user"]["indexes"]
    assert actual["group"]["columns"]["extra"] == {"type": "int", "nullable": True}
    assert actual != expected
    assert {n: t for n, t in actual.items() if n not in ("user", "group")} == {
        n: t for n, t in expected.items() if n not in ("user", "group")}


def test_every_logical_type_reads_back(target):
    db = Database(entities=rich_entities())
    target.bind(db)
    try:
        db.generate_mapping(create_tables=True)
        columns = introspect(db)["tables"]["user"]["columns"]
    finally:
        db.disconnect()
    assert columns["id"] == {"type": "int", "nullable": False, "auto": True}
    assert columns["name"] == {"type": "str", "nullable": False, "max_len": 80}
    assert columns["note"] == {"type": "str", "nullable": True}
    assert columns["balance"] == {"type": "decimal", "nullable": False, "precision": 10,
                                  "scale": 3, "sql_default": "0"}
    assert columns["active"] == {"type": "bool", "nullable": False, "sql_default": "TRUE"}
    assert columns["joined"]["sql_default"] == "CURRENT_TIMESTAMP"
    assert columns["motto"]["sql_default"] == "'it''s 100% ok?'"
    assert columns["settings"] == {"type": "json", "nullable": False, "sql_default": "'{}'"}
    assert {columns[c]["type"] for c in columns} == {
        "int", "str", "float", "bool", "bytes", "decimal", "datetime", "date", "time", "uuid",
        "json",
    }
    assert columns["color"] == {"type": "str", "nullable": False, "max_len": 7}
    assert columns["level"] == {"type": "int", "nullable": True}


def test_keys_and_constraints_read_back(target):
    db = Database(entities=rich_entities())
    target.bind(db)
    try:
        db.generate_mapping(create_tables=True)
        tables = introspect(db)["tables"]
    finally:
        db.disconnect()
    assert tables["order_line"]["primary_key"] == ["order_number", "position"]
    assert tables["membership"]["primary_key"] == ["user_id", "group_id"]
    assert "auto" not in tables["profile"]["columns"]["code"]
    assert tables["linenote"]["foreign_keys"]["fk_linenote__line_order_line_pos"] == {
        "columns": ["line_order", "line_pos"], "ref_table": "order_line",
        "ref_columns": ["order_number", "position"], "on_delete": "NO ACTION",
    }
    assert tables["order"]["foreign_keys"]["fk_order_owner"]["on_delete"] == "RESTRICT"
    assert tables["user"]["foreign_keys"]["fk_user__manager_id"]["on_delete"] == "SET NULL"
    assert tables["user"]["uniques"]["unq_user__name_age"] == {"columns": ["name", "age"]}
    assert tables["user"]["indexes"]["ix_user_bio_active"] == {
        "columns": ["bio", "active"], "unique": False}
    assert tables["profile"]["uniques"] == {"unq_profile__owner": {"columns": ["owner"]}}
    assert tables["emp"]["uniques"] == {"uq_emp_badge": {"columns": ["dept_id", "badge"]}}
    assert tables["dept"]["foreign_keys"]["fk_dept__head_id"]["ref_table"] == "emp"
    assert tables["emp"]["foreign_keys"]["fk_emp__dept_id"]["ref_table"] == "dept"


def test_blog_example_reads_back_as_modelled(target, monkeypatch):
    # The example binds at import: point that binding at an in-memory SQLite database, then
    # map the same entity classes with a fresh Database on the target.
    monkeypatch.setenv("BLOG_DB_PROVIDER", "sqlite")
    monkeypatch.setenv("BLOG_DB_URL", ":memory:")
    spec = importlib.util.spec_from_file_location(f"blog_models_{uuid.uuid4().hex}", BLOG_MODELS)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its annotations name module globals
    spec.loader.exec_module(module)
    module.db.disconnect()
    db = Database(entities=[module.User, module.Post, module.Tag, module.Comment])
    target.bind(db)
    try:
        db.generate_mapping(create_tables=True)
        assert_invariant(db)
        assert set(introspect(db)["tables"]) == {"user", "post", "tag", "comment", "post_tag"}
    finally:
        db.disconnect()


def test_tracking_tables_are_not_part_of_the_schema(target):
    db = Database(entities=[])
    target.bind(db)
    try:
        for table in ("_nextorm_migrations", "_nextorm_lock", "plain"):
            db._execute_dml(f"CREATE TABLE {db.dialect.quote(table)} (x INTEGER)")
        assert set(introspect(db)["tables"]) == {"plain"}
    finally:
        db.disconnect()


def test_tables_made_by_hand_read_back_without_surprises(target):
    db = Database(entities=[])
    target.bind(db)
    q = db.dialect.quote
    try:
        db._execute_dml(
            f"CREATE TABLE {q('legacy')} ({q('a')} SMALLINT NOT NULL, {q('b')} CHAR(3), "
            f"{q('c')} NUMERIC(5,1) DEFAULT 2.50, {q('d')} POINT, PRIMARY KEY ({q('a')}))"
        )
        table = introspect(db)["tables"]["legacy"]
    finally:
        db.disconnect()
    assert table["primary_key"] == ["a"]
    assert table["columns"]["a"] == {"type": "int", "nullable": False, "size": 16}  # SMALLINT
    assert table["columns"]["b"] == {"type": "str", "nullable": True, "max_len": 3}
    assert table["columns"]["c"] == {"type": "decimal", "nullable": True, "precision": 5,
                                     "scale": 1, "sql_default": "2.5"}
    assert table["columns"]["d"]["type"].lower() == "sql:point"  # never mistaken for ours
    assert (table["indexes"], table["uniques"], table["foreign_keys"]) == ({}, {}, {})


def declarations_051() -> list[type]:
    """Entities declared with nextorm 0.5.1's options and types; declared afresh per test."""

    class Account(Entity):
        _table_ = "account"
        id: PK[nt.uuid7]
        code: Req[nt.ulid] = Req(unique=True)
        bio: Opt[nt.LongStr]
        meta: Opt[nt.Json]
        seen: Req[nt.DateTimeTz] = Req(precision=3)
        took: Opt[dt.timedelta]
        small: Req[int] = Req(size=8, default=0)
        big: Opt[int] = Opt(size=64, unsigned=True)
        hits: Req[int] = Req(unsigned=True, sql_default="0")
        stamp: Opt[dt.datetime] = Opt(precision=0)
        wake: Opt[dt.time] = Opt(precision=2)
        raw: Opt[str] = Opt(sql_type="TEXT", nullable=True)
        embedding: Req[nt.Vec[384]]
        sketch: Opt[nt.Vec] = Opt(dimensions=3)
        profile: Single["Profile | None"]
        boss: Single["Account | None"] = Single(cascade_delete=False, reverse="team")
        team: Set["Account"] = Set(reverse="boss")
        tags: Set["Tag"] = Set(reverse_column="account_ref")

    class Profile(Entity):
        account: Single[Account]
        motto: Opt[str]

    class Settings(Entity):
        account: PK[Account]
        theme: Req[str] = Req(max_len=20)

    class Tag(Entity):
        id: Req[int] = Req(primary_key=True, auto=False)
        accounts: Set[Account] = Set(reverse_column="tag_ref")

    return [Account, Profile, Settings, Tag]


def test_051_declarations_read_back_as_modelled(target):
    tables = created_and_read_back(target, declarations_051())
    columns = tables["account"]["columns"]
    assert columns["big"] == {"type": "int", "nullable": True, "size": 64, "unsigned": True}
    assert columns["took"] == {"type": "timedelta", "nullable": True}
    assert columns["seen"] == {"type": "datetimetz", "nullable": False, "precision": 3}
    assert columns["embedding"] == {"type": "vector", "nullable": False, "dimensions": 384}
    assert columns["sketch"] == {"type": "vector", "nullable": True, "dimensions": 3}
    assert tables["profile"]["uniques"] == {"unq_profile__account_id": {"columns": ["account_id"]}}
    assert tables["settings"]["primary_key"] == ["account_id"]
    assert tables["account"]["foreign_keys"]["fk_account__boss_id"]["on_delete"] == "RESTRICT"
    assert set(tables["account_tag"]["columns"]) == {"account_ref", "tag_ref"}


def created_and_read_back(target, entities: list[type]) -> dict:
    """Create the entities' tables on ``target``, check the invariant, return the tables."""
    db = Database(entities=entities)
    target.bind(db)
    try:
        db.generate_mapping(create_tables=True)
        assert_invariant(db)
        return introspect(db)["tables"]
    finally:
        db.disconnect()
