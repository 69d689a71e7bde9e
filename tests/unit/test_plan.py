"""New tables are created after the tables they reference; cycles defer one foreign key."""

from nextorm.schema.operations import AddForeignKey, CreateTable
from nextorm.schema.plan import create_operations, creation_order


def table(*fks):
    return {
        "columns": {"id": {"type": "int", "nullable": False}},
        "primary_key": ["id"],
        "indexes": {},
        "uniques": {},
        "foreign_keys": {
            f"fk_{ref}": {"columns": ["id"], "ref_table": ref, "ref_columns": ["id"],
                          "on_delete": "CASCADE"}
            for ref in fks
        },
    }


def test_referenced_tables_come_first():
    order, deferred = creation_order({"post": table("user"), "user": table(), "c": table("post")})
    assert order.index("user") < order.index("post") < order.index("c")
    assert deferred == set()


def test_self_reference_is_created_inline():
    order, deferred = creation_order({"node": table("node")})
    assert order == ["node"] and deferred == set()


def test_cycle_is_broken_by_a_later_foreign_key():
    ops = create_operations({"a": table("b"), "b": table("a")})
    creates = [op for op in ops if isinstance(op, CreateTable)]
    adds = [op for op in ops if isinstance(op, AddForeignKey)]
    assert [op.table for op in creates] == ["b", "a"]
    assert len(adds) == 1 and ops[-1] is adds[0]
    assert adds[0].name in creates[0].skip_foreign_keys
