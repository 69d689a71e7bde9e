"""The golden schema-change cases, and the migration module each renders to.

``CASES`` maps a case name to ``(old schema, new schema, questioner hints)``: one case per
kind of operation.  ``tests/unit/test_golden.py`` compares each rendering with its file in
``tests/golden/``; ``tests/unit/test_diff.py`` replays the cases' operations and
``tests/dialects/test_operations.py`` runs the rendered modules on real databases.
"""

from __future__ import annotations

import copy
import datetime as dt

from nextorm.dialects import get_dialect
from nextorm.migrations.diff import align_columns, diff_schemas, reverse_operations
from nextorm.migrations.questioner import Questioner
from nextorm.migrations.writer import render_migration

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
