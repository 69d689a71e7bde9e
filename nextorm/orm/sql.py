"""The SQL of rows by key: row writes, key reads, join-table links (queries: ``querysql.py``).

Identifiers arrive quoted (``layout.py`` quotes them with the dialect) or are quoted here;
values always travel as ``?`` parameters, which ``Database`` adapts to the driver.  The
statements of one entity are built once per database and kept in its ``EntityStatements``.

What differs per server (the "no limit" LIMIT, NULL ordering, LIKE as GLOB, RETURNING, an
INSERT of defaults only) is asked of the dialect, never decided here by the server's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..dialects.base import Dialect
    from ..mapping import Relation
    from .layout import AttrInfo


#: The attributes an UPDATE compares with the values the session read: ``(name, was NULL)``.
Checks = tuple[tuple[str, bool], ...]


class EntityStatements:
    """The statements that write and read one entity's rows on one database, by key."""

    def __init__(self, dialect: Dialect, table: str, attrs: dict[str, AttrInfo],
                 pk_attrs: list[str], auto_pk: str | None) -> None:
        self._dialect = dialect
        self._table = table
        self._attrs = attrs
        self._auto_pk = auto_pk
        #: The quoted key columns, in the order of ``rows.key_params``.
        self.key_quoted = [q for name in pk_attrs for q in attrs[name].quoted]
        self.key_where = " AND ".join(f"{q} = ?" for q in self.key_quoted)
        self.all_columns = ", ".join(f"t0.{q}" for a in attrs.values() for q in a.quoted)
        self.delete = f"DELETE FROM {table} WHERE {self.key_where}"
        key_where_t0 = " AND ".join(f"t0.{q} = ?" for q in self.key_quoted)
        self.select_by_key = f"SELECT {self.all_columns} FROM {table} t0 WHERE {key_where_t0}"
        self._inserts: dict[tuple[str, ...], str] = {}  # by the attributes left out
        self._multi_inserts: dict[tuple[tuple[str, ...], int], str] = {}  # and the row count
        self._updates: dict[tuple[tuple[str, ...], Checks], str] = {}

    def _columns(self, names: tuple[str, ...] | list[str]) -> list[str]:
        return [q for name in names for q in self._attrs[name].quoted]

    def insert_without(self, server_filled: tuple[str, ...]) -> str:
        """The INSERT of every attribute but ``server_filled`` (left to the server's DEFAULT).

        It returns the auto key where the server can.
        """
        sql = self._inserts.get(server_filled)
        if sql is None:
            cols = self._columns([name for name in self._attrs if name not in server_filled])
            if cols:
                marks = ", ".join("?" * len(cols))
                sql = f"INSERT INTO {self._table} ({', '.join(cols)}) VALUES ({marks})"
            else:
                sql = self._dialect.insert_defaults_sql(self._table)
            if self._auto_pk and self._dialect.insert_returns_key:
                sql += f" RETURNING {self._attrs[self._auto_pk].quoted[0]}"
            self._inserts[server_filled] = sql
        return sql

    def insert_rows(self, server_filled: tuple[str, ...], rows: int) -> str:
        """The INSERT of ``rows`` rows of every attribute but ``server_filled``, returning
        nothing (the batched flush, ``batch.py``, learns the keys its own way)."""
        sql = self._multi_inserts.get((server_filled, rows))
        if sql is None:
            cols = self._columns([name for name in self._attrs if name not in server_filled])
            row = f"({', '.join('?' * len(cols))})"
            sql = (f"INSERT INTO {self._table} ({', '.join(cols)}) VALUES "
                   + ", ".join([row] * rows))
            self._multi_inserts[(server_filled, rows)] = sql
        return sql

    def update(self, names: tuple[str, ...], checks: Checks = ()) -> str:
        """The UPDATE of the given attributes of one row (parameters: values, key, then the
        values ``checks`` compares: the optimistic check, ``batch.py``)."""
        sql = self._updates.get((names, checks))
        if sql is None:
            sets = ", ".join(f"{q} = ?" for q in self._columns(names))
            where = self.key_where + "".join(
                f" AND {q} IS NULL" if is_null else f" AND {q} = ?"
                for name, is_null in checks for q in self._attrs[name].quoted)
            sql = self._updates[(names, checks)] = (
                f"UPDATE {self._table} SET {sets} WHERE {where}")
        return sql

    def select_columns(self, names: list[str]) -> str:
        """Read the given attributes of one row."""
        return (f"SELECT {', '.join(self._columns(names))} FROM {self._table} "
                f"WHERE {self.key_where}")


# -- many-to-many links --------------------------------------------------------------------


def link_insert(dialect: Dialect, rel: Relation) -> str:
    """Insert a join-table row unless it exists (parameters: the row's values, twice)."""
    q = dialect.quote
    cols = rel.join_columns + rel.join_target_columns
    table = q(_join_table(rel))
    marks = ", ".join("?" * len(cols))
    return (f"INSERT INTO {table} ({', '.join(q(c) for c in cols)}) SELECT {marks} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {_link_match(dialect, rel)})")


def link_delete(dialect: Dialect, rel: Relation) -> str:
    """Delete a join-table row (parameters: the owner's key, then the target's)."""
    return f"DELETE FROM {dialect.quote(_join_table(rel))} WHERE {_link_match(dialect, rel)}"


def _link_match(dialect: Dialect, rel: Relation) -> str:
    q = dialect.quote
    return " AND ".join(f"{q(c)} = ?" for c in rel.join_columns + rel.join_target_columns)


def _join_table(rel: Relation) -> str:
    if rel.join_table is None:
        raise ValueError(f"{rel.attr!r} is not a many-to-many relation")
    return rel.join_table
