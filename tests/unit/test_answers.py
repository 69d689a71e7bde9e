"""What makemigrations decides for the user, and the answers it takes: renames found whatever
the declaration order, hints that claim their column, values checked against the column type,
callable defaults computed when the migration runs, file names in any script, black settings."""

from __future__ import annotations

import datetime as dt

import black
import pytest

from nextorm import PK, Database, DeclarationError, Entity, MigrationError, Req, Single
from nextorm.migrations import snapshot
from nextorm.migrations.diff import call_default, diff_schemas
from nextorm.migrations.generate import derive_name, makemigrations, plan_migration, safe_name
from nextorm.migrations.loader import discover
from nextorm.migrations.questioner import Questioner, ScriptedQuestioner
from nextorm.migrations.values import coerce
from nextorm.migrations.writer import black_mode
from nextorm.schema.operations import (
    AddColumn,
    AlterColumn,
    CallDefault,
    FillNulls,
    RenameColumn,
    RenameTable,
)


def schema_of(*entities: type) -> dict:
    """The schema dict of ``entities``, as the snapshot file stores it (columns sorted)."""
    db = Database(entities=list(entities))
    db.generate_mapping()
    return snapshot.loads(snapshot.dumps(db.schema_dict()))


def model_schema(*entities: type) -> dict:
    db = Database(entities=list(entities))
    db.generate_mapping()
    return db.schema_dict()


def note_class(table: str, order: list[str]) -> type:
    annotations = {"id": PK[int], **{name: Req[str] for name in order}}
    return type("Note", (Entity,), {"__annotations__": annotations, "_table_name_": table})


@pytest.mark.parametrize("order", [["title", "body"], ["body", "title"], ["name"]])
def test_a_table_rename_is_found_whatever_the_column_order(order):
    old = schema_of(note_class("note", order))
    new = model_schema(note_class("memo", list(reversed(order))))
    with pytest.raises(MigrationError, match="pass --rename-table note=memo "):
        diff_schemas(old, new)
    ops = diff_schemas(old, new, Questioner(table_renames=["note=memo"]))
    assert ops == [RenameTable("note", "memo")]


def test_a_table_renamed_with_a_column_is_asked_about_both():
    old = schema_of(note_class("note", ["title", "body"]))
    new = model_schema(note_class("memo", ["body", "headline"]))
    with pytest.raises(MigrationError, match="--rename-table note=memo"):
        diff_schemas(old, new)
    with pytest.raises(MigrationError, match=r"--rename memo\.title=headline"):
        diff_schemas(old, new, Questioner(table_renames=["note=memo"]))
    ops = diff_schemas(old, new, Questioner(table_renames=["note=memo"],
                                            renames=["memo.title=headline"]))
    assert ops == [RenameTable("note", "memo"), RenameColumn("memo", "title", "headline")]


def test_a_hint_claims_its_column_before_any_question():
    old = schema_of(note_class("note", ["a", "b"]))
    new = model_schema(note_class("note", ["x", "y"]))
    ops = diff_schemas(old, new, ScriptedQuestioner({"rename note.a": True},
                                                    renames=["note.b=x"]))
    assert ops == [RenameColumn("note", "b", "x"), RenameColumn("note", "a", "y")]


def test_renamed_from_on_the_entity_is_a_table_hint(tmp_path):
    def version(renamed: bool) -> Database:
        namespace = {"__annotations__": {"id": PK[int], "title": Req[str]},
                     "_table_name_": "article" if renamed else "post"}
        if renamed:
            namespace["_renamed_from_"] = "post"
        db = Database(entities=[type("Post", (Entity,), namespace)])
        db.bind("sqlite", str(tmp_path / "app.db"))
        db.generate_mapping()
        return db

    makemigrations(version(False), tmp_path / "m")
    plan = plan_migration(version(True), tmp_path / "m")
    assert plan.operations == [RenameTable("post", "article")]
    assert plan.path.name == "0002_rename_post_to_article.py"


