"""Hypothesis strategies for random schema dicts, and a questioner that never asks back.

``schemas()`` draws up to four tables of up to four columns, with indexes, uniques and foreign
keys (each indexed, as the model does); ``tests/unit/test_diff.py`` diffs two drawn schemas and
replays the operations, ``tests/dialects/test_operations.py`` runs them on a real database.
"""

from __future__ import annotations

from hypothesis import strategies as st

from nextorm.migrations.questioner import Questioner
from nextorm.schema.model import _index_foreign_keys

COLUMN = st.one_of(
    st.fixed_dictionaries({"type": st.sampled_from(["int", "float", "bool"]),
                           "nullable": st.booleans()}),
    st.fixed_dictionaries({"type": st.just("str"), "nullable": st.booleans()},
                          optional={"max_len": st.sampled_from([20, 255])}),
)


class SayNo(Questioner):
    """Never a rename; existing rows get 0."""

    def ask_rename_table(self, old, new):
        return False

    def ask_rename_column(self, table, old, new):
        return False

    def ask_backfill(self, table, column, col, why):
        return 0


@st.composite
def schemas(draw):
    tables = {}
    for name in draw(st.sets(st.sampled_from(["a", "b", "c", "d"]), max_size=4)):
        columns = {"id": {"type": "int", "nullable": False, "auto": True}}
        for col in draw(st.sets(st.sampled_from(["x", "y", "z", "w"]), max_size=4)):
            columns[col] = draw(COLUMN)
        if "x" in columns:  # x may become a reference: keep it a nullable int
            columns["x"] = {"type": "int", "nullable": True}
        plain = [c for c in columns if c != "id"]
        indexed = draw(st.lists(st.sampled_from(plain), max_size=2, unique=True)) if plain else []
        unique = draw(st.lists(st.sampled_from(plain), max_size=1)) if plain else []
        tables[name] = {
            "columns": columns, "primary_key": ["id"],
            "indexes": {f"idx_{name}__{c}": {"columns": [c], "unique": False} for c in indexed},
            "uniques": {f"unq_{name}__{c}": {"columns": [c]} for c in unique},
            "foreign_keys": {},
        }
    names = sorted(tables)
    for name in names:
        refs = [n for n in names if n < name]
        if refs and "x" in tables[name]["columns"] and draw(st.booleans()):
            ref = draw(st.sampled_from(refs))
            tables[name]["columns"]["x"] = {"type": "int", "nullable": True}
            tables[name]["foreign_keys"][f"fk_{name}__x"] = {
                "columns": ["x"], "ref_table": ref, "ref_columns": ["id"],
                "on_delete": draw(st.sampled_from(["CASCADE", "SET NULL"]))}
        _index_foreign_keys(name, tables[name])  # as the model does: every key is indexed
    return {"format": 1, "tables": tables}
