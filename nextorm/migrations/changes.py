"""Read DeepDiff's tree of two schemas as the named entries that changed in each table.

DeepDiff (tree view) reports each difference as a path into the schema dict with what was there
before and after: ``root['tables']['post']['columns']['slug']['max_len']`` changed,
``root['tables']['tag']`` added, ``root['tables']['post']['primary_key'][1]`` added.  The
comparators work on named entries, so each report item is cut back to the entry it belongs to:

- ``root['tables'][T]`` added or removed: a table;
- ``root['tables'][T][S][K]...`` where ``S`` is keyed by name (columns, indexes, uniques,
  foreign keys): the entry ``K`` of section ``S``;
- ``root['tables'][T][S]...`` for any other section (the primary key, a list): ``S`` itself.

An item above its entry (DeepDiff reports a whole dict when its type changed) covers every key
of both sides below it.  Only the tables that differ are given to DeepDiff: a dict comparison
finds them at C speed, and DeepDiff then walks those alone.  This module imports DeepDiff
(70 ms): the diff imports it only once it knows that something differs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from deepdiff import DeepDiff
from deepdiff.helper import notpresent

#: Table sections keyed by name: their entries sit one level below the section.
KEYED_SECTIONS = frozenset(("columns", "indexes", "uniques", "foreign_keys"))


class ChangedTable:
    """A table on both sides, with the entries DeepDiff reported added, removed or changed.

    ``before`` is the working copy the renames edit, so what the comparators read is the
    table as it is when they run.  (A plain class: a dataclass costs its import time.)
    """

    __slots__ = ("name", "before", "after", "entries", "items")

    def __init__(self, name: str, before: dict[str, Any], after: dict[str, Any],
                 entries: dict[str, set[str]] | None = None, items: list[Any] | None = None):
        self.name = name
        self.before = before
        self.after = after
        #: section → names of its reported entries (an unkeyed section lists its own name)
        self.entries: dict[str, set[str]] = {} if entries is None else entries
        #: DeepDiff's report items (``DiffLevel``) that fall in this table, in report order
        self.items: list[Any] = [] if items is None else items

    def __repr__(self) -> str:
        return f"ChangedTable({self.name!r}, entries={self.entries!r})"

    def reported(self, section: str) -> set[str]:
        """Return the names of the reported entries of ``section``."""
        return self.entries.get(section, set())

    def changed(self, section: str) -> list[tuple[str, Any, Any]]:
        """Return ``(name, before, after)`` of each reported entry that differs, by name.

        A side without the entry gives None.  Both sides are read now: a column rename made
        after DeepDiff ran may have made an index or key equal again.
        """
        old, new = self.before[section], self.after[section]
        return [(key, old.get(key), new.get(key)) for key in sorted(self.reported(section))
                if old.get(key) != new.get(key)]

    def _note(self, section: str, key: str, item: Any) -> None:
        self.entries.setdefault(section, set()).add(key)
        if not self.items or self.items[-1] is not item:
            self.items.append(item)


class SchemaChanges:
    """DeepDiff's report on two schemas' tables: tables added, removed and changed."""

    __slots__ = ("old", "new", "added", "removed", "tables")

    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old = old
        self.new = new
        self.added: set[str] = set()
        self.removed: set[str] = set()
        self.tables: dict[str, ChangedTable] = {}

    def __repr__(self) -> str:
        return (f"SchemaChanges(added={self.added!r}, removed={self.removed!r}, "
                f"tables={sorted(self.tables)!r})")

    def changed_tables(self) -> list[ChangedTable]:
        """Return the tables on both sides with a reported change, by name."""
        return [self.tables[name] for name in sorted(self.tables)]

    def _note(self, entry: tuple[Any, ...], item: Any) -> None:
        name = entry[1]
        if name not in self.new:
            self.removed.add(name)
        elif name not in self.old:
            self.added.add(name)
        else:
            table = self.tables.get(name)
            if table is None:
                table = self.tables[name] = ChangedTable(name, self.old[name], self.new[name])
            table._note(entry[2], entry[-1], item)


def read_changes(old: dict[str, Any], new: dict[str, Any]) -> SchemaChanges:
    """Run DeepDiff (tree view) on the tables of ``old`` and ``new`` that differ; file its items.

    ``threshold_to_diff_deeper=0`` keeps DeepDiff reporting key by key even when two dicts
    share few keys; ``ignore_private_variables=False`` keeps it from skipping keys that start
    with ``__``, which it does for dict keys too.
    """
    differing = sorted(n for n in old.keys() | new.keys() if old.get(n) != new.get(n))
    tree = DeepDiff({"tables": {n: _unequal_part(old[n], new[n]) if n in new else old[n]
                                for n in differing if n in old}},
                    {"tables": {n: _unequal_part(new[n], old[n]) if n in old else new[n]
                                for n in differing if n in new}},
                    view="tree", threshold_to_diff_deeper=0, ignore_private_variables=False)
    changes = SchemaChanges(old, new)
    for items in tree.values():
        for item in items:
            for entry in _entries(tuple(item.path(output_format="list")), item.t1, item.t2):
                changes._note(entry, item)
    return changes


def _unequal_part(table: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Return ``table`` without what ``other`` holds equal, in ``table``'s own order.

    DeepDiff reports only what differs, so leaving out the keys both sides hold equal, and the
    equal entries of the keyed sections, gives the same report items (same paths, same values)
    while DeepDiff walks the changed entries alone: a one-column change no longer walks every
    other column of the table key by key.
    """
    part: dict[str, Any] = {}
    for key, value in table.items():
        there = other.get(key, notpresent)
        if key in KEYED_SECTIONS and isinstance(value, dict) and isinstance(there, dict):
            part[key] = {k: v for k, v in value.items() if there.get(k, notpresent) != v}
        elif there != value:
            part[key] = value
    return part


def _entries(path: tuple[Any, ...], before: Any, after: Any) -> Iterator[tuple[Any, ...]]:
    """Yield the path of each entry the report item at ``path`` covers.

    ``before`` and ``after`` are what the item holds on each side (``notpresent`` if absent).
    """
    keyed = len(path) >= 3 and path[2] in KEYED_SECTIONS
    depth = 4 if keyed else 3 if len(path) >= 3 else 2
    if len(path) >= depth and (depth > 2 or before is notpresent or after is notpresent):
        yield path[:depth]
        return
    for key in _keys(before) | _keys(after):  # a whole level at once: each key below it
        yield from _entries((*path, key), _get(before, key), _get(after, key))


def _keys(value: Any) -> set[Any]:
    return set(value) if isinstance(value, dict) else set()


def _get(value: Any, key: Any) -> Any:
    return value.get(key, notpresent) if isinstance(value, dict) else notpresent
