"""How long do app writers stall while a migration runs, with and without the safe patterns?

    NEXTORM_PG_URL=postgresql://root@127.0.0.1:5432/test \\
    NEXTORM_MYSQL_URL=mysql://root@127.0.0.1:3306/test \\
    .venv/bin/python scripts/bench/online_ddl.py [--runs 3] [--rows 200000]

For each server, each scenario runs ``--runs`` times on a fresh table of ``--rows`` rows while
4 writer threads insert and update (``tests/support/writers.py``); it prints the median of the
longest single-write stall, and checks no write was lost:

- ``blocker``: another session holds a transaction open on the table for a few seconds while
  the migration adds a column.  Unsafe: no lock timeout (the ALTER queues behind the blocker
  and every writer queues behind the ALTER).  Safe: NextORM's lock timeout and retries.
- ``patterns``: an index, a NOT NULL and (PostgreSQL) a foreign key on the loaded table.
  Unsafe: the plain statements (PostgreSQL) or a table copy (MariaDB ``ALGORITHM=COPY``).
  Safe: what makemigrations generates (``CONCURRENTLY``, ``NOT VALID`` + ``VALIDATE``, CHECK
  then ``SET NOT NULL``; ``ALGORITHM=INPLACE, LOCK=NONE`` / ``INSTANT``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from nextorm import Database  # noqa: E402
from nextorm.migrations.runner import MigrationRunner  # noqa: E402
from nextorm.schema.operations import AddForeignKey, AlterColumn, CreateIndex  # noqa: E402
from support.writers import Writers, setup_table  # noqa: E402

#: Per server: lock timeout (MariaDB counts whole seconds) and how long the blocker holds on.
TIMING = {"postgres": (0.3, 2.0), "mysql": (1.0, 4.0)}


def fresh(provider: str) -> tuple[str, object]:
    """A URL to a new empty schema (PostgreSQL) or database (MariaDB), and its cleanup."""
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = Database(entities=[])
    if provider == "postgres":
        base = os.environ["NEXTORM_PG_URL"]
        admin.bind("postgres", base)
        admin._execute_dml(f'CREATE SCHEMA "{name}"')
        sep = "&" if "?" in base else "?"
        url = f"{base}{sep}options={quote('-c search_path=' + name)}"
        drop = f'DROP SCHEMA "{name}" CASCADE'
    else:
        base = os.environ["NEXTORM_MYSQL_URL"]
        admin.bind("mysql", base)
        admin._execute_dml(f"CREATE DATABASE `{name}` COLLATE utf8mb4_bin")
        url = base.rsplit("/", 1)[0] + "/" + name
        drop = f"DROP DATABASE `{name}`"

    def cleanup() -> None:
        admin._execute_dml(drop)
        admin.disconnect()

    return url, cleanup


def statements(db: Database, safe: bool) -> list[str]:
    note = {"type": "str", "max_len": 40, "nullable": True}
    ops = [CreateIndex("item", "idx_item__val", ("val",)),
           AlterColumn("item", "note", note, {**note, "nullable": False})]
    if db.provider == "postgres":
        ops.append(AddForeignKey("item", "fk_item__ref_id", {
            "columns": ["ref_id"], "ref_table": "parent", "ref_columns": ["id"],
            "on_delete": "RESTRICT"}))
    dialect = db.dialect.for_migration({"item", "parent"}, concurrent=True) if safe \
        else db.dialect
    sql = [s for op in ops for s in dialect.render(op) if isinstance(s, str)]
    if not safe and db.provider == "mysql":
        sql = [s + (" ALGORITHM=COPY" if s.startswith("CREATE") else ", ALGORITHM=COPY")
               for s in sql]
    return sql


def write_migration(folder: Path, sql: list[str], atomic: bool) -> None:
    body = "".join(f"    db._execute_dml({s!r}, [])\n" for s in sql)
    flag = "" if atomic else "ATOMIC = False\n"
    (folder / "0001_bench.py").write_text(f"{flag}\n\ndef upgrade(db):\n{body}")


def one_run(provider: str, scenario: str, safe: bool, rows: int) -> float:
    url, cleanup = fresh(provider)
    db = Database(entities=[])
    db.bind(provider, url)
    try:
        setup_table(db, rows)
        timeout, held = TIMING[provider]
        with tempfile.TemporaryDirectory() as folder:
            if scenario == "blocker":
                sql = [f"ALTER TABLE {db.dialect.quote('item')} ADD COLUMN "
                       f"{db.dialect.quote('extra')} INTEGER"]
            else:
                sql = statements(db, safe)
            atomic = not any(db.dialect.outside_transaction(s) for s in sql)
            write_migration(Path(folder), sql, atomic)
            writers = Writers(provider, url).start()
            if scenario == "blocker":
                blocker = Database(entities=[])
                blocker.bind(provider, url)
                blocker._execute_dml("BEGIN")
                blocker._execute_dml("UPDATE item SET val = val WHERE id = 1")
                threading.Timer(held, lambda: (blocker._execute_dml("COMMIT"),
                                               blocker.disconnect())).start()
            MigrationRunner(db, folder, lock_timeout=timeout if safe else 0,
                            lock_retries=50).migrate()
            stall = writers.stop()
            writers.verify(db, rows)
        return stall
    finally:
        db.disconnect()
        cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--servers", default="postgres,mysql")
    args = parser.parse_args()
    print(f"{args.rows} rows, 4 writers, median of {args.runs} runs: longest writer stall")
    for provider in args.servers.split(","):
        for scenario in ("blocker", "patterns"):
            figures = {}
            for safe in (False, True):
                stalls = [one_run(provider, scenario, safe, args.rows) for _ in range(args.runs)]
                figures[safe] = statistics.median(stalls)
            timeout, held = TIMING[provider]
            extra = f" (blocker holds {held:g} s, lock timeout {timeout:g} s)" \
                if scenario == "blocker" else ""
            print(f"{provider:8} {scenario:8} unsafe {figures[False] * 1000:7.0f} ms   "
                  f"safe {figures[True] * 1000:7.0f} ms{extra}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
