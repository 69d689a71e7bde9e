"""Benchmark the ORM runtime against the bare driver doing the same work, in the same run.

    .venv/bin/python scripts/bench/orm.py --provider sqlite --provider postgres [--runs 5]
    .venv/bin/python scripts/bench/orm.py --baseline /tmp/base [--runs 9]

For each provider and each run, on a fresh table:

- insert: create N objects in one ``db_session`` (INSERT at commit, ids set) / the driver runs
  the same INSERT per row in one transaction and reads each new id; also printed: the ratio to
  the driver's ``executemany`` of the same rows (no ids read), the floor of a batched write;
- select: read all N rows back as objects in a new session / the driver fetches the rows;
- update: read 10,000 objects, change one attribute of each, commit / the driver reads the
  same rows and runs one UPDATE per row in one transaction;
- generator select: 2,000 queries ``select(i for i in BenchItem if i.id == k)`` in one
  session, ``k`` changing each time (the generator is translated once per code object, then
  only ``k`` is re-bound) / the driver runs the same SELECT by key 2,000 times.  A version
  without ``nextorm.select`` (an older ``--baseline``) skips it.

It prints the median seconds of each, the ratio ORM / driver (the floor) of the wall time,
and of this process's CPU time (``cpu``: steadier on a busy machine; on a server, the wall
time also holds the server's work).  Each work starts from a collected heap and is charged
for collecting the garbage it leaves (``timed``): a session and its objects refer to each
other, so only the cyclic collector frees them, and it would otherwise do so in the middle of
whatever runs next, often the driver's turn.  Server URLs come from ``NEXTORM_PG_URL`` and
``NEXTORM_MYSQL_URL`` (defaults: the local test servers).

Figures of November 2026 (CPython 3.11, a shared 2-core machine; medians of 5 runs, 3 on
MariaDB; ratio ORM / driver, wall time, and CPU time in brackets), before (1ae3a91's
runtime) and after the speed work of issue 10, both measured by this script:

==========  =====================  ===================  ===================
server      work (rows)            before               after
==========  =====================  ===================  ===================
SQLite      insert 100,000         4.4x (4.9x)          2.6x (2.8x)
SQLite      select 100,000         3.4x (3.6x)          2.1x (2.3x)
SQLite      update 10,000          3.3x (3.3x)          2.1x (3.3x)
PostgreSQL  insert 100,000         0.9x of executemany  0.6x of executemany
PostgreSQL  select 100,000         4.0x (5.3x)          2.6x (3.2x)
PostgreSQL  update 10,000          0.3x (0.5x)          0.5x (0.6x)
MariaDB     insert 100,000         2.3x of executemany  1.8x of executemany
MariaDB     select 100,000         1.7x (1.6x)          1.3x (1.4x)
==========  =====================  ===================  ===================

The updates were not worked on: their ORM seconds stayed within 5% of before (the ratios
move with the driver's runs).  "Before" executemany ratios divide by the driver floor of the
same runs.  Generator queries are translated once per code location (2,000 queries, one
translation).

``--baseline DIR`` (a checkout of an earlier commit, e.g. ``git worktree add /tmp/base
<commit>``) runs this same workload on that checkout's ``nextorm`` too: each run is a pair of
subprocesses, one per version, in alternating order, so both see the same machine load.  It
prints both medians and the ratio of this version to the baseline.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

HERE = Path(__file__).resolve().parents[2]
QUERIES = 2_000  # generator select: queries per run
OPS = ("insert", "select", "update", "generator select")
URLS = {
    "postgres": os.environ.get("NEXTORM_PG_URL", "postgresql://root@127.0.0.1:5432/test"),
    "mysql": os.environ.get("NEXTORM_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
}


def load_orm(code: Path) -> SimpleNamespace:
    """Import ``nextorm`` from the checkout ``code`` and declare the benchmark's entity."""
    sys.path.insert(0, str(code))
    from nextorm import Database, Entity, Req, db_session

    try:
        from nextorm import select
    except ImportError:  # a version before generator queries
        select = None

    class BenchItem(Entity):
        _table_name_ = "nextorm_bench_item"
        name: Req[str] = Req(max_len=40)
        qty: Req[int]
        price: Req[float]

    return SimpleNamespace(Database=Database, db_session=db_session, BenchItem=BenchItem,
                           select=select)


def open_db(orm: SimpleNamespace, provider: str, sqlite_file: str) -> Any:
    db = orm.Database(entities=[orm.BenchItem])
    db.bind(provider, sqlite_file if provider == "sqlite" else URLS[provider])
    db.generate_mapping()
    return db


def raw_connection(provider: str, sqlite_file: str) -> tuple[Any, str]:
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


def fresh_table(db: Any) -> None:
    db.drop_all_tables(with_all_data=True)
    db.create_tables()


