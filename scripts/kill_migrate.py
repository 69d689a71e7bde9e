"""Kill ``migrate`` at random moments and check that the database always recovers.

For each trial a fresh database gets the same three migrations (a table with rows, a
16-statement schema change mixing DDL and data, a data migration).  ``migrate`` is started as
a user starts it and killed with SIGKILL at a random moment within the time a whole run
takes; then ``migrate`` runs again (and, if it asks for it, ``migrate --retry``).  Each trial
must end with:

- no hand work: ``migrate`` / ``migrate --retry`` finish on their own;
- no migration applied twice (one tracking row each; the data migration's row exists once);
- the schema and every row equal to those of a clean, uninterrupted run.

Usage::

    python scripts/kill_migrate.py --provider mysql --trials 200
    python scripts/kill_migrate.py --provider sqlite --provider postgres --trials 50

Servers come from NEXTORM_PG_URL / NEXTORM_MYSQL_URL.  Prints one line of figures per server
and exits 1 if any trial failed.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

MODELS = """\
import os

from nextorm import Database

db = Database(entities=[])
db.bind(os.environ["KILL_PROVIDER"], os.environ["KILL_URL"])
"""

MIGRATIONS = {
    "0001_initial.py": """
        def upgrade(db):
            db._execute_dml("CREATE TABLE item (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL)", [])
            db._execute_dml("INSERT INTO item (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')", [])
        """,
    "0002_many_changes.py": "\n".join(
        ["def upgrade(db):"]
        + [f'    db._execute_dml("{sql}", [])' for sql in [
            "ALTER TABLE item ADD COLUMN c1 INTEGER",
            "UPDATE item SET c1 = id * 10",
            "CREATE TABLE t1 (id INTEGER NOT NULL PRIMARY KEY, note VARCHAR(20))",
            "INSERT INTO t1 (id, note) VALUES (1, 'first')",
            "ALTER TABLE item ADD COLUMN c2 VARCHAR(20)",
            "UPDATE item SET c2 = name",
            "CREATE INDEX ix_item_c1 ON item (c1)",
            "CREATE TABLE t2 (id INTEGER NOT NULL PRIMARY KEY)",
            "INSERT INTO t2 (id) VALUES (1)",
            "ALTER TABLE item ADD COLUMN c3 INTEGER",
            "INSERT INTO t1 (id, note) VALUES (2, 'second')",
            "CREATE TABLE t3 (id INTEGER NOT NULL PRIMARY KEY)",
            "CREATE INDEX ix_item_c2 ON item (c2)",
            "ALTER TABLE t1 ADD COLUMN extra INTEGER",
            "UPDATE t1 SET extra = id + 100",
            "INSERT INTO t3 (id) VALUES (7)",
        ]]) + "\n",
    "0003_data.py": """
        def upgrade(db):
            db._execute_dml("CREATE TABLE audit (note VARCHAR(20))", [])
            db._execute_dml("INSERT INTO audit (note) VALUES ('once')", [])
        """,
}


@dataclass
class Figures:
    """What the trials of one server showed."""

    provider: str
    trials: int = 0
    killed_mid_run: int = 0
    retries: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        return (f"{self.provider}: {self.trials} trials, {self.killed_mid_run} killed before "
                f"migrate finished, {self.retries} resumed with --retry, "
                f"{len(self.failures)} failed ({self.seconds:.0f} s)")


@contextmanager
def fresh_database(provider: str, folder: Path) -> Iterator[str]:
    """Yield the URL of a new empty database; drop it afterwards."""
    name = f"kill_{uuid.uuid4().hex[:10]}"
    if provider == "sqlite":
        yield str(folder / f"{name}.db")
        return
    if provider == "postgres":
        import psycopg

        base = os.environ["NEXTORM_PG_URL"]
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{name}"')
        sep = "&" if "?" in base else "?"
        try:
            yield f"{base}{sep}options={quote('-c search_path=' + name)}"
        finally:
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{name}" CASCADE')
        return
    from nextorm.dialects.mysql import parse_mysql_url
    from nextorm.dialects.mysql.driver import Connection  # one TLS context per process

    base = os.environ["NEXTORM_MYSQL_URL"]
    kwargs = parse_mysql_url(base)
    kwargs.pop("database", None)
    conn = Connection(autocommit=True, **kwargs)
    conn.cursor().execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    root = base.rsplit("/", 1)[0] if base.count("/") > 2 else base.rstrip("/")
    try:
        yield f"{root}/{name}"
    finally:
        conn.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


def write_project(folder: Path) -> None:
    (folder / "killapp").mkdir()
    (folder / "killapp" / "__init__.py").write_text("")
    (folder / "killapp" / "models.py").write_text(MODELS)
    (folder / "migrations").mkdir()
    for name, source in MIGRATIONS.items():
        (folder / "migrations" / name).write_text(textwrap.dedent(source))


def migrate_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "nextorm.migrations.cli", "migrate", *args,
            "--module", "killapp.models"]


def state_of(provider: str, url: str) -> tuple:
    """The schema and all rows, read with a fresh connection."""
    from nextorm import Database
    from nextorm.schema.introspect import introspect

    db = Database(entities=[])
    db.bind(provider, url)
    try:
        schema = introspect(db)
        rows = {t: sorted(db._execute(f"SELECT * FROM {db.dialect.quote(t)}"), key=repr)
                for t in schema["tables"]}
        tracking = sorted(r[:2] for r in db._execute(
            "SELECT version, status FROM _nextorm_migrations"))
        return schema, rows, tracking
    finally:
        db.disconnect()


def run_trials(provider: str, trials: int, rng: random.Random) -> Figures:
    figures = Figures(provider)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_project(folder)
        env = {**os.environ, "KILL_PROVIDER": provider}
        with fresh_database(provider, folder) as url:
            begin = time.perf_counter()
            clean = subprocess.run(migrate_command("-q"), cwd=folder, capture_output=True,
                                   text=True, env={**env, "KILL_URL": url})
            duration = time.perf_counter() - begin
            if clean.returncode != 0:
                raise SystemExit(f"{provider}: the clean run failed: {clean.stderr.strip()}")
            expected = state_of(provider, url)
        for trial in range(trials):
            figures.trials += 1
            killed_before = figures.killed_mid_run
            with fresh_database(provider, folder) as url:
                problem = one_trial(folder, {**env, "KILL_URL": url}, duration, rng, figures)
                if problem is None and state_of(provider, url) != expected:
                    problem = "schema, rows or tracking rows differ from a clean run"
            # A busy machine changes how long a run takes: aim the next kill at the run.
            duration *= 1.05 if figures.killed_mid_run > killed_before else 0.8
            if problem is not None:
                figures.failures.append(f"trial {trial}: {problem}")
    figures.seconds = time.perf_counter() - started
    return figures


def one_trial(folder: Path, env: dict[str, str], duration: float, rng: random.Random,
              figures: Figures) -> str | None:
    """Kill one migrate at a random moment and recover; return what went wrong, if anything."""
    proc = subprocess.Popen(migrate_command("-q"), cwd=folder, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(duration / 4, duration))  # the first part is Python starting
    proc.send_signal(signal.SIGKILL)
    if proc.wait() == -signal.SIGKILL:
        figures.killed_mid_run += 1
    again = subprocess.run(migrate_command("-q"), cwd=folder, env=env, capture_output=True,
                           text=True)
    if again.returncode != 0 and "--retry" in again.stderr:
        figures.retries += 1
        again = subprocess.run(migrate_command("-q", "--retry"), cwd=folder, env=env,
                               capture_output=True, text=True)
    if again.returncode != 0:
        return f"recovery needs hand work: {again.stderr.strip()}"
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", action="append", choices=["sqlite", "postgres", "mysql"])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"seed {seed}")
    failed = False
    for provider in args.provider or ["sqlite", "postgres", "mysql"]:
        figures = run_trials(provider, args.trials, rng)
        print(figures.line(), flush=True)
        for failure in figures.failures[:5]:
            print(f"  {failure}")
        failed = failed or bool(figures.failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
