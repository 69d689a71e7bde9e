"""``nextorm graph``: the tables and their relations as a picture.

It draws a schema dict (``docs/schema-dict.md``): the snapshot by default (what the migrations
produce, no connection), or a live database's (``--live``).  Two formats:

- ``mermaid``: a Mermaid ``erDiagram``, which GitHub, GitLab and mkdocs-material render inside
  a Markdown ```` ```mermaid ```` block;
- ``dot``: Graphviz (``dot -Tsvg schema.dot -o schema.svg``), one table per node.

Each foreign key is one relation from the referenced table to the table holding it, with its
cardinality: the referenced side is exactly one (``||``, ``1``) when the key's columns are NOT
NULL and zero or one (``|o``, ``0..1``) when they may be NULL; the holding side is zero or
many (``o{``, ``0..*``), or zero or one (``o|``, ``0..1``) when the key's columns are also a
unique key or the primary key (a one-to-one).  A many-to-many ``Set`` pair is its join table
with two such relations.
"""

from __future__ import annotations

import re
from typing import Any

from ..records import Record

FORMATS = ("mermaid", "dot")


class Relation(Record):
    """One foreign key, seen as a relation between two tables.

    (Not a dataclass: the CLI imports this module for ``FORMATS`` on every command.)
    """

    __slots__ = ("parent", "child", "columns", "optional", "one_to_one")

    def __init__(self, parent: str, child: str, columns: tuple[str, ...], optional: bool,
                 one_to_one: bool) -> None:
        self.parent = parent  # the referenced table
        self.child = child  # the table holding the key
        self.columns = columns
        self.optional = optional  # the key's columns may be NULL: zero or one parent
        self.one_to_one = one_to_one  # the key's columns are unique: zero or one child

    @property
    def parent_mark(self) -> str:
        return "0..1" if self.optional else "1"

    @property
    def child_mark(self) -> str:
        return "0..1" if self.one_to_one else "0..*"

    @property
    def label(self) -> str:
        return ", ".join(self.columns)


def relations(tables: dict[str, Any]) -> list[Relation]:
    """Every foreign key of ``tables`` as a Relation, in table then key name order."""
    found = []
    for name in sorted(tables):
        table = tables[name]
        unique_sets = [set(u["columns"]) for u in table["uniques"].values()]
        unique_sets += [set(i["columns"]) for i in table["indexes"].values() if i.get("unique")]
        unique_sets.append(set(table["primary_key"]))
        for key_name in sorted(table["foreign_keys"]):
            key = table["foreign_keys"][key_name]
            columns = tuple(key["columns"])
            optional = any(table["columns"].get(c, {}).get("nullable", True) for c in columns)
            found.append(Relation(key["ref_table"], name, columns, optional,
                                  set(columns) in unique_sets))
    return found


def column_keys(table: dict[str, Any], column: str) -> list[str]:
    """``PK``, ``FK``, ``UK`` markers of one column."""
    keys = []
    if column in table["primary_key"]:
        keys.append("PK")
    if any(column in k["columns"] for k in table["foreign_keys"].values()):
        keys.append("FK")
    if any(u["columns"] == [column] for u in table["uniques"].values()) or any(
            i.get("unique") and i["columns"] == [column] for i in table["indexes"].values()):
        keys.append("UK")
    return keys


def column_type(column: dict[str, Any]) -> str:
    """The logical type with its size: ``str(200)``, ``decimal(10,2)``, ``int``."""
    kind = str(column.get("type", "?"))
    if kind == "str" and column.get("max_len"):
        return f"str({column['max_len']})"
    if kind == "decimal" and column.get("precision"):
        return f"decimal({column['precision']},{column.get('scale', 0)})"
    return kind


def ordered_columns(table: dict[str, Any]) -> list[str]:
    """The primary key's columns first, then the others as the schema dict lists them."""
    primary = [c for c in table["primary_key"] if c in table["columns"]]
    return primary + [c for c in table["columns"] if c not in primary]


# -- Mermaid -----------------------------------------------------------------------------------


def _mermaid_name(name: str) -> str:
    """An entity name Mermaid accepts (letters, digits, ``_``, ``-``)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def mermaid(tables: dict[str, Any]) -> str:
    """A Mermaid ``erDiagram`` of ``tables`` (without the Markdown fence)."""
    lines = ["erDiagram"]
    for name in sorted(tables):
        table = tables[name]
        lines.append(f"    {_mermaid_name(name)} {{")
        for column in ordered_columns(table):
            definition = table["columns"][column]
            keys = ", ".join(column_keys(table, column))
            note = ' "nullable"' if definition.get("nullable") else ""
            text = f"{column_type(definition)} {_mermaid_name(column)}"
            lines.append(f"        {text}{' ' + keys if keys else ''}{note}")
        lines.append("    }")
    for rel in relations(tables):
        left = "|o" if rel.optional else "||"
        right = "o|" if rel.one_to_one else "o{"
        lines.append(f"    {_mermaid_name(rel.parent)} {left}--{right} "
                     f"{_mermaid_name(rel.child)} : \"{rel.label}\"")
    return "\n".join(lines) + "\n"


def markdown(diagram: str) -> str:
    """A Mermaid diagram inside the Markdown block that renders it."""
    return f"```mermaid\n{diagram}```\n"


# -- Graphviz ----------------------------------------------------------------------------------


def _dot_id(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(tables: dict[str, Any]) -> str:
    """A Graphviz digraph of ``tables``: one HTML-table node per table, an edge per key."""
    from html import escape  # here: cli.py imports this module, and every command pays for it
    lines = ["digraph schema {", "    graph [rankdir=LR];",
             '    node [shape=plain, fontname="Helvetica"];',
             '    edge [fontname="Helvetica", fontsize=10, dir=both];']
    for name in sorted(tables):
        table = tables[name]
        rows = [f'<tr><td bgcolor="lightgrey"><b>{escape(name)}</b></td></tr>']
        for column in ordered_columns(table):
            definition = table["columns"][column]
            keys = " ".join(column_keys(table, column))
            null = "?" if definition.get("nullable") else ""
            text = f"{escape(column)}: {escape(column_type(definition))}{null}"
            rows.append(f'<tr><td port={_dot_id(column)} align="left">'
                        f"{text}{' ' + keys if keys else ''}</td></tr>")
        body = "".join(rows)
        lines.append(f'    {_dot_id(name)} [label=<<table border="0" cellborder="1" '
                     f'cellspacing="0">{body}</table>>];')
    for rel in relations(tables):
        head = "teeodot" if rel.optional else "teetee"
        tail = "teeodot" if rel.one_to_one else "crowodot"
        lines.append(f"    {_dot_id(rel.child)}:{_dot_id(rel.columns[0])} -> "
                     f"{_dot_id(rel.parent)} [arrowhead={head}, arrowtail={tail}, "
                     f"headlabel={_dot_id(rel.parent_mark)}, "
                     f"taillabel={_dot_id(rel.child_mark)}, label={_dot_id(rel.label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(tables: dict[str, Any], fmt: str, markdown_file: bool = False) -> str:
    """The diagram of ``tables`` in ``fmt`` (one of ``FORMATS``); Mermaid for a Markdown file
    comes inside its ```` ```mermaid ```` block."""
    if fmt == "dot":
        return dot(tables)
    return markdown(mermaid(tables)) if markdown_file else mermaid(tables)
