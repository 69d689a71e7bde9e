"""DeepDiff's report drives the diff: each change reaches the comparator of its kind as the
entries DeepDiff named, and a change DeepDiff does not report gives no operation.
"""

from __future__ import annotations

import copy
import sys
from typing import Any

import pytest
from deepdiff.model import DiffLevel

from nextorm.migrations import changes as changes_module
from nextorm.migrations.changes import ChangedTable, read_changes
from nextorm.migrations.comparators import (
    TABLE_COMPARATORS,
    created_tables,
    dropped_columns,
    dropped_tables,
    foreign_keys,
    indexes,
    new_and_changed_columns,
    primary_key,
    unique_keys,
)
from nextorm.migrations.diff import diff_schemas
from nextorm.migrations.questioner import Questioner, ScriptedQuestioner
from nextorm.schema import operations as ops


def table(columns: dict[str, Any], **sections: Any) -> dict[str, Any]:
    """A table keyed by ``id``; ``sections`` fill its indexes, uniques and foreign keys."""
    id_column = {"id": {"type": "int", "nullable": False, "auto": True}}
    return {"columns": {**id_column, **columns}, "primary_key": ["id"], "indexes": {},
            "uniques": {}, "foreign_keys": {}, **sections}


def tables() -> dict[str, Any]:
    """author(id, name unique, born) and book(id, title indexed, author_id -> author)."""
    fk = {"columns": ["author_id"], "ref_table": "author", "ref_columns": ["id"],
          "on_delete": "CASCADE"}
    return {
        "author": table({"name": {"type": "str", "max_len": 80, "nullable": False},
                         "born": {"type": "int", "nullable": True}},
                        uniques={"unq_author__name": {"columns": ["name"]}}),
        "book": table({"title": {"type": "str", "max_len": 200, "nullable": False},
                       "author_id": {"type": "int", "nullable": False}},
                      indexes={"idx_book__title": {"columns": ["title"], "unique": False}},
                      foreign_keys={"fk_book__author_id": fk}),
    }


def edited(edit) -> dict[str, Any]:
    new = tables()
    edit(new)
    return new


def changed_table(edit, name: str = "book") -> ChangedTable:
    """The report DeepDiff gives for ``edit`` applied to ``tables()``, for table ``name``."""
    return read_changes(tables(), edited(edit)).tables[name]


def found(comparator, table: ChangedTable, questioner: Questioner | None = None) -> list:
    return list(comparator(table, questioner or Questioner()))


# -- the report: DeepDiff's paths cut back to entries -----------------------------------------


def test_a_column_attribute_change_names_the_column():
    table = changed_table(lambda t: t["book"]["columns"]["title"].update(max_len=250))
    assert table.entries == {"columns": {"title"}}
    [item] = table.items
    assert isinstance(item, DiffLevel)
    assert item.path() == "root['tables']['book']['columns']['title']['max_len']"
    assert item.report_type == "values_changed"


def test_the_report_names_each_entry_of_each_section():
    def edit(t):
        book = t["book"]
        book["columns"]["isbn"] = {"type": "str", "max_len": 13, "nullable": True}
        del book["columns"]["title"]
        book["indexes"]["idx_book__title"]["columns"] = ["isbn"]
        book["uniques"]["unq_book__isbn"] = {"columns": ["isbn"]}
        book["foreign_keys"]["fk_book__author_id"]["on_delete"] = "SET NULL"
        book["primary_key"] = ["id", "author_id"]

    table = changed_table(edit)
    assert table.entries == {
        "columns": {"isbn", "title"}, "indexes": {"idx_book__title"},
        "uniques": {"unq_book__isbn"}, "foreign_keys": {"fk_book__author_id"},
        "primary_key": {"primary_key"}}
    assert {item.report_type for item in table.items} >= {
        "dictionary_item_added", "dictionary_item_removed", "values_changed",
        "iterable_item_added"}


def test_tables_added_and_removed_are_reported_as_tables():
    def edit(t):
        t["shelf"] = copy.deepcopy(t["author"])
        del t["book"]

    report = read_changes(tables(), edited(edit))
    assert (report.added, report.removed, report.tables) == ({"shelf"}, {"book"}, {})


def test_only_the_tables_that_differ_reach_deepdiff(monkeypatch):
    seen = []

    def spy(old, new, **options):
        seen.append((set(old["tables"]), set(new["tables"]), options["view"]))
        return real(old, new, **options)

    real = changes_module.DeepDiff
    monkeypatch.setattr(changes_module, "DeepDiff", spy)
    read_changes(tables(), edited(lambda t: t["author"]["columns"]["born"].update(nullable=False)))
    assert seen == [({"author"}, {"author"}, "tree")]


