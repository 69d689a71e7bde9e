"""Plan the operations that create a whole schema, in foreign-key dependency order.

Used by ``generate_mapping(create_tables=True)`` and by the diff for new tables, so a fresh
database built either way is the same.  Tables are created after the tables they reference; a
reference cycle is broken by creating one table without that foreign key and adding it with
``AddForeignKey`` once both tables exist.
"""

from __future__ import annotations

from typing import Any

from .operations import AddForeignKey, CreateIndex, CreateTable, Operation


def creation_order(tables: dict[str, Any]) -> tuple[list[str], set[tuple[str, str]]]:
    """Return table names in creation order and the (table, fk name) pairs to defer."""
    ordered: list[str] = []
    deferred: set[tuple[str, str]] = set()
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in ordered:
            return
        visiting.add(name)
        for fk_name, fk in sorted(tables[name]["foreign_keys"].items()):
            ref = fk["ref_table"]
            if ref == name or ref not in tables:
                continue  # self-reference (inline is fine) or a table that already exists
            if ref in visiting:
                deferred.add((name, fk_name))
                continue
            visit(ref)
        visiting.discard(name)
        ordered.append(name)

    for name in tables:
        visit(name)
    return ordered, deferred


def create_operations(tables: dict[str, Any]) -> list[Operation]:
    """Return CreateTable, CreateIndex and deferred AddForeignKey operations for ``tables``."""
    ordered, deferred = creation_order(tables)
    ops: list[Operation] = []
    later: list[Operation] = []
    for name in ordered:
        table = tables[name]
        skip = tuple(sorted(fk for t, fk in deferred if t == name))
        ops.append(CreateTable(name, table, skip))
        for index_name, index in table["indexes"].items():
            ops.append(CreateIndex(name, index_name, tuple(index["columns"]), index["unique"]))
        later += [AddForeignKey(name, fk, table["foreign_keys"][fk]) for fk in skip]
    return ops + later
