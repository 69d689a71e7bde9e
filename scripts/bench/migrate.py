"""Benchmark ``migrate`` and ``showmigrations`` on 500 small migrations, beside their floor.

Usage::

    .venv/bin/python scripts/bench/migrate.py [--count 500] [--runs 5] [--pg-url URL]

It writes a temporary project whose ``migrations/`` holds ``--count`` files (odd numbers create
a table, even numbers add a column to it) and prints the median wall time, over ``--runs``
runs, of the CLI as a user runs it (a subprocess):

- ``migrate`` applying every file to a fresh database (SQLite file; PostgreSQL schema);
- ``migrate`` with nothing to do, and ``showmigrations``, once all are applied: measured after
  every apply run is over, three samples per round, interleaved with their floor, so that no
  sample pays for the server still writing out 500 migrations' DDL (PostgreSQL's no-op looked
  twice as slow when it ran right after its apply);

and, in the same run, the floor: the same SQL plus the tracking INSERT run by the bare driver
(sqlite3 / psycopg) in a subprocess, one transaction per migration, and the bare start-up
``python -c "import click, sqlite3"`` (``psycopg`` for PostgreSQL).  PostgreSQL is measured
when ``--pg-url`` or ``NEXTORM_PG_URL`` is set.

``--baseline DIR`` (a checkout of an earlier commit, e.g. ``git worktree add /tmp/base
<commit>``) measures that version's CLI too, interleaved run by run with this one (each version
and the floor take every place of a round in turn), and prints the ratio of each figure to the
baseline's.  The no-op and showmigrations figures also report
the client's CPU time (user + system), steadier than the wall time on a shared machine.

``--instructions`` also counts the instructions of one no-op ``migrate`` and of its floor
under valgrind's callgrind (the client's own: a server's work is not counted).  The count is
the same run after run, whatever else the machine does, so a change of 1% shows; a wall time
on a shared machine moves by more than that from one minute to the next.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

#: The database comes from the environment: rewriting models.py per run could leave Python
#: importing a stale bytecode cache (same size, same second), the previous run's database.
MODELS = """\
import os

from nextorm import Database

db = Database(entities=[])
db.bind({provider!r}, os.environ["BENCH_URL"])
"""

FLOOR = """\
import datetime, hashlib, os, sys
provider, url, folder = sys.argv[1:4]
if provider == "sqlite":
    import sqlite3
    conn = sqlite3.connect(url, isolation_level=None)
    mark = "?"
else:
    import psycopg
    conn = psycopg.connect(url, autocommit=True)
    mark = "%s"
conn.execute("CREATE TABLE IF NOT EXISTS _floor (version VARCHAR(32) PRIMARY KEY, "
             "applied_at VARCHAR(19), checksum VARCHAR(64))")
for name in sorted(os.listdir(folder)):
    if not name.endswith(".py"):
        continue
    text = open(os.path.join(folder, name), "rb").read()
    sql = text.decode().split(chr(34) * 3)[1]
    conn.execute("BEGIN")
    conn.execute(sql)
    conn.execute(f"INSERT INTO _floor VALUES ({mark}, {mark}, {mark})",
                 (name[:4], datetime.datetime.now().isoformat(timespec="seconds"),
                  hashlib.sha256(text).hexdigest()))
    conn.execute("COMMIT")