def orm_insert(orm: SimpleNamespace, db: Any, n: int) -> None:
    with orm.db_session(db):
        for i in range(n):
            orm.BenchItem(name=f"item {i}", qty=i, price=i * 0.5)


def orm_select(orm: SimpleNamespace, db: Any, n: int) -> None:
    with orm.db_session(db):
        items = orm.BenchItem.select().fetch_all()
    assert len(items) == n


def orm_update(orm: SimpleNamespace, db: Any, n: int) -> None:
    with orm.db_session(db):
        for item in orm.BenchItem.select().filter(orm.BenchItem.id <= n):
            item.qty += 1


def orm_generator_select(orm: SimpleNamespace, db: Any, n: int) -> None:
    item, select = orm.BenchItem, orm.select
    with orm.db_session(db):
        for k in range(1, n + 1):
            assert len(select(i for i in item if i.id == k).fetch_all()) == 1


TABLE = "nextorm_bench_item"


def raw_insert(conn: Any, mark: str, provider: str, n: int) -> None:
    sql = f"INSERT INTO {quote(provider, TABLE)} (name, qty, price) VALUES ({mark}, {mark}, {mark})"
    if provider == "postgres":
        sql += " RETURNING id"
    cur = conn.cursor()
    cur.execute("BEGIN")
    ids = []
    for i in range(n):
        cur.execute(sql, (f"item {i}", i, i * 0.5))
        ids.append(cur.fetchone()[0] if provider == "postgres" else cur.lastrowid)
    cur.execute("COMMIT")


def raw_insert_many(conn: Any, mark: str, provider: str, n: int) -> None:
    sql = f"INSERT INTO {quote(provider, TABLE)} (name, qty, price) VALUES ({mark}, {mark}, {mark})"
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.executemany(sql, [(f"item {i}", i, i * 0.5) for i in range(n)])
    cur.execute("COMMIT")


def raw_select(conn: Any, mark: str, provider: str, n: int) -> None:
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.execute(f"SELECT id, name, qty, price FROM {quote(provider, TABLE)}")
    rows = [tuple(r) for r in cur.fetchall()]
    cur.execute("COMMIT")
    assert len(rows) == n


def raw_update(conn: Any, mark: str, provider: str, n: int) -> None:
    table = quote(provider, TABLE)
    cur = conn.cursor()
    cur.execute("BEGIN")
    cur.execute(f"SELECT id, name, qty, price FROM {table} WHERE id <= {mark}", (n,))
    rows = cur.fetchall()
    for row in rows:
        cur.execute(f"UPDATE {table} SET qty = {mark} WHERE id = {mark}", (row[2] + 1, row[0]))
    cur.execute("COMMIT")


def raw_generator_select(conn: Any, mark: str, provider: str, n: int) -> None:
    sql = f"SELECT id, name, qty, price FROM {quote(provider, TABLE)} WHERE id = {mark}"
    cur = conn.cursor()
    cur.execute("BEGIN")
    for k in range(1, n + 1):
        cur.execute(sql, (k,))
        assert len([tuple(r) for r in cur.fetchall()]) == 1
    cur.execute("COMMIT")


def quote(provider: str, name: str) -> str:
    return f"`{name}`" if provider == "mysql" else f'"{name}"'


def timed(fn: Any, *args: Any) -> tuple[float, float]:
    """Wall seconds and this process's CPU seconds of ``fn(*args)`` and of collecting the
    garbage it left.

    A session and its objects refer to each other: only Python's cyclic garbage collector
    frees them, whenever it next runs, often in the middle of the next work measured.  So
    each work starts from a collected heap and is charged for the garbage it leaves: a full
    collection after it, less the time of a second one (the walk over the objects still
    alive, which are no work's garbage).
    """
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    fn(*args)
    gc.collect()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu_alive = time.perf_counter(), time.process_time()
    gc.collect()
    return wall - (time.perf_counter() - start), cpu - (time.process_time() - cpu_alive)


def bench(orm: SimpleNamespace, provider: str, rows: int, updates: int, runs: int
          ) -> dict[str, list[float]]:
    """Seconds of each run, keyed ``orm insert``... and ``raw insert``... (the floor).

    ``orm insert cpu``... hold the CPU seconds of this process: on a server, the wall time
    is mostly the server's, and the CPU time is what the ORM itself costs.
    """
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_file = str(Path(tmp) / "bench.db")
        db = open_db(orm, provider, sqlite_file)
        conn, mark = raw_connection(provider, sqlite_file)
        times: dict[str, list[float]] = {}
        try:
            for _ in range(runs):
                fresh_table(db)
                record(times, "raw insert", timed(raw_insert, conn, mark, provider, rows))
                record(times, "raw select", timed(raw_select, conn, mark, provider, rows))
                record(times, "raw update", timed(raw_update, conn, mark, provider, updates))
                record(times, "raw generator select",
                       timed(raw_generator_select, conn, mark, provider, QUERIES))
                fresh_table(db)
                record(times, "raw insertmany", timed(raw_insert_many, conn, mark, provider, rows))
                fresh_table(db)
                record(times, "orm insert", timed(orm_insert, orm, db, rows))
                record(times, "orm select", timed(orm_select, orm, db, rows))
                record(times, "orm update", timed(orm_update, orm, db, updates))
                if orm.select is not None:
                    record(times, "orm generator select",
                           timed(orm_generator_select, orm, db, QUERIES))
            db.drop_all_tables(with_all_data=True)
        finally:
            conn.close()
            db.disconnect()
    return times