def test_renamed_from_must_name_a_table():
    with pytest.raises(DeclarationError, match="Post._renamed_from_ must be the table's previous"):
        type("Post", (Entity,), {"__annotations__": {"title": Req[str]}, "_renamed_from_": 3})


@pytest.mark.parametrize("column, raw, value", [
    ({"type": "int"}, " 12 ", 12),
    ({"type": "int"}, 3, 3),
    ({"type": "float"}, "2.5", 2.5),
    ({"type": "bool"}, "no", False),
    ({"type": "bool"}, 1, True),
    ({"type": "str", "max_len": 5}, "abc", "abc"),
    ({"type": "decimal", "precision": 5, "scale": 2}, "123.4", "123.4"),
    ({"type": "date"}, "2024-02-29", "2024-02-29"),
    ({"type": "datetime"}, "2024-01-02T03:04:05+01:00", "2024-01-02 02:04:05.000000"),
    ({"type": "datetime"}, dt.datetime(2024, 1, 2), "2024-01-02 00:00:00.000000"),
    ({"type": "time"}, "03:04", "03:04:00.000000"),
    ({"type": "uuid"}, "12345678123456781234567812345678", "12345678-1234-5678-1234-567812345678"),
    ({"type": "bytes"}, "0xCAFE", {"hex": "cafe"}),
    ({"type": "json"}, '{"a": [1]}', {"json": {"a": [1]}}),
])
def test_a_value_for_existing_rows_is_converted_to_the_column_type(column, raw, value):
    assert coerce(raw, column) == value


@pytest.mark.parametrize("column, raw, message", [
    ({"type": "int"}, "abc def", "'abc def' is not an integer"),
    ({"type": "int"}, "1.5", "'1.5' is not an integer"),
    ({"type": "int"}, True, "True is not an integer"),
    ({"type": "float"}, "nan", "'nan' is not a number"),
    ({"type": "bool"}, "maybe", "'maybe' is not true or false"),
    ({"type": "str", "max_len": 2}, "abc", "'abc' is not text of at most 2 characters"),
    ({"type": "decimal", "precision": 4, "scale": 2}, "123.4", "at most 4 digits, 2 after"),
    ({"type": "datetime"}, "yesterday", "'yesterday' is not a date and time"),
    ({"type": "uuid"}, "x", "'x' is not a UUID"),
    ({"type": "json"}, "{", "'{' is not a JSON value"),
    ({"type": "int"}, None, "NOT NULL"),
])
def test_a_value_of_the_wrong_type_is_refused_with_the_reason(column, raw, message):
    with pytest.raises(ValueError, match=message):
        coerce(raw, column)


def family(tmp_path, reference: bool) -> Database:
    class Parent(Entity):
        name: Req[str]

    class Child(Entity):
        note: Req[str]
        if reference:
            parent: Single[Parent]

    db = Database(entities=[Parent, Child])
    db.bind("sqlite", str(tmp_path / "app.db"))
    db.generate_mapping()
    return db


def test_the_python_api_takes_defaults(tmp_path):
    makemigrations(family(tmp_path, False), tmp_path / "m")
    with pytest.raises(MigrationError, match=r"--default child\.parent_id=VALUE \(an integer\)"):
        plan_migration(family(tmp_path, True), tmp_path / "m")
    with pytest.raises(MigrationError, match="'one' is not an integer"):
        plan_migration(family(tmp_path, True), tmp_path / "m", defaults={"child.parent_id": "one"})
    plan = plan_migration(family(tmp_path, True), tmp_path / "m",
                          defaults={"child.parent_id": 1})
    (add,) = [op for op in plan.operations if isinstance(op, AddColumn)]
    assert add.backfill == 1


@pytest.mark.parametrize("hint", ["post.views", "views=1"])
def test_a_malformed_default_is_refused(hint):
    with pytest.raises(MigrationError, match="bad --default"):
        Questioner(defaults=[hint])


NOW = {"callable": "datetime.datetime.now"}


