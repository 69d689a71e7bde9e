"""Benchmark the ORM runtime against the bare driver doing the same work, in the same run.

    .venv/bin/python scripts/bench/orm.py --provider sqlite --provider postgres [--runs 5]

For each provider and each run, on a fresh table:

- insert: create N objects in one ``db_session`` (INSERT at commit, ids set) / the driver runs
  the same INSERT per row in one transaction and reads each new id;
- select: read all N rows back as objects in a new session / the driver fetches the rows;
- update: read 10,000 objects, change one attribute of each, commit / the driver reads the
  same rows and runs one UPDATE per row in one transaction.

It prints the median seconds of each and the ratio ORM / driver (the floor).  Server URLs come
from ``NEXTORM_PG_URL`` and ``NEXTORM_MYSQL_URL`` (defaults: the local test servers).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from nextorm import Database, Entity, Req, db_session  # noqa: E402

URLS = {
    "postgres": os.environ.get("NEXTORM_PG_URL", "postgresql://root@127.0.0.1:5432/test"),
    "mysql": os.environ.get("NEXTORM_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
}


class BenchItem(Entity):
    _table_name_ = "nextorm_bench_item"
    name: Req[str] = Req(max_len=40)
    qty: Req[int]
    price: Req[float]


def open_db(provider: str, sqlite_file: str) -> Database:
    db = Database(entities=[BenchItem])
    db.bind(provider, sqlite_file if provider == "sqlite" else URLS[provider])
    db.generate_mapping()
    return db


def raw_connection(provider: str, sqlite_file: str):
    """The bare driver, connected as NextORM connects (autocommit; explicit BEGIN/COMMIT)."""
    if provider == "sqlite":
        import sqlite3

        return sqlite3.connect(sqlite_file, isolation_level=None), "?"
    if provider == "postgres":
        import psycopg

        return psycopg.connect(URLS[provider], autocommit=True), "%s"
    import pymysql

    from nextorm.dialects.mysql import parse_mysql_url

    return pymysql.connect(autocommit=True, **parse_mysql_url(URLS[provider])), "%s"


def fresh_table(db: Database) -> None:
    db.drop_all_tables(with_all_data=True)
    db.create_tables()


def orm_insert(db: Database, n: int) -> None:
    with db_session(db):
        for i in range(n):
            BenchItem(name=f"item {i}", qty=i, price=i * 0.5)


def orm_select(db: Database, n: int) -> None:
    with db_session(db):
        items = BenchItem.select().fetch_all()
    assert len(items) == n


def orm_update(db: Database, n: int) -> None:
    with db_session(db):
        for item in BenchItem.select().filter(BenchItem.id <= n):
            item.qty += 1


def raw_insert(conn, mark: str, provider: str, n: int) -> None:
    table = quote(provider, BenchItem._table_name_)
    sql = f"INSERT INTO {table} (name, qty, price) VALUES ({mark}, {mark}, {mark})"
    if provider == "postgres":
        sql += " RETURNING id"
    cur = conn.cursor()
    cur.execute("BEGIN")
    ids = []
    for i in range(n):
        cur.execute(sql, (f"item {i}", i, i * 0.5))
        ids.append(cur.fetchone()[0] if provider == "postgres" else cur.lastrowid)
    cur.execute("COMMIT")


def raw_select(conn, mark: str, provider: str, n: int) -> None:
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.execute(f"SELECT id, name, qty, price FROM {quote(provider, BenchItem._table_name_)}")
    rows = [tuple(r) for r in cur.fetchall()]
    cur.execute("COMMIT")
    assert len(rows) == n


def raw_update(conn, mark: str, provider: str, n: int) -> None:
    table = quote(provider, BenchItem._table_name_)
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.execute(f"SELECT id, name, qty, price FROM {table} WHERE id <= {mark}", (n,))
    rows = cur.fetchall()
    for row in rows:
        cur.execute(f"UPDATE {table} SET qty = {mark} WHERE id = {mark}", (row[2] + 1, row[0]))
    cur.execute("COMMIT")


def quote(provider: str, name: str) -> str:
    return f"`{name}`" if provider == "mysql" else f'"{name}"'


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def bench(provider: str, rows: int, updates: int, runs: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_file = str(Path(tmp) / "bench.db")
        db = open_db(provider, sqlite_file)
        conn, mark = raw_connection(provider, sqlite_file)
        times: dict[str, list[float]] = {k: [] for k in
                                         ("orm insert", "orm select", "orm update",
                                          "raw insert", "raw select", "raw update")}
        try:
            for _ in range(runs):
                fresh_table(db)
                times["raw insert"].append(timed(raw_insert, conn, mark, provider, rows))
                times["raw select"].append(timed(raw_select, conn, mark, provider, rows))
                times["raw update"].append(timed(raw_update, conn, mark, provider, updates))
                fresh_table(db)
                times["orm insert"].append(timed(orm_insert, db, rows))
                times["orm select"].append(timed(orm_select, db, rows))
                times["orm update"].append(timed(orm_update, db, updates))
            db.drop_all_tables(with_all_data=True)
        finally:
            conn.close()
            db.disconnect()
    return {op: (statistics.median(times[f"orm {op}"]), statistics.median(times[f"raw {op}"]))
            for op in ("insert", "select", "update")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", action="append", choices=["sqlite", "postgres", "mysql"])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'provider':<9} {'work':<28} {'ORM s':>8} {'driver s':>9} {'ratio':>6}")
    for provider in args.provider or ["sqlite", "postgres"]:
        medians = bench(provider, args.rows, args.updates, args.runs)
        labels = {"insert": f"insert {args.rows:,} rows", "select": f"select {args.rows:,} rows",
                  "update": f"update {args.updates:,} rows"}
        for op, (orm_s, raw_s) in medians.items():
            print(f"{provider:<9} {labels[op]:<28} {orm_s:8.3f} {raw_s:9.3f} "
                  f"{orm_s / raw_s:5.1f}x", flush=True)
    print(f"(medians of {args.runs} runs, CPython {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
