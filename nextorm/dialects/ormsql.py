"""What the ORM's query SQL asks of a server (``orm/querysql.py``, ``orm/batch.py``).

``Dialect`` inherits ``OrmSql``; each server overrides what it does differently: the "no
limit" LIMIT, LIKE that ignores case (SQLite), how an INSERT gives back its key, the random
order, row locks and the NULL ordering.
"""

from __future__ import annotations

from typing import Any

from .vectors import VectorSql


class OrmSql(VectorSql):
    """The ORM's SQL: flags and small renderings a server may override."""

    #: ``LIMIT`` meaning "no limit", for an OFFSET without a limit.
    no_limit_sql: str = "-1"
    #: LIKE ignores case here, so a case-sensitive match is written as GLOB (SQLite).
    like_as_glob: bool = False
    #: The driver has no ``lastrowid``: an INSERT returns the auto key (PostgreSQL).
    insert_returns_key: bool = False
    random_sql: str = "RANDOM()"  # ORDER BY this for ``query.random(n)``
    row_locks: bool = True  # SELECT ... FOR UPDATE exists (SQLite locks the whole file)
    batch_keys: str = ""  # how a batch learns its auto keys: reserve/first/last (orm/batch.py)
    batch_keys_sql = copy_sql = ""  # that strategy's query; a bulk load run by ``run_many``
    max_params: int = 65535  # the most ``?`` parameters one statement may carry

    def run_many(self, cursor: Any, sql: str, rows: Any) -> None:  # PostgreSQL: COPY too
        cursor.executemany(sql, rows)

    def nulls_smallest_sql(self, descending: bool) -> str:
        """The ORDER BY suffix that sorts NULL as the smallest value (as SQLite and MariaDB do)."""
        return ""

    def insert_defaults_sql(self, table: str) -> str:
        """An INSERT of a row whose every column takes its default."""
        return f"INSERT INTO {table} DEFAULT VALUES"

    def for_update_sql(self, option: str, alias: str, joined: bool) -> str:
        """The ``FOR UPDATE`` clause of ``query.for_update()`` (``option``: ``NOWAIT``,
        ``SKIP LOCKED`` or ``""``); ``joined``: the query joins other tables to ``alias``,
        the queried table.  Empty where rows cannot be locked (SQLite)."""
        if not self.row_locks:
            return ""
        return " FOR UPDATE" + (f" {option}" if option else "")
