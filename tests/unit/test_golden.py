"""The rendered migration module for each operation on each dialect, compared with a file.

The files in ``tests/golden/<dialect>/`` are what a user reviews; a change to the templates or
the SQL shows here as a readable diff.  After an intended change, regenerate them with::

    NEXTORM_REGEN_GOLDEN=1 .venv/bin/pytest tests/unit/test_golden.py

then read the diff before committing it.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from pathlib import Path

import pytest

from nextorm.dialects import get_dialect
from nextorm.migrations.diff import align_columns, diff_schemas, reverse_operations
from nextorm.migrations.questioner import Questioner
from nextorm.migrations.writer import render_migration

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
REGENERATE = bool(os.environ.get("NEXTORM_REGEN_GOLDEN"))
NOW = dt.datetime(2026, 1, 2, 3, 4)


def base() -> dict:
    """user(id, name, email unique, bio) and post(id, title indexed, author_id -> user)."""
    return {"format": 1, "tables": {
        "user": {
            "columns": {
                "id": {"type": "int", "nullable": False, "auto": True},
                "name": {"type": "str", "max_len": 80, "nullable": False},
                "email": {"type": "str", "max_len": 255, "nullable": False},
                "age": {"type": "int", "nullable": True},
            },
            "primary_key": ["id"],
            "indexes": {},
            "uniques": {"unq_user__email": {"columns": ["email"]}},
            "foreign_keys": {},
        },
        "post": {
            "columns": {
                "id": {"type": "int", "nullable": False, "auto": True},
                "title": {"type": "str", "max_len": 200, "nullable": False},
                "author_id": {"type": "int", "nullable": False},
            },
            "primary_key": ["id"],
            "indexes": {"idx_post__author_id": {"columns": ["author_id"], "unique": False}},
            "uniques": {},
            "foreign_keys": {"fk_post__author_id": {
                "columns": ["author_id"], "ref_table": "user", "ref_columns": ["id"],
                "on_delete": "CASCADE"}},
        },
    }}


def changed(edit) -> dict:
    schema = copy.deepcopy(base())
    edit(schema["tables"])
    return schema


def _tag(t):
    t["tag"] = {"columns": {"id": {"type": "int", "nullable": False, "auto": True},
                            "name": {"type": "str", "max_len": 64, "nullable": False}},
                "primary_key": ["id"], "indexes": {},
                "uniques": {"unq_tag__name": {"columns": ["name"]}}, "foreign_keys": {}}


def _col(table, column, **definition):
    def edit(t):
        t[table]["columns"][column] = definition
    return edit


def _rename_col(t):
    t["user"]["columns"] = {("mail" if k == "email" else k): v
                            for k, v in t["user"]["columns"].items()}
    t["user"]["uniques"] = {"unq_user__mail": {"columns": ["mail"]}}


def _rename_table(t):
    t["author"] = t.pop("user")
    t["post"]["foreign_keys"]["fk_post__author_id"]["ref_table"] = "author"


def _membership(t):
    t["membership"] = {
        "columns": {"user_id": {"type": "int", "nullable": False},
                    "team": {"type": "str", "max_len": 40, "nullable": False}},
        "primary_key": ["user_id"], "indexes": {}, "uniques": {}, "foreign_keys": {}}


def _drop_post(t):
    del t["post"]


CASES = {
    "create_table": (base(), changed(_tag), {}),
    "drop_table": (base(), changed(_drop_post), {}),
    "add_column_not_null": (base(), changed(_col("user", "nick", type="str", max_len=40,
                                                 nullable=False)), {}),
    "add_column_with_default": (base(), changed(_col("post", "views", type="int",
                                                     nullable=False, default=0)), {}),
    "add_column_nullable": (base(), changed(_col("post", "score", type="float",
                                                 nullable=True)), {}),
    "add_column_callable_default": (base(), changed(_col(
        "post", "created", type="datetime", nullable=False,
        default={"callable": "datetime.datetime.now"})), {}),
    "drop_column": (base(), changed(lambda t: t["user"]["columns"].pop("age")), {}),
    "alter_column_to_text": (base(), changed(_col("user", "age", type="str", max_len=10,
                                                  nullable=True)), {}),
    "alter_column_type": (base(), changed(_col("user", "name", type="str", max_len=120,
                                               nullable=False)), {}),
    "alter_column_set_not_null": (base(), changed(_col("user", "age", type="int",
                                                       nullable=False, default=18)), {}),
    "alter_column_drop_not_null": (base(), changed(_col("post", "title", type="str",
                                                        max_len=200, nullable=True)), {}),
    "rename_column": (base(), changed(_rename_col), {"renames": ["user.email=mail"]}),
    "rename_table": (base(), changed(_rename_table), {"table_renames": ["user=author"]}),
    "create_index": (base(), changed(lambda t: t["user"]["indexes"].update(
        {"idx_user__name": {"columns": ["name"], "unique": False}})), {}),
    "create_index_concurrently": (base(), changed(lambda t: t["user"]["indexes"].update(
        {"idx_user__name": {"columns": ["name"], "unique": False}})), {}),
    "drop_index": (changed(lambda t: t["user"]["indexes"].update(
        {"idx_user__name": {"columns": ["name"], "unique": False}})), base(), {}),
    "add_unique": (base(), changed(lambda t: t["user"]["uniques"].update(
        {"unq_user__name": {"columns": ["name"]}})), {}),
    "drop_unique": (base(), changed(lambda t: t["user"]["uniques"].clear()), {}),
    "alter_foreign_key": (base(), changed(lambda t: t["post"]["foreign_keys"][
        "fk_post__author_id"].update(on_delete="RESTRICT")), {}),
    "alter_primary_key": (changed(_membership), changed(lambda t: (
        _membership(t), t["membership"].update(primary_key=["user_id", "team"]))), {}),
}


#: Cases rendered as with ``makemigrations --concurrent-indexes``.
CONCURRENT = {"create_index_concurrently"}


def render(case: str, provider: str) -> str:
    old, new, hints = CASES[case]
    ops = diff_schemas(old, new, Questioner(**hints))
    undo = reverse_operations(ops, new)
    # As makemigrations renders: the online patterns on the tables that exist before and after.
    dialect = get_dialect(provider).for_migration(set(old["tables"]) & set(new["tables"]),
                                                  case in CONCURRENT)
    return render_migration(ops, undo, dialect, summary=f"Golden case {case}.",
                            version="0.0.0", now=NOW,
                            before=align_columns(old, new)["tables"], after=new["tables"])


#: Cases rendered as with ``dialects = ["sqlite", "postgres", "mysql"]``: one file, a part
#: per server (tests/golden/multi/).
MULTI = ("add_column_with_default", "alter_column_type", "create_index_concurrently",
         "rename_column")


def render_multi_case(case: str) -> str:
    from nextorm.migrations.multirender import render_multi

    old, new, hints = CASES[case]
    ops = diff_schemas(old, new, Questioner(**hints))
    dialects = [get_dialect(p).for_migration(set(old["tables"]) & set(new["tables"]),
                                             case in CONCURRENT)
                for p in ("sqlite", "postgres", "mysql")]
    return render_multi(ops, reverse_operations(ops, new), dialects,
                        summary=f"Golden case {case}.", version="0.0.0", now=NOW,
                        before=align_columns(old, new)["tables"], after=new["tables"])


@pytest.mark.parametrize("case", MULTI)
def test_multi_server_module_matches_golden_file(case):
    compare(render_multi_case(case), GOLDEN / "multi" / f"{case}.py.golden")


@pytest.mark.parametrize("provider", ["sqlite", "postgres", "mysql"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_rendered_module_matches_golden_file(case, provider):
    compare(render(case, provider), GOLDEN / provider / f"{case}.py.golden")


def compare(source: str, path: Path) -> None:
    """The rendered source is the golden file (data, not code: kept out of lint)."""
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    assert path.is_file(), f"{path} missing: run with NEXTORM_REGEN_GOLDEN=1"
    assert source == path.read_text(encoding="utf-8")
    compile(source, str(path), "exec")  # a module a person can import


def test_every_operation_kind_has_a_golden_case():
    from nextorm.schema import operations

    kinds = {type(op).__name__ for case in CASES for op in
             diff_schemas(CASES[case][0], CASES[case][1], Questioner(**CASES[case][2]))}
    kinds |= {type(op).__name__ for case in CASES for op in reverse_operations(
        diff_schemas(CASES[case][0], CASES[case][1], Questioner(**CASES[case][2])),
        CASES[case][1])}
    declared = {name for name, obj in vars(operations).items() if isinstance(obj, type)
                and issubclass(obj, operations.Operation)
                and obj not in (operations.Operation, operations.TableChange)}
    assert declared <= kinds
