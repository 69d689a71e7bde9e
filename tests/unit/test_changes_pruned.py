"""DeepDiff walks only what differs: ``read_changes`` leaves out the keys and the named entries
both sides of a table hold equal, and its report is the one DeepDiff gives on the whole tables.
"""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest
from deepdiff import DeepDiff

from nextorm.migrations import changes as changes_module
from nextorm.migrations.changes import read_changes

OPTIONS = {"view": "tree", "threshold_to_diff_deeper": 0, "ignore_private_variables": False}


def schema() -> dict[str, Any]:
    """Three tables of four columns, each with an index, a unique key and a foreign key."""
    tables = {}
    for n in range(3):
        tables[f"t{n}"] = {
            "columns": {"id": {"type": "int", "nullable": False, "auto": True},
                        **{f"c{c}": {"type": "str", "max_len": 10 * c, "nullable": c % 2 == 0}
                           for c in range(1, 4)}},
            "primary_key": ["id"],
            "indexes": {f"idx_t{n}__c1": {"columns": ["c1"], "unique": False}},
            "uniques": {f"unq_t{n}__c2": {"columns": ["c2"]}},
            "foreign_keys": {f"fk_t{n}__c3": {"columns": ["c3"], "ref_table": "t0",
                                              "ref_columns": ["id"], "on_delete": "CASCADE"}},
        }
    return tables


def edit(tables: dict[str, Any], rnd: random.Random) -> None:
    """A few random changes: attributes, entries added and dropped, sections replaced, tables
    added and dropped, a section changing type."""
    for _ in range(rnd.randint(1, 4)):
        name = rnd.choice(sorted(tables))
        table = tables[name]
        columns = table["columns"]
        choice = rnd.randrange(10)
        if choice == 0 and columns:
            column = columns[rnd.choice(sorted(columns))]
            column["nullable"] = not column.get("nullable", False)
        elif choice == 1 and columns:
            del columns[rnd.choice(sorted(columns))]
        elif choice == 2:
            columns[f"new{rnd.randrange(3)}"] = {"type": "int", "nullable": True}
        elif choice == 3:
            table["primary_key"] = [*table["primary_key"], "c1"]
        elif choice == 4 and isinstance(table["indexes"], dict):
            table["indexes"]["idx_x"] = {"columns": ["c1", "c2"][:rnd.randint(1, 2)]}
        elif choice == 5:
            table["uniques"] = {}
        elif choice == 6:
            tables[f"{name}_copy"] = copy.deepcopy(table)
        elif choice == 7 and len(tables) > 1:
            del tables[name]
        elif choice == 8:
            table["columns"] = {}
        elif choice == 9:
            table["indexes"] = []


def report(tree: Any) -> list[tuple[str, str, str, str]]:
    return sorted((kind, item.path(), repr(item.t1), repr(item.t2))
                  for kind, items in tree.items() for item in items)


@pytest.mark.parametrize("seed", range(300))
def test_the_report_is_deepdiffs_on_the_whole_tables(seed, monkeypatch):
    rnd = random.Random(seed)
    old, new = schema(), schema()
    edit(new, rnd)
    if rnd.random() < 0.5:
        edit(old, rnd)
    seen: list[Any] = []

    def spy(before: Any, after: Any, **options: Any) -> Any:
        seen.append(DeepDiff(before, after, **options))
        return seen[-1]

    monkeypatch.setattr(changes_module, "DeepDiff", spy)
    read_changes(old, new)
    differing = sorted(n for n in old.keys() | new.keys() if old.get(n) != new.get(n))
    whole = DeepDiff({"tables": {n: old[n] for n in differing if n in old}},
                     {"tables": {n: new[n] for n in differing if n in new}}, **OPTIONS)
    assert report(seen[0]) == report(whole)


def test_deepdiff_sees_only_the_changed_column(monkeypatch):
    old, new = schema(), schema()
    new["t1"]["columns"]["c2"]["max_len"] = 99
    seen: list[Any] = []

    def spy(before: Any, after: Any, **options: Any) -> Any:
        seen.append((before, after))
        return DeepDiff(before, after, **options)

    monkeypatch.setattr(changes_module, "DeepDiff", spy)
    table = read_changes(old, new).tables["t1"]
    assert seen[0][0] == {"tables": {"t1": {"columns": {"c2": old["t1"]["columns"]["c2"]},
                                            "indexes": {}, "uniques": {}, "foreign_keys": {}}}}
    assert table.entries == {"columns": {"c2"}}
    assert table.before is old["t1"] and table.after is new["t1"]