def record(times: dict[str, list[float]], key: str, wall_and_cpu: tuple[float, float]) -> None:
    times.setdefault(key, []).append(wall_and_cpu[0])
    times.setdefault(f"{key} cpu", []).append(wall_and_cpu[1])


def run_child(code: Path, provider: str, args: argparse.Namespace) -> dict[str, list[float]]:
    """One run of one version in a fresh interpreter; its seconds per figure."""
    command = [sys.executable, __file__, "--code", str(code), "--provider", provider,
               "--rows", str(args.rows), "--updates", str(args.updates), "--runs", "1",
               "--json"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def interleaved(baseline: Path, provider: str, args: argparse.Namespace
                ) -> dict[str, list[float]]:
    """Each run measures this checkout and the baseline, alternating which goes first.

    Both measure the driver too, so each does the same work on the server (a server that
    just absorbed 100,000 driver INSERTs is slower for the next ones).
    """
    times: dict[str, list[float]] = {}
    for run in range(args.runs):
        versions = [("", HERE), ("base ", baseline)]
        for prefix, code in versions if run % 2 == 0 else versions[::-1]:
            for key, values in run_child(code, provider, args).items():
                times.setdefault(prefix + key, []).extend(values)
    return times


def report(provider: str, args: argparse.Namespace, times: dict[str, list[float]]) -> None:
    """One line per work: medians, the wall ratio ORM / driver and the CPU ratio.

    The CPU ratio (this process's CPU seconds) is the steadier one on a busy machine; on a
    server the wall time also holds the server's work, which the CPU time leaves out.
    """
    labels = {"insert": f"insert {args.rows:,} rows", "select": f"select {args.rows:,} rows",
              "update": f"update {args.updates:,} rows",
              "generator select": f"generator select {QUERIES:,}x"}
    med = {key: statistics.median(values) for key, values in times.items()}
    for op in OPS:
        if f"orm {op}" not in med:
            continue
        orm_s, raw_s = med[f"orm {op}"], med[f"raw {op}"]
        cpu = med[f"orm {op} cpu"]
        line = (f"{provider:<9} {labels[op]:<28} {orm_s:8.3f} {raw_s:9.3f} {orm_s / raw_s:5.1f}x"
                f" {cpu / med[f'raw {op} cpu']:5.1f}x")
        if f"base orm {op}" in med:  # the baseline's ratio is to the floor of its own runs
            base_s = med[f"base orm {op}"]
            line += f" {base_s:9.3f} {base_s / med[f'base raw {op}']:5.1f}x {orm_s / base_s:6.2f}x"
            base_cpu = med[f"base orm {op} cpu"]
            line += (f" {base_cpu / med[f'base raw {op} cpu']:5.1f}x {cpu:8.3f} {base_cpu:8.3f}"
                     f" {cpu / base_cpu:6.2f}x")
        if op == "insert" and "raw insertmany" in med:
            many_s = med["raw insertmany"]
            line += f"  (driver executemany {many_s:.3f} s: {orm_s / many_s:.1f}x)"
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", action="append", choices=["sqlite", "postgres", "mysql"])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--updates", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", metavar="DIR", type=Path,
                        help="checkout of an earlier version to measure beside this one")
    parser.add_argument("--code", type=Path, default=HERE, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    providers = args.provider or ["sqlite", "postgres"]
    if args.json:  # a child of --baseline: one provider, seconds as JSON
        print(json.dumps(bench(load_orm(args.code), providers[0], args.rows, args.updates,
                               args.runs)))
        return
    header = f"{'provider':<9} {'work':<28} {'ORM s':>8} {'driver s':>9} {'ratio':>6} {'cpu':>6}"
    if args.baseline:
        header += (f" {'base s':>9} {'ratio':>6} {'/base':>7} {'cpu':>6} {'cpu s':>8}"
                   f" {'base cpu':>8} {'/base':>7}")
    print(header)
    orm = None if args.baseline else load_orm(args.code)
    for provider in providers:
        if orm is None:
            times = interleaved(args.baseline.resolve(), provider, args)
        else:
            times = bench(orm, provider, args.rows, args.updates, args.runs)
        report(provider, args, times)
    print(f"(medians of {args.runs} runs, CPython {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
