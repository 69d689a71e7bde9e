"""SQLite keeps constraint names and AUTOINCREMENT only in the CREATE TABLE text.

The reader tokenizes that text (quoted identifiers, string literals, comments) to recover
them, and gives an unnamed constraint the deterministic name the model would give it.
"""

from __future__ import annotations

from nextorm import Database
from nextorm.dialects.sqlite.introspect import table_items
from nextorm.schema.introspect import introspect

HAND_WRITTEN = """CREATE TABLE "t" (-- a comment, with a comma
  "a,b" INTEGER PRIMARY KEY AUTOINCREMENT, [x] TEXT DEFAULT 'a,(b', `y` INT,
  CONSTRAINT "u ""1" UNIQUE ("x" COLLATE NOCASE, y DESC),
  CONSTRAINT fk1 FOREIGN KEY (y) REFERENCES other (id) ON DELETE CASCADE,
  CHECK (y > 0), UNIQUE(y))"""


def test_items_of_a_create_table_statement():
    items = table_items(HAND_WRITTEN)
    assert [(i.kind, i.name, i.column or i.columns) for i in items] == [
        ("COLUMN", None, "a,b"), ("COLUMN", None, "x"), ("COLUMN", None, "y"),
        ("UNIQUE", 'u "1', ["x", "y"]), ("FOREIGN", "fk1", ["y"]),
        ("CHECK", None, ["y", "0"]), ("UNIQUE", None, ["y"]),
    ]
    assert [i.autoincrement for i in items[:3]] == [True, False, False]


def test_named_and_unnamed_constraints_of_a_hand_made_table(tmp_path):
    db = Database(entities=[])
    db.bind("sqlite", str(tmp_path / "hand.db"))
    try:
        db._execute_dml('CREATE TABLE "other" ("id" INTEGER PRIMARY KEY)')
        db._execute_dml(HAND_WRITTEN)
        db._execute_dml('CREATE TABLE "n" ("id" INTEGER NOT NULL PRIMARY KEY, '
                        '"o" INTEGER REFERENCES "other" ON DELETE SET NULL)')
        tables = introspect(db)["tables"]
    finally:
        db.disconnect()
    t = tables["t"]
    assert t["columns"]["a,b"] == {"type": "int", "nullable": False, "auto": True}
    assert t["columns"]["x"] == {"type": "str", "nullable": True, "sql_default": "'a,(b'"}
    assert t["uniques"] == {'u "1': {"columns": ["x", "y"]}, "unq_t__y": {"columns": ["y"]}}
    assert t["foreign_keys"] == {"fk1": {"columns": ["y"], "ref_table": "other",
                                         "ref_columns": ["id"], "on_delete": "CASCADE"}}
    # No CONSTRAINT name and no referenced column: the model's name, the target's key.
    assert tables["n"]["foreign_keys"] == {"fk_n__o": {"columns": ["o"], "ref_table": "other",
                                                       "ref_columns": ["id"],
                                                       "on_delete": "SET NULL"}}
    assert "auto" not in tables["n"]["columns"]["id"]
