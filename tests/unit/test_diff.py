"""The diff: from two schema dicts to the operations a migration runs, in a safe order."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from hypothesis import given, settings

from nextorm import PK, Database, Entity, MigrationError, Opt, Req, Single
from nextorm.migrations.diff import diff_schemas, reverse_operations
from nextorm.migrations.generate import (
    derive_name,
    makemigrations,
    next_number,
    plan_migration,
    safe_name,
    write_migration,
)
from nextorm.migrations.questioner import Questioner, ScriptedQuestioner
from nextorm.schema.columns import column_identity as physical
from nextorm.schema.model import empty_schema
from nextorm.schema.operations import (
    AddColumn,
    AlterColumn,
    CreateTable,
    DropColumn,
    DropForeignKey,
    DropTable,
    RenameColumn,
    RenameTable,
    apply_operations,
)
from support.golden import CASES, base, changed
from support.schema_strategies import SayNo, schemas


def physical_schema(schema: dict) -> dict:
    return {name: {**t, "columns": {c: physical(col) for c, col in t["columns"].items()}}
            for name, t in schema["tables"].items()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_operations_turn_old_into_new_and_reverse_back(case):
    old, new, hints = CASES[case]
    ops = diff_schemas(old, new, Questioner(**hints))
    assert ops
    assert physical_schema(apply_operations(ops, old)) == physical_schema(new)
    undo = reverse_operations(ops, new)
    assert physical_schema(apply_operations(undo, new)) == physical_schema(old)


def test_no_change_gives_no_operations():
    assert diff_schemas(base(), copy.deepcopy(base())) == []


def test_model_only_keys_are_no_change():
    new = changed(lambda t: t["user"]["columns"]["name"].update(default="x"))
    assert diff_schemas(base(), new) == []


def test_new_tables_come_in_foreign_key_order():
    ops = diff_schemas(empty_schema(), base())
    creates = [op.table for op in ops if isinstance(op, CreateTable)]
    assert creates == ["user", "post"]


def test_dropping_a_referenced_table_drops_the_reference_first():
    def edit(t):
        del t["user"]
        del t["post"]["foreign_keys"]["fk_post__author_id"]
        del t["post"]["indexes"]["idx_post__author_id"]
        del t["post"]["columns"]["author_id"]

    ops = diff_schemas(base(), changed(edit))
    kinds = [type(op) for op in ops]
    assert kinds.index(DropForeignKey) < kinds.index(DropColumn) < kinds.index(DropTable)
    assert ops[-1] == DropTable("user", base()["tables"]["user"])


def test_not_null_column_backfill_rules():
    new = changed(lambda t: t["user"]["columns"].update(
        nick={"type": "str", "nullable": False},
        score={"type": "int", "nullable": False, "default": 7},
        stamp={"type": "datetime", "nullable": False, "sql_default": "CURRENT_TIMESTAMP"},
        note={"type": "str", "nullable": True}))
    adds = {op.column: op.backfill for op in diff_schemas(base(), new)
            if isinstance(op, AddColumn)}
    assert adds == {"nick": "", "score": 7, "stamp": None, "note": None}


def test_not_null_int_without_default_needs_an_answer():
    new = changed(lambda t: t["user"]["columns"].update(level={"type": "int", "nullable": False}))
    with pytest.raises(MigrationError, match=r"user\.level is NOT NULL .*Req\[int\] = Req\(default="):
        diff_schemas(base(), new)
    ops = diff_schemas(base(), new, ScriptedQuestioner({"backfill user.level": 3}))
    assert ops == [AddColumn("user", "level", {"type": "int", "nullable": False}, 3)]


def test_making_a_column_not_null_fills_its_nulls():
    new = changed(lambda t: t["user"]["columns"]["age"].update(nullable=False))
    with pytest.raises(MigrationError, match="user.age is NOT NULL and was nullable"):
        diff_schemas(base(), new)
    (op,) = diff_schemas(base(), new, ScriptedQuestioner({"backfill user.age": 0}))
    assert isinstance(op, AlterColumn) and op.sets_not_null and op.backfill == 0


def test_a_rename_is_never_a_silent_drop_and_add():
    old, new, _ = CASES["rename_column"]
    with pytest.raises(MigrationError, match=r"--rename user\.email=mail"):
        diff_schemas(old, new)
    ops = diff_schemas(old, new, Questioner(renames=["user.email=mail"]))
    assert ops[0] == RenameColumn("user", "email", "mail")
    assert not any(isinstance(op, DropColumn) for op in ops)
    # Answering "no" in a terminal gives the drop and the add the user asked for.
    ops = diff_schemas(old, new, ScriptedQuestioner({"rename user.email": False}))
    assert {type(op) for op in ops} >= {AddColumn, DropColumn}


def test_table_rename_needs_a_hint():
    old, new, _ = CASES["rename_table"]
    with pytest.raises(MigrationError, match="--rename-table user=author"):
        diff_schemas(old, new)
    ops = diff_schemas(old, new, Questioner(table_renames=["user=author"]))
    assert ops == [RenameTable("user", "author")]


@pytest.mark.parametrize("hints, message", [
    ({"renames": ["user.email=mial"]}, "the entities have no column user.mial"),
    ({"table_renames": ["user=athor"]}, "the entities have no table 'athor'"),
])
def test_a_hint_with_a_typo_is_refused(hints, message):
    old, new, _ = CASES["rename_column"]
    with pytest.raises(MigrationError, match=message):
        diff_schemas(old, new, Questioner(**hints))


@pytest.mark.parametrize("hint", ["user.email", "email=mail", "user.=x", "=x"])
def test_malformed_hints_are_refused(hint):
    with pytest.raises(MigrationError, match="bad --rename"):
        Questioner(renames=[hint])


def test_file_names():
    assert safe_name("Add Email!/x") == "add_email_x"
    assert safe_name("../..") == "migration"
    assert derive_name(diff_schemas(empty_schema(), base()), empty_schema()) == "initial"
    old, new, _ = CASES["add_column_not_null"]
    assert derive_name(diff_schemas(old, new), old) == "add_nick_to_user"
    old, new, _ = CASES["create_table"]
    assert derive_name(diff_schemas(old, new), old) == "create_tag"


def test_next_number_follows_the_highest(tmp_path):
    assert next_number(tmp_path / "missing") == 1
    for name in ("0001_initial.py", "0007_x.py", "notes.py", "0009_y.txt"):
        (tmp_path / name).write_text("")
    assert next_number(tmp_path) == 8


def entities(extra: bool):
    class Author(Entity):
        id: PK[int]
        name: Req[str] = Req(max_len=50)
        if extra:
            email: Opt[str]

    class Book(Entity):
        title: Req[str]
        author: Single[Author]

    return [Author, Book]


def sqlite_db(tmp_path, extra=False) -> Database:
    db = Database(entities=entities(extra))
    db.bind("sqlite", str(tmp_path / "app.db"))
    db.generate_mapping()
    return db


def test_makemigrations_writes_file_and_snapshot_then_nothing(tmp_path):
    directory = tmp_path / "migrations"
    path = makemigrations(sqlite_db(tmp_path), directory, now=dt.datetime(2026, 1, 1))
    assert path == str(directory / "0001_initial.py")
    assert (directory / ".schema_snapshot.json").is_file()
    source = (directory / "0001_initial.py").read_text()
    assert 'DIALECT = "sqlite"' in source and "def downgrade(db):" in source
    assert makemigrations(sqlite_db(tmp_path), directory) is None
    path = makemigrations(sqlite_db(tmp_path, extra=True), directory)
    assert path.endswith("0002_add_email_to_author.py")
    assert makemigrations(sqlite_db(tmp_path, extra=True), directory, name="Backfill Emails!",
                          empty=True).endswith("0003_backfill_emails.py")
    assert sorted(p.name for p in directory.iterdir()) == [
        ".schema_snapshot.json", "0001_initial.py", "0002_add_email_to_author.py",
        "0003_backfill_emails.py"]


def test_plan_writes_nothing(tmp_path):
    plan = plan_migration(sqlite_db(tmp_path), tmp_path / "migrations")
    assert plan.path.name == "0001_initial.py" and "CREATE TABLE" in plan.source
    assert not (tmp_path / "migrations").exists()


def test_failed_snapshot_write_leaves_nothing(tmp_path):
    directory = tmp_path / "migrations"
    plan = plan_migration(sqlite_db(tmp_path), directory)
    directory.mkdir()
    (directory / ".schema_snapshot.json").mkdir()  # a directory where the file must go
    with pytest.raises(MigrationError, match="cannot write"):
        write_migration(plan, directory)
    assert sorted(p.name for p in directory.iterdir()) == [".schema_snapshot.json"]


# -- property: any mix of changes, applied, gives the new schema; undone, the old one ----------


@settings(max_examples=200, deadline=None)
@given(schemas(), schemas())
def test_any_diff_replays_to_the_new_schema_and_back(old, new):
    ops = diff_schemas(old, new, SayNo())
    assert physical_schema(apply_operations(ops, old)) == physical_schema(new)
    undo = reverse_operations(ops, new)
    assert physical_schema(apply_operations(undo, new)) == physical_schema(old)
    assert (ops == []) == (physical_schema(old) == physical_schema(new))
