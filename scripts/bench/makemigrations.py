"""Benchmark ``makemigrations`` on a 200-entity × 10-column project, beside the import floor.

Usage::

    .venv/bin/python scripts/bench/makemigrations.py [--entities 200] [--runs 7] [--baseline DIR]

It writes a temporary project whose ``models.py`` declares ``--entities`` entities of ten
columns each (every fourth one also references the previous entity) and prints the median wall
time, over ``--runs`` runs, each in a fresh subprocess as a user runs it, of:

- importing ``models`` alone (Python start-up, NextORM, declaring the entities): the floor;
- ``makemigrations`` for the initial migration (empty ``migrations/``);
- ``makemigrations`` with no change (snapshot up to date: writes nothing);
- ``makemigrations`` after one column changed (``e100.c2``: ``Opt[int]`` → ``Req[int]``),
  beside its own floor: importing ``models`` and black (what writing a formatted file
  cannot avoid);
- the first ``migrate`` of the initial migration (200 tables) to a fresh SQLite file, by the
  CLI as a user runs it, beside the raw DDL: the same statements (``sqlmigrate``'s) run by the
  bare ``sqlite3`` module in one transaction, in a subprocess (and the same after importing
  the models, which any command of the project pays for, and after importing click and the
  models, which the CLI pays for);
- the packages one change must import (models, black, DeepDiff, Jinja), a second floor for
  "one column changed";

and, in-process, the time of the ``makemigrations()`` call alone (diff + render + black).
The figures are measured round-robin: each round runs every figure and every floor once, so a
figure and its floor see the same load on a shared machine.

``--baseline DIR`` (a checkout of an earlier commit, e.g. ``git worktree add /tmp/base
<commit>``) measures that checkout's ``nextorm`` beside this one: each run is a pair of
subprocesses, one per version, in alternating order, so both see the same machine load.  It
prints both medians and the ratio of this version to the baseline.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]

COLUMN_TYPES = ["Req[str]", "Opt[str]", "Opt[int]", "Req[int]", "Opt[float]", "Req[bool]",
                "Opt[dt.datetime]", "Req[str]", "Opt[int]", "Req[Decimal]"]


def models_source(count: int) -> str:
    lines = [
        "import datetime as dt", "import os", "from decimal import Decimal", "",
        "from nextorm import PK, Database, Entity, Opt, Req, Set, Single", "",
        'CHANGED = os.environ.get("BENCH_CHANGED") == "1"', "",
    ]
    for i in range(count):
        lines.append(f"class E{i}(Entity):")
        lines.append("    id: PK[int]")
        for c, ctype in enumerate(COLUMN_TYPES):
            if i == 100 and c == 2:
                lines.append("    if CHANGED:")
                lines.append("        c2: Req[int] = Req(default=0)")
                lines.append("    else:")
                lines.append("        c2: Opt[int] = Opt(default=0)")
            else:
                lines.append(f"    c{c}: {ctype}")
        if i % 4 == 1:
            lines.append(f"    ref: Single['E{i - 1}'] = Single(nullable=True)")
        if i % 4 == 0 and i + 1 < count:
            lines.append(f"    refs: Set['E{i + 1}']")
        lines.append("")
    names = ", ".join(f"E{i}" for i in range(count))
    lines.append(f"db = Database(entities=[{names}])")
    lines.append('db.bind("sqlite", os.environ.get("BENCH_DB", "bench.db"))')
    lines.append("db.generate_mapping()")
    return "\n".join(lines) + "\n"


IMPORT_ONLY = "import models"
IMPORT_BLACK = "import models, black"
MIGRATE = ("import sys\n"
           "from nextorm.migrations.cli import main\n"
           "sys.argv = ['nextorm', 'migrate', '--quiet', '--module', 'models']\n"
           "main()\n")
SQLMIGRATE = ("import json, models\n"
              "from nextorm.migrations.runner import MigrationRunner\n"
              "print(json.dumps(MigrationRunner(models.db, 'migrations').sqlmigrate(1)))\n")
#: The floor of the first migrate: the same DDL, one transaction, the bare driver (and, for a
#: second floor, after importing the models, which the CLI must do before it runs anything).
RAW_DDL = ("import json, os, sqlite3\n"
           "conn = sqlite3.connect(os.environ['BENCH_DB'], isolation_level=None)\n"
           "conn.execute('BEGIN')\n"
           "for sql in json.load(open('ddl.json')):\n"
           "    conn.execute(sql)\n"
           "conn.execute('COMMIT')\n")
MODELS_AND_RAW_DDL = "import models\n" + RAW_DDL
#: The same after importing click too, which the CLI must (the design card): what is left
#: above it is NextORM's own part of a first migrate.
CLICK_MODELS_AND_RAW_DDL = "import click\n" + MODELS_AND_RAW_DDL
#: What writing one change cannot avoid with the packages the design card names: the
#: models, black (formatting), DeepDiff (the comparison) and Jinja (the templates).
IMPORT_PACKAGES = "import models, black, deepdiff, jinja2"
MAKE = ("import models\n"
        "from nextorm.migrations.generate import makemigrations\n"
        "import time\n"
        "t = time.perf_counter()\n"
        "path = makemigrations(models.db, 'migrations')\n"
        "print(time.perf_counter() - t, path)\n")


#: Each figure's floor (label, short name); the rest are compared with importing the models.
FLOORS = {
    "makemigrations, one column changed": ("import models and black", "import + black"),
    "migrate, first (200 tables)": ("raw DDL (sqlite3, 1 transaction)", "raw DDL"),
    "raw DDL (sqlite3, 1 transaction)": ("raw DDL (sqlite3, 1 transaction)", "raw DDL"),
    "import models, then raw DDL": ("raw DDL (sqlite3, 1 transaction)", "raw DDL"),
    "import click and models, then raw DDL": ("raw DDL (sqlite3, 1 transaction)", "raw DDL"),
    "import models, black, deepdiff, jinja2": ("import models and black", "import + black"),
}
#: Second ratios: a figure beside the floor of the packages it must import (label, short name).
PACKAGE_FLOORS = {
    "makemigrations, one column changed": ("import models, black, deepdiff, jinja2",
                                           "import + packages"),
    "migrate, first (200 tables)": ("import click and models, then raw DDL",
                                    "click + models + DDL"),
}


def timed(code: str, cwd: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return elapsed, done.stdout


def python_path(*folders: Path) -> str:
    """``PYTHONPATH`` for a run: the project, then the checkout whose ``nextorm`` it imports."""
    return os.pathsep.join([*map(str, folders), *filter(None, [os.environ.get("PYTHONPATH")])])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=200)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", metavar="DIR", type=Path,
                        help="checkout of an earlier version to measure beside this one")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="nextorm-bench-"))
    versions = [("", {**os.environ, "PYTHONPATH": python_path(root, HERE)})]
    if args.baseline:
        versions.append(("base ", {**os.environ,
                                   "PYTHONPATH": python_path(root, args.baseline.resolve())}))
    (root / "models.py").write_text(models_source(args.entities))
    results: dict[str, list[float]] = {}
    inner: dict[str, list[float]] = {}
    baseline = root / "baseline"
    databases = iter(range(10**6))

    def fresh() -> None:
        shutil.rmtree(root / "migrations", ignore_errors=True)

    def restore() -> None:
        fresh()
        shutil.copytree(baseline, root / "migrations")

    def fresh_db() -> dict[str, str]:
        return {"BENCH_DB": str(root / f"first_{next(databases)}.db")}

    for _, env in versions:
        timed(IMPORT_ONLY, root, env)  # warm the bytecode caches
    fresh()
    timed(MAKE, root, {**versions[0][1], "BENCH_CHANGED": "0"})
    shutil.copytree(root / "migrations", baseline)
    _, ddl = timed(SQLMIGRATE, root, {**versions[0][1], "BENCH_DB": str(root / "sql.db")})
    (root / "ddl.json").write_text(ddl)

    #: (label, code, files before the run, extra environment): one round runs each once per
    #: version, so a figure and its floor always see the same load on a shared machine.
    figures: list[tuple[str, str, Callable[[], None] | None, Callable[[], dict[str, str]]]] = [
        ("import models only", IMPORT_ONLY, None, dict),
        ("makemigrations, initial", MAKE, fresh, dict),
        ("makemigrations, no change", MAKE, restore, dict),
        ("import models and black", IMPORT_BLACK, None, dict),
        ("import models, black, deepdiff, jinja2", IMPORT_PACKAGES, None, dict),
        ("makemigrations, one column changed", MAKE, restore, lambda: {"BENCH_CHANGED": "1"}),
        ("migrate, first (200 tables)", MIGRATE, restore, fresh_db),
        ("raw DDL (sqlite3, 1 transaction)", RAW_DDL, None, fresh_db),
        ("import models, then raw DDL", MODELS_AND_RAW_DDL, None, fresh_db),
        ("import click and models, then raw DDL", CLICK_MODELS_AND_RAW_DDL, None, fresh_db),
    ]
    for run in range(args.runs):
        for label, code, prepare, extra in figures:
            for prefix, env in versions if run % 2 == 0 else versions[::-1]:
                if prepare:
                    prepare()
                elapsed, out = timed(code, root, {**env, "BENCH_CHANGED": "0", **extra()})
                results.setdefault(prefix + label, []).append(elapsed)
                if code == MAKE and out.strip():
                    inner.setdefault(prefix + label, []).append(float(out.split()[0]))
    size = len((baseline / "0001_initial.py").read_text())
    snap = len((baseline / ".schema_snapshot.json").read_text())

    print(f"{args.entities} entities x 10 columns, median of {args.runs} runs "
          f"(0001_initial.py {size // 1024} KB, snapshot {snap // 1024} KB)")
    for prefix, _ in versions:
        if prefix:
            print(f"baseline {args.baseline}:")
        for label in [k for k in results if not k.startswith("base ")]:
            median = statistics.median(results[prefix + label])
            of, name = FLOORS.get(label, ("import models only", "import"))
            floor = statistics.median(results[prefix + of])
            line = f"  {label:<38} {median * 1000:8.0f} ms   x{median / floor:4.2f} of {name}"
            if label in PACKAGE_FLOORS:
                of2, name2 = PACKAGE_FLOORS[label]
                line += f", x{median / statistics.median(results[prefix + of2]):4.2f} of {name2}"
            if prefix + label in inner:
                line += f"   (call alone {statistics.median(inner[prefix + label]) * 1000:.0f} ms)"
            print(line)
    if args.baseline:
        print("this version / baseline:")
        for label in [k for k in results if not k.startswith("base ")]:
            ratio = statistics.median(results[label]) / statistics.median(results["base " + label])
            line = f"  {label:<38} x{ratio:4.2f}"
            if label in inner:
                ratio = statistics.median(inner[label]) / statistics.median(inner["base " + label])
                line += f"   (call alone x{ratio:4.2f})"
            print(line)
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
