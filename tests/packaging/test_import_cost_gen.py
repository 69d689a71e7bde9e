"""makemigrations pays only for what it uses (issue 9, "Speed").

A run that finds no change returns before anything that writes a file: it imports neither
DeepDiff, Jinja nor black, nor the comparators, the renderer or the operations, nor what only
naming or a value for existing rows needs (``unicodedata``, ``uuid``).  The test runs it in a
fresh interpreter (``sys.modules`` of this one is full) and lists which of the watched modules
got imported; each was once imported on that path.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

WATCHED = ("deepdiff", "jinja2", "black", "unicodedata", "uuid", "platform",
           "nextorm.migrations.changes", "nextorm.migrations.comparators",
           "nextorm.migrations.renames", "nextorm.migrations.columns",
           "nextorm.migrations.writer", "nextorm.migrations.multirender",
           "nextorm.schema.operations")

MODELS = """\
from nextorm import PK, Database, Entity, Opt, Req

class Note(Entity):
    id: PK[int]
    title: Req[str]
    body: Opt[str]

db = Database(entities=[Note])
db.bind("sqlite", ":memory:")
db.generate_mapping()
"""


def run(root: Path) -> tuple[str, list[str], bool]:
    """makemigrations in a fresh interpreter: (its result, the watched modules, GC on after)."""
    script = ("import gc, sys\nimport models\n"
              "from nextorm.migrations.generate import makemigrations\n"
              "made = makemigrations(models.db, 'migrations')\n"
              f"print(repr((made, sorted(m for m in sys.modules if m in {WATCHED!r}), "
              "gc.isenabled())))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(REPO), str(root), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=root, check=True)
    return ast.literal_eval(done.stdout.splitlines()[-1])


def test_a_run_that_finds_no_change_imports_none_of_the_generator(tmp_path):
    (tmp_path / "models.py").write_text(MODELS)
    made, modules, collecting = run(tmp_path)
    assert made and made.endswith("0001_initial.py")
    assert {"deepdiff", "jinja2", "black"} <= set(modules)  # the watch list sees them
    assert collecting  # the garbage collector is on again after the run
    made, modules, collecting = run(tmp_path)
    assert made is None
    assert modules == []
    assert collecting