def test_a_section_renamed_wholesale_is_still_reported_by_entry():
    """DeepDiff reports dicts that share few keys as one value unless told to go deeper."""
    def edit(t):
        t["book"]["columns"] = {f"{c}_2": col for c, col in t["book"]["columns"].items()}

    table = changed_table(edit)
    assert table.entries["columns"] == {"id", "title", "author_id",
                                        "id_2", "title_2", "author_id_2"}


def test_a_whole_level_reported_at_once_covers_each_key_below_it():
    entries = list(changes_module._entries(
        ("tables", "book", "indexes"), {"a": {}, "b": {}}, {"b": {"x": 1}, "c": {}}))
    assert sorted(entries) == [("tables", "book", "indexes", k) for k in "abc"]


def test_a_column_whose_name_starts_with_two_underscores_is_compared():
    """DeepDiff skips such dict keys by default (``ignore_private_variables``)."""
    def add(t):
        t["author"]["columns"]["__flags"] = {"type": "int", "nullable": True}

    old, new = edited(add), edited(add)
    new["author"]["columns"]["__flags"]["type"] = "str"
    found_ops = diff_schemas({"format": 1, "tables": old}, {"format": 1, "tables": new})
    assert [type(op) for op in found_ops] == [ops.AlterColumn]


# -- DeepDiff drives: what it does not report is not found ------------------------------------


def test_a_change_deepdiff_does_not_report_gives_no_operation(monkeypatch):
    class ReportsNothing(dict):
        def __init__(self, *args, **options):
            super().__init__()

    old = {"format": 1, "tables": tables()}
    new = {"format": 1, "tables": edited(lambda t: t["book"]["columns"].update(
        pages={"type": "int", "nullable": True}))}
    assert [type(op) for op in diff_schemas(old, new)] == [ops.AddColumn]
    monkeypatch.setattr(changes_module, "DeepDiff", ReportsNothing)
    assert diff_schemas(old, new) == []


def test_only_the_entries_deepdiff_reports_are_compared(monkeypatch):
    def without_indexes(old, new, **options):
        report = real(old, new, **options)
        return {kind: [i for i in items if "['indexes']" not in i.path()]
                for kind, items in report.items()}

    def edit(t):
        t["book"]["columns"]["title"]["max_len"] = 250
        t["book"]["indexes"]["idx_book__title"]["unique"] = True

    old, new = {"format": 1, "tables": tables()}, {"format": 1, "tables": edited(edit)}
    assert [type(op) for op in diff_schemas(old, new)] == [
        ops.DropIndex, ops.AlterColumn, ops.CreateIndex]
    real = changes_module.DeepDiff
    monkeypatch.setattr(changes_module, "DeepDiff", without_indexes)
    assert [type(op) for op in diff_schemas(old, new)] == [ops.AlterColumn]


def test_comparators_look_only_at_the_entries_deepdiff_reported():
    old, new = tables(), edited(lambda t: t["book"].update(
        columns={}, primary_key=[], indexes={}, uniques={"u": {"columns": []}}, foreign_keys={}))
    table = ChangedTable("book", old["book"], new["book"])  # nothing reported
    assert [found(c, table) for c in TABLE_COMPARATORS] == [[]] * len(TABLE_COMPARATORS)


def test_no_change_does_not_import_deepdiff(monkeypatch):
    monkeypatch.setitem(sys.modules, "deepdiff", None)  # importing it now fails
    monkeypatch.delitem(sys.modules, "nextorm.migrations.changes")
    schema = {"format": 1, "tables": tables()}
    assert diff_schemas(schema, copy.deepcopy(schema)) == []
    with pytest.raises(ImportError):
        diff_schemas(schema, {"format": 1, "tables": {}})


# -- one comparator per kind of change --------------------------------------------------------


def test_foreign_keys_changed_are_dropped_then_added():
    table = changed_table(
        lambda t: t["book"]["foreign_keys"]["fk_book__author_id"].update(on_delete="SET NULL"))
    fk = tables()["book"]["foreign_keys"]["fk_book__author_id"]
    assert found(foreign_keys, table) == [
        ("drop_fks", ops.DropForeignKey("book", "fk_book__author_id", fk)),
        ("add_fks", ops.AddForeignKey("book", "fk_book__author_id",
                                      {**fk, "on_delete": "SET NULL"}))]