def test_a_callable_default_is_computed_when_the_migration_runs():
    base = model_schema(note_class("note", ["title"]))
    new = model_schema(note_class("note", ["title"]))
    created = {"type": "datetime", "nullable": False, "default": NOW}
    new["tables"]["note"]["columns"]["created"] = created
    loose = {**created, "nullable": True}
    ops = diff_schemas(base, new)
    call = CallDefault("datetime.datetime.now", "datetime")
    assert ops == [AddColumn("note", "created", loose), FillNulls("note", "created", call, created),
                   AlterColumn("note", "created", loose, created)]
    assert derive_name(ops, base) == "add_created_to_note"
    given = diff_schemas(base, new, Questioner(defaults=["note.created=2020-01-01"]))
    assert given == [AddColumn("note", "created", created, "2020-01-01 00:00:00.000000")]


def test_a_column_becoming_not_null_with_a_callable_default_changes_its_type_first():
    old = model_schema(note_class("note", ["title"]))
    old["tables"]["note"]["columns"]["stamp"] = {"type": "str", "max_len": 40, "nullable": True}
    new = model_schema(note_class("note", ["title"]))
    stamp = {"type": "datetime", "nullable": False, "default": NOW}
    new["tables"]["note"]["columns"]["stamp"] = stamp
    kinds = [(type(op).__name__, getattr(op, "new", {}).get("nullable"))
             for op in diff_schemas(old, new)]
    assert kinds == [("AlterColumn", True), ("FillNulls", None), ("AlterColumn", False)]


def test_call_default_finds_the_module_to_import():
    assert call_default("datetime.datetime.now") == CallDefault("datetime.datetime.now", "datetime")
    assert call_default("os.path.join").module == "os.path"
    assert not call_default("myapp.models.<lambda>").importable
    assert not call_default("no_such_module.f").importable


def test_a_lambda_default_without_a_value_is_an_error_naming_the_option():
    base = model_schema(note_class("note", ["title"]))
    new = model_schema(note_class("note", ["title"]))
    new["tables"]["note"]["columns"]["code"] = {
        "type": "int", "nullable": False, "default": {"callable": "myapp.<lambda>"}}
    with pytest.raises(MigrationError, match=r"a lambda .*--default note\.code=VALUE"):
        diff_schemas(base, new)
    assert diff_schemas(base, new, Questioner(defaults={"note.code": 4}))[0].backfill == 4


def test_a_migration_name_keeps_letters_python_accepts(tmp_path):
    assert safe_name("数据迁移") == "数据迁移"
    assert safe_name("Données — Étape 2!") == "données_étape_2"
    assert safe_name("?!") == "migration"
    (tmp_path / "0001_数据迁移.py").write_text("def upgrade(db):\n    pass\n")
    assert [m.name for m in discover(tmp_path)] == ["0001_数据迁移.py"]


def test_black_settings_come_from_the_project_of_the_migrations_folder(tmp_path):
    plain = tmp_path / "plain" / "migrations"
    plain.mkdir(parents=True)
    (tmp_path / "plain" / ".git").mkdir()  # the project root, as black finds it
    assert black_mode(plain) == black.Mode()
    assert black_mode(plain).line_length == 88
    configured = tmp_path / "configured"
    (configured / "migrations").mkdir(parents=True)
    (configured / "pyproject.toml").write_text(
        "[tool.black]\nline-length = 120\nskip-string-normalization = true\n")
    mode = black_mode(configured / "migrations")
    assert (mode.line_length, mode.string_normalization) == (120, False)


def test_a_column_becoming_not_null_takes_its_value_from_the_option():
    old = model_schema(note_class("note", ["title"]))
    old["tables"]["note"]["columns"]["age"] = {"type": "int", "nullable": True}
    new = model_schema(note_class("note", ["title"]))
    new["tables"]["note"]["columns"]["age"] = {"type": "int", "nullable": False}
    with pytest.raises(MigrationError, match=r"note\.age is NOT NULL and was nullable.*--default"):
        diff_schemas(old, new)
    (op,) = diff_schemas(old, new, Questioner(defaults=["note.age=3"]))
    assert isinstance(op, AlterColumn) and op.sets_not_null and op.backfill == 3