conn.close()
"""


def write_project(root: Path, count: int) -> None:
    (root / "bench").mkdir(parents=True)
    (root / "bench" / "__init__.py").write_text("")
    migrations = root / "migrations"
    migrations.mkdir()
    for n in range(1, count + 1):
        table = f"t{(n + 1) // 2}"
        if n % 2:
            sql = f"CREATE TABLE {table} (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50))"
        else:
            sql = f"ALTER TABLE {table} ADD COLUMN extra INTEGER"
        (migrations / f"{n:04d}_step_{n}.py").write_text(
            f'def upgrade(db):\n    db._execute_dml("""{sql}""", [])\n')


#: As a user's machine runs Python: bytecode cached (in a temporary prefix, not the repo).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
#: The checkout this script belongs to: the version measured (not whatever is installed).
HERE = Path(__file__).resolve().parents[2]
#: No-op and showmigrations samples per round (each beside a floor sample).
SAMPLES = 3


#: The CPU seconds (user + system) of each timed child, by the figure it was timed for: on a
#: shared machine the wall time of a start-up-bound command is mostly waiting for a core.
CPU: dict[str, list[float]] = {}


def timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None,
          figure: str = "") -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env or ENV)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stdout}\n{proc.stderr}")
    CPU.setdefault(figure, []).append(after.ru_utime - before.ru_utime
                                      + after.ru_stime - before.ru_stime)
    return elapsed


def instructions(argv: list[str], cwd: Path, env: dict[str, str]) -> int:
    """The instructions ``argv``'s process ran, by valgrind's callgrind (its own process only)."""
    with tempfile.TemporaryDirectory(prefix="nextorm-callgrind-") as out:
        proc = subprocess.run(["valgrind", "--tool=callgrind",
                               f"--callgrind-out-file={out}/callgrind.out", *argv],
                              cwd=cwd, env=env, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or not found:
        raise SystemExit(f"valgrind {' '.join(argv)} failed:\n{proc.stdout}\n{proc.stderr}")
    return int(found.group(1))


class Fresh:
    """A fresh database per run: a new SQLite file, or a new PostgreSQL schema."""

    def __init__(self, provider: str, root: Path, pg_url: str | None) -> None:
        self.provider, self.root, self.pg_url = provider, root, pg_url
        self.schemas: list[str] = []

    def make(self) -> str:
        if self.provider == "sqlite":
            return str(self.root / f"db_{uuid.uuid4().hex[:8]}.sqlite")
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        sep = "&" if "?" in self.pg_url else "?"
        return f"{self.pg_url}{sep}options={quote('-c search_path=' + schema)}"

    def applied(self, url: str) -> int:
        """How many migrations the tracking table of ``url`` records (checks a run did apply)."""
        query = "SELECT COUNT(*) FROM _nextorm_migrations"
        if self.provider == "sqlite":
            import sqlite3

            with sqlite3.connect(url) as conn:
                return int(conn.execute(query).fetchone()[0])
        import psycopg

        with psycopg.connect(url) as conn:
            row = conn.execute(query).fetchone()
            return int(row[0]) if row else 0

    def cleanup(self) -> None:
        if not self.schemas:
            return
        import psycopg

        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            for schema in self.schemas:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


#: The floor's place among the versions of a round.
FLOOR_RUN = "floor"


def rotated(items: list[tuple[str, dict[str, str]]], by: int) -> list[tuple[str, dict[str, str]]]:
    """``items`` started at ``by``: each version and the floor take every place of a round in
    turn, so that no version always runs first or right after another."""
    by %= len(items)
    return items[by:] + items[:by]


def bench(provider: str, root: Path, count: int, runs: int, pg_url: str | None,
          baseline: str | None = None, count_instructions: bool = False) -> dict[str, float]:
    python = sys.executable
    cli = [python, "-m", "nextorm.migrations.cli"]
    fresh = Fresh(provider, root, pg_url)
    (root / "bench" / "models.py").write_text(MODELS.format(provider=provider))
    versions = {"": {**ENV, "PYTHONPATH": str(HERE)}}
    if baseline:
        versions["base_"] = {**ENV, "PYTHONPATH": baseline}
    results: dict[str, list[float]] = {f"{v}{k}": [] for v in versions
                                       for k in ("apply", "noop", "show")}
    results.update(floor_apply=[], floor_start=[])
    driver = "sqlite3" if provider == "sqlite" else "psycopg"
    migrate = ["migrate", "-q", "--module", "bench.models"]
    show = ["showmigrations", "-q", "--module", "bench.models"]
    applied: dict[str, str] = {}  # version -> a database with every migration applied
    try:
        for env in versions.values():  # warm-up: bytecode caches of both versions
            timed([python, "-c", "import nextorm.migrations.cli, click, " + driver], root, env)
        for run in range(runs):  # the first of a round may pay for the last one's writes
            for prefix, env in rotated([*versions.items(), (FLOOR_RUN, {})], run):
                if prefix == FLOOR_RUN:
                    results["floor_apply"].append(timed(
                        [python, "-c", FLOOR, provider, fresh.make(), str(root / "migrations")],
                        root))
                    continue
                applied[prefix] = fresh.make()
                results[f"{prefix}apply"].append(
                    timed(cli + migrate, root, {**env, "BENCH_URL": applied[prefix]}))
                if fresh.applied(applied[prefix]) != count:
                    raise SystemExit(f"{prefix or 'this '}version did not apply {count} migrations")
        for sample in range(runs * SAMPLES):
            for prefix, env in rotated([*versions.items(), (FLOOR_RUN, {})], sample):
                if prefix == FLOOR_RUN:
                    results["floor_start"].append(timed(
                        [python, "-c", f"import click, {driver}"], root, figure="floor_start"))
                    continue
                env = {**env, "BENCH_URL": applied[prefix]}
                results[f"{prefix}noop"].append(
                    timed(cli + migrate, root, env, figure=f"{prefix}noop"))
                results[f"{prefix}show"].append(
                    timed(cli + show, root, env, figure=f"{prefix}show"))
        counted: dict[str, float] = {}
        if count_instructions:
            counted["instr_floor"] = instructions([python, "-c", f"import click, {driver}"],
                                                  root, ENV)
            for prefix, env in versions.items():
                counted[f"instr_{prefix}noop"] = instructions(
                    cli + migrate, root, {**env, "BENCH_URL": applied[prefix]})
    finally:
        fresh.cleanup()
    figures = {k: statistics.median(v) * 1000 for k, v in results.items()}
    figures.update(counted)
    figures.update({f"cpu_{k}": statistics.median(v) * 1000 for k, v in CPU.items() if k})
    CPU.clear()
    return figures


def report(provider: str, count: int, m: dict[str, float]) -> None:
    driver = "sqlite3" if provider == "sqlite" else "psycopg"
    print(f"\n{provider}: {count} migrations, medians in ms")
    print(f"  migrate, all {count} to a fresh database  {m['apply']:8.0f}   "
          f"floor (bare {driver}, 1 tx/migration) {m['floor_apply']:7.0f}   "
          f"ratio {m['apply'] / m['floor_apply']:.2f}x   "
          f"({m['apply'] / count:.2f} ms/migration)")
    print(f"  migrate, nothing to do                  {m['noop']:8.0f}   "
          f"floor (python -c 'import click, {driver}') {m['floor_start']:5.0f}   "
          f"ratio {m['noop'] / m['floor_start']:.2f}x")
    print(f"  showmigrations, all applied             {m['show']:8.0f}   "
          f"floor (python -c 'import click, {driver}') {m['floor_start']:5.0f}   "
          f"ratio {m['show'] / m['floor_start']:.2f}x")
    floor = m["cpu_floor_start"]
    print(f"  CPU of the client (no-op, show, floor): {m['cpu_noop']:.0f}, {m['cpu_show']:.0f}, "
          f"{floor:.0f} ms   ratios {m['cpu_noop'] / floor:.2f}x, {m['cpu_show'] / floor:.2f}x")
    if "base_apply" in m:
        print("  against the baseline (same run):  " + "   ".join(
            f"{what} {m[key]:.0f} vs {m['base_' + key]:.0f} ms ({m[key] / m['base_' + key]:.2f}x)"
            for what, key in (("apply", "apply"), ("no-op", "noop"), ("show", "show"))))
        print(f"  baseline's client CPU (no-op, show): {m['cpu_base_noop']:.0f}, "
              f"{m['cpu_base_show']:.0f} ms   ratios "
              f"{m['cpu_base_noop'] / floor:.2f}x, {m['cpu_base_show'] / floor:.2f}x")
    if "instr_floor" in m:
        line = (f"  instructions (callgrind), no-op: {m['instr_noop'] / 1e6:.1f}M, floor "
                f"{m['instr_floor'] / 1e6:.1f}M   ratio {m['instr_noop'] / m['instr_floor']:.3f}x")
        if "instr_base_noop" in m:
            line += (f"   baseline {m['instr_base_noop'] / 1e6:.1f}M "
                     f"({m['instr_noop'] / m['instr_base_noop']:.3f}x of it)")
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pg-url", default=os.environ.get("NEXTORM_PG_URL"))
    parser.add_argument("--baseline", metavar="DIR",
                        help="checkout of an earlier version to measure beside this one")
    parser.add_argument("--instructions", action="store_true",
                        help="also count the no-op's instructions under valgrind (callgrind)")
    args = parser.parse_args()
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind on the PATH")
    providers = ["sqlite"] + (["postgres"] if args.pg_url else [])
    with tempfile.TemporaryDirectory(prefix="nextorm-bench-") as tmp:
        root = Path(tmp)
        ENV["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        write_project(root, args.count)
        print(f"python {sys.version.split()[0]}, {args.runs} runs each")
        for provider in providers:
            figures = bench(provider, root, args.count, args.runs, args.pg_url, args.baseline,
                            args.instructions)
            report(provider, args.count, figures)
    if not args.pg_url:
        print("\n(PostgreSQL skipped: set NEXTORM_PG_URL or pass --pg-url)")


if __name__ == "__main__":
    main()