def test_a_new_unique_key_on_existing_columns_comes_early():
    def edit(t):
        t["book"]["uniques"]["unq_book__title"] = {"columns": ["title"]}
        t["book"]["columns"]["isbn"] = {"type": "str", "nullable": True}
        t["book"]["uniques"]["unq_book__isbn"] = {"columns": ["isbn"]}

    assert found(unique_keys, changed_table(edit)) == [
        ("add_uniques", ops.AddUnique("book", "unq_book__isbn", ("isbn",))),
        ("early_uniques", ops.AddUnique("book", "unq_book__title", ("title",)))]


def test_a_unique_key_removed_is_dropped():
    table = changed_table(lambda t: t["author"]["uniques"].clear(), "author")
    assert found(unique_keys, table) == [
        ("drop_uniques", ops.DropUnique("author", "unq_author__name", ("name",)))]


def test_an_index_changed_is_dropped_then_created_after_its_columns():
    table = changed_table(
        lambda t: t["book"]["indexes"]["idx_book__title"].update(columns=["title", "author_id"]))
    assert found(indexes, table) == [
        ("drop_indexes", ops.DropIndex("book", "idx_book__title", ("title",), False)),
        ("add_indexes", ops.CreateIndex("book", "idx_book__title", ("title", "author_id"), False))]


def test_a_new_index_on_existing_columns_comes_early():
    table = changed_table(lambda t: t["book"]["indexes"].update(
        idx_book__author_id={"columns": ["author_id"], "unique": False}))
    assert found(indexes, table) == [
        ("early_indexes", ops.CreateIndex("book", "idx_book__author_id", ("author_id",), False))]


def test_primary_key_changed():
    table = changed_table(lambda t: t["book"].update(primary_key=["id", "author_id"]))
    assert found(primary_key, table) == [
        ("alter_pks", ops.AlterPrimaryKey("book", ("id",), ("id", "author_id")))]


def test_columns_are_added_and_changed_in_the_model_order():
    def edit(t):
        cols = t["author"]["columns"]
        cols["bio"] = {"type": "str", "nullable": False}
        cols["born"] = {"type": "int", "nullable": False}  # was nullable: its NULLs need a value
        t["author"]["columns"] = {c: cols[c] for c in ("id", "bio", "name", "born")}

    columns = found(new_and_changed_columns, changed_table(edit, "author"),
                    ScriptedQuestioner({"backfill author.born": 1900}))
    born = tables()["author"]["columns"]["born"]
    assert columns == [
        ("add_columns", ops.AddColumn("author", "bio", {"type": "str", "nullable": False}, "")),
        ("alter_columns", ops.AlterColumn("author", "born", born,
                                      {"type": "int", "nullable": False}, 1900))]


def test_a_column_filled_by_a_callable_is_added_nullable_then_filled():
    col = {"type": "int", "nullable": False, "default": {"callable": "time.time"}}
    table = changed_table(lambda t: t["book"]["columns"].update(stamp=col))
    loose = {**col, "nullable": True}
    fill = ops.CallDefault("time.time", "time")
    assert found(new_and_changed_columns, table, ScriptedQuestioner({})) == [
        ("add_columns", ops.AddColumn("book", "stamp", loose)),
        ("alter_columns", ops.FillNulls("book", "stamp", fill, col)),
        ("alter_columns", ops.AlterColumn("book", "stamp", loose, col))]


def test_a_change_only_the_model_knows_gives_no_operation():
    table = changed_table(lambda t: t["book"]["columns"]["title"].update(default="untitled"))
    assert table.entries == {"columns": {"title"}}
    assert [found(c, table) for c in TABLE_COMPARATORS] == [[]] * len(TABLE_COMPARATORS)


def test_columns_removed_are_dropped_in_the_old_order():
    def edit(t):
        del t["book"]["columns"]["title"]
        del t["book"]["indexes"]["idx_book__title"]

    title = tables()["book"]["columns"]["title"]
    assert found(dropped_columns, changed_table(edit)) == [
        ("drop_columns", ops.DropColumn("book", "title", title))]


def test_tables_are_created_referenced_first_and_dropped_referencing_first():
    old, new = {}, tables()
    new = {"book": new["book"], "author": new["author"]}  # declared before the table it references
    created = created_tables(read_changes(old, new))
    assert [op.table for op in created if isinstance(op, ops.CreateTable)] == ["author", "book"]
    dropped = dropped_tables(read_changes(new, old))
    assert dropped == [ops.DropTable("book", new["book"]), ops.DropTable("author", new["author"])]
