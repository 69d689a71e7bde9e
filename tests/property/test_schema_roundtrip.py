"""Property: any entity set, once created, reads back from the database exactly as modelled.

``introspect(db) == physical(db.schema_dict())`` right after ``generate_mapping(create_tables=True)``
is the invariant the migration system rests on (``docs/schema-dict.md``).  The example-based
test in ``tests/dialects/test_invariant.py`` checks one rich entity set; here Hypothesis draws
random ones (see ``support/entity_specs.py``): every attribute kind and type, sizes, unique/index
options, references with every ``on_delete``, many-to-many pairs, composite keys, indexes and
primary keys, reserved and awkward identifiers.  A falsifying example prints as the Python
declarations that reproduce it.

Each example also checks that ``drop_all_tables(with_all_data=True)`` leaves nothing behind,
which the next example on the same database relies on.
"""

from __future__ import annotations

import os
import uuid
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, note, settings

from nextorm import Database, DeclarationError
from nextorm.mapping import resolve
from nextorm.schema.compare import physical
from nextorm.schema.introspect import introspect
from nextorm.schema.names import MAX_IDENTIFIER_LENGTH
from support.entity_specs import AttrSpec, EntitySetSpec, EntitySpec, entity_sets

#: ``NEXTORM_PROPERTY_EXAMPLES=500`` for a longer hunt; 25 keeps a run under ~10 s a server.
EXAMPLES = int(os.environ.get("NEXTORM_PROPERTY_EXAMPLES", "25"))

ROUNDTRIP = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)




def _too_long_names(spec: EntitySetSpec, entities: list[type]) -> list[str]:
    """Identifiers over 63 bytes, found from the mapping (not from the schema builder)."""
    names: list[str] = []
    maps = resolve(entities)
    pk_attrs = {emap.entity.__name__: emap.pk_attrs for emap in maps.values()}
    for emap in maps.values():
        names.append(emap.table)
        names += [c for cols in emap.columns.values() for c in cols]
        for rel in emap.relations.values():
            if rel.kind == "many_to_many":
                names += [rel.join_table, *rel.join_columns, *rel.join_target_columns]
    for entity in spec.entities:  # given index and key names (generated ones are shortened)
        names += [a.options["index"] for a in entity.attrs
                  if isinstance(a.options.get("index"), str)]
        names += [a.options["fk_name"] for a in entity.attrs if "fk_name" in a.options]
        # A key over exactly the primary key is not created, so its name does not matter.
        names += [name for kind, attrs, name in entity.composites
                  if name and (kind, list(attrs)) != ("key", pk_attrs[entity.cls_name])]
    return [n for n in names if len(n.encode()) > MAX_IDENTIFIER_LENGTH]


def _check_roundtrip(target: Any, spec: EntitySetSpec) -> None:
    note(spec.source())
    entities = spec.build()
    too_long = _too_long_names(spec, entities)
    db = Database(entities=entities)
    target.bind(db)
    left: list[str] = ["?"]  # unknown until drop_all_tables has run
    try:
        if too_long:
            note(f"names over {MAX_IDENTIFIER_LENGTH} bytes: {too_long}")
            event("refused: a name is too long")
            with pytest.raises(DeclarationError, match="bytes long"):
                db.generate_mapping(create_tables=True)
            return
        db.generate_mapping(create_tables=True)
        expected = physical(db.schema_dict())
        event(f"created {len(expected['tables'])} tables")
        actual = introspect(db)
        assert sorted(actual["tables"]) == sorted(expected["tables"])
        for name, table in expected["tables"].items():
            assert actual["tables"][name] == table, f"table {name!r} reads back differently"
        assert actual == expected
    finally:
        try:
            if db.is_mapped:
                db.drop_all_tables(with_all_data=True)
            left = db.table_names()
        finally:
            db.disconnect()
            if left or not db.is_mapped:
                target.drop_tables()
    assert left == [], f"drop_all_tables(with_all_data=True) left {left}"


def _one(*entities: EntitySpec) -> EntitySetSpec:
    return EntitySetSpec(list(entities))


# Falsifying examples this property found, kept so they run every time.
# A composite key over exactly the primary key (SQLite keeps no separate index for it).
@example(spec=_one(EntitySpec("E0", "order", [AttrSpec("user", "pk", uuid.UUID)],
                              [("key", ("user",), None)])))
# A Single to an entity whose primary key holds a Single (KeyError while mapping).
@example(spec=_one(EntitySpec("E0", "my col"),
                   EntitySpec("E1", "user", [AttrSpec("user", "single", "E2")]),
                   EntitySpec("E2", "order", [AttrSpec("user", "single", "E0"),
                                              AttrSpec("order", "req", int)],
                              [("primary_key", ("user", "order"), None)])))
# A reference cycle through a self-referencing table (SQLite could not drop it).
@example(spec=_one(EntitySpec("E0", "user", [AttrSpec("a", "single", "E1")]),
                   EntitySpec("E1", "column", [AttrSpec("b", "single", "E0", {"nullable": True}),
                                               AttrSpec("c", "single", "E1")])))
# Decimal(precision=1) defaulted to scale 2 (MariaDB refuses DECIMAL(1,2)).
@example(spec=_one(EntitySpec("E0", "user", [AttrSpec("to", "opt", Decimal,
                                                      {"precision": 1})])))
# A JSON column whose name holds a backtick (MariaDB's json_valid CHECK was misread).
@example(spec=_one(EntitySpec("E0", "my col", [AttrSpec("back`tick", "req", dict)])))
# Defaults PostgreSQL and MariaDB spell their own way: "+ 7", 1000.
@example(spec=_one(EntitySpec("E0", "user", [
    AttrSpec("a", "req", int, {"sql_default": "+7"}),
    AttrSpec("b", "req", float, {"sql_default": "1e3"}),
    AttrSpec("c", "opt", float, {"sql_default": "2.5E-7"})])))
# Names over 63 bytes: PostgreSQL truncated them silently, MariaDB failed mid-create.
@pytest.mark.slow
@example(spec=_one(EntitySpec("E0", "t", [AttrSpec("a" * 64, "req", int)])))
@example(spec=_one(EntitySpec("E0", "é" * 32, [AttrSpec("a", "req", int)])))
@ROUNDTRIP
@given(spec=entity_sets())
def test_created_tables_read_back_as_modelled(target, spec):
    _check_roundtrip(target, spec)
