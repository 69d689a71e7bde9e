"""Property: every many-to-many relation gets a join table of its own, or a clear error.

Join tables are named ``<table>_<table>`` unless ``Set(table=...)`` says otherwise, so two
relations between the same entities, or an entity whose table is called ``a_b``, can land on the
same name.  Sharing would mix the rows of two relations (or write ``a_id``/``b_id`` into an
entity's table), so the schema builder must refuse it with a DeclarationError; otherwise each
relation's join table holds exactly its two sides' columns.  No database is needed.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from nextorm import Database, DeclarationError
from nextorm.mapping import resolve
from support.entity_specs import AttrSpec, EntitySetSpec, EntitySpec

#: Table names chosen to collide with the default join table names.
TABLES = ["a", "b", "a_b", "a_a", "b_b", "link"]


@st.composite
def linked_sets(draw: Any) -> EntitySetSpec:
    tables = draw(st.lists(st.sampled_from(TABLES), min_size=1, max_size=3, unique=True))
    specs = [EntitySpec(f"E{i}", t) for i, t in enumerate(tables)]
    for n in range(draw(st.integers(1, 3))):
        a = draw(st.integers(0, len(specs) - 1))
        b = draw(st.integers(0, len(specs) - 1))
        own, other = f"s{n}", f"r{n}"
        options: dict[str, Any] = {"reverse": other}
        table = draw(st.sampled_from([None, None, "link", "a_b", f"j{n}"]))
        if table is not None:
            options["table"] = table
        specs[a].attrs.append(AttrSpec(own, "set", specs[b].cls_name, options))
        specs[b].attrs.append(AttrSpec(other, "set", specs[a].cls_name, {"reverse": own}))
    return EntitySetSpec(specs)


def _collisions(entities: list[type]) -> list[str]:
    """Join tables that are an entity's table or serve two different relation pairs."""
    maps = resolve(entities)
    entity_tables = {m.table for m in maps.values()}
    pairs: dict[str, set[frozenset[int]]] = {}
    for emap in maps.values():
        for rel in emap.relations.values():
            if rel.kind == "many_to_many":
                pairs.setdefault(rel.join_table, set()).add(frozenset({id(rel.attr),
                                                                       id(rel.reverse)}))
    return sorted(t for t, p in pairs.items() if t in entity_tables or len(p) > 1)


@settings(max_examples=300, deadline=None)
@given(spec=linked_sets())
def test_each_relation_has_a_join_table_of_its_own(spec):
    note(spec.source())
    entities = spec.build()
    collisions = _collisions(entities)
    db = Database(entities=entities)
    if collisions:
        note(f"colliding join tables: {collisions}")
        with pytest.raises(DeclarationError, match="join table"):
            db.generate_mapping()
        return
    db.generate_mapping()
    tables = db.schema_dict()["tables"]
    entity_tables = {m.table for m in db.mapping.values()}
    for emap in db.mapping.values():
        for rel in emap.relations.values():
            if rel.kind != "many_to_many":
                continue
            assert rel.join_table not in entity_tables
            join = tables[rel.join_table]
            assert set(join["columns"]) == set(rel.join_columns + rel.join_target_columns)
            refs = {fk["ref_table"] for fk in join["foreign_keys"].values()}
            assert refs == {emap.table, db.mapping[rel.target].table}
