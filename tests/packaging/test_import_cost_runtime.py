"""``migrate`` with nothing to do and ``showmigrations`` stay cheap (issue 9, "Speed").

They run on every deploy over every migration file, so they import only what they use: no
``pathlib`` (strings and ``os.path``), no ``dataclasses`` (each dataclass is compiled when its
module loads), no ``locale`` (click's help and version options look their texts up in
translations, and the first lookup imports it), no executor (nothing runs), and none of the
modules of the other commands (``cli.py`` builds the other subcommands only when one of them
is looked up).
The test runs the command in a fresh interpreter (``sys.modules`` of this one is full) and
lists which of the modules below got imported; each was once imported on that path.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

#: The standard library modules the no-op ``migrate`` and ``showmigrations`` do without.
STDLIB = ("pathlib", "dataclasses", "urllib.parse", "ipaddress", "importlib.util", "hashlib",
          "json", "traceback", "difflib", "locale")
#: NextORM's modules they do without: running, adopting, other commands, the generator.
NEXTORM = ("nextorm.migrations.executor", "nextorm.migrations.progress",
           "nextorm.migrations.resume", "nextorm.migrations.context",
           "nextorm.migrations.adopt", "nextorm.migrations.graph", "nextorm.migrations.offline",
           "nextorm.migrations.snapshot", "nextorm.migrations.drift", "nextorm.migrations.squash",
           "nextorm.migrations.lint", "nextorm.migrations.fake_check",
           "nextorm.migrations.multiserver", "nextorm.migrations.generate",
           "nextorm.migrations.diff", "nextorm.migrations.writer", "nextorm.schema.operations")
WATCHED = STDLIB + NEXTORM


def project(root: Path, count: int = 5) -> Path:
    """A project: ``app/models.py`` binds a SQLite file, ``migrations/`` holds ``count``."""
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "models.py").write_text(
        "from nextorm import Database\n\ndb = Database(entities=[])\n"
        f"db.bind('sqlite', {str(root / 'app.db')!r})\n")
    (root / "migrations").mkdir()
    for n in range(1, count + 1):
        (root / "migrations" / f"{n:04d}_step.py").write_text(
            f'def upgrade(db):\n    db._execute_dml("CREATE TABLE t{n} (id INTEGER)", [])\n')
    return root


def imported_by(root: Path, *argv: str) -> tuple[int, list[str]]:
    """Run the CLI in a fresh interpreter in ``root``: (exit code, the watched modules)."""
    script = ("import sys\nfrom nextorm.migrations.cli import run\n"
              f"code = run({list(argv)!r})\n"
              f"print(code, repr(sorted(m for m in sys.modules if m in {WATCHED!r})))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(REPO), str(root), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=root, check=True)
    code, modules = done.stdout.splitlines()[-1].split(" ", 1)
    return int(code), list(ast.literal_eval(modules))


def test_noop_migrate_and_showmigrations_import_only_what_they_use(tmp_path: Path) -> None:
    root = project(tmp_path)
    code, applying = imported_by(root, "migrate", "-q", "--module", "app.models")
    assert code == 0
    assert "nextorm.migrations.executor" in applying  # the check does see what is imported
    assert imported_by(root, "migrate", "-q", "--module", "app.models") == (0, [])
    assert imported_by(root, "showmigrations", "-q", "--module", "app.models") == (0, [])



def test_a_project_configured_in_pyproject_pays_no_more(tmp_path: Path) -> None:
    """``[tool.nextorm]`` is read with ``tomllib``; its values stay strings (no ``pathlib``)."""
    root = project(tmp_path)
    (root / "pyproject.toml").write_text('[tool.nextorm]\nmodule = "app.models"\n')
    assert imported_by(root, "migrate", "-q")[0] == 0
    assert imported_by(root, "migrate", "-q") == (0, [])
    assert imported_by(root, "showmigrations", "-q") == (0, [])


def test_a_project_with_a_snapshot_pays_no_more(tmp_path: Path) -> None:
    """With a snapshot, ``migrate`` maps the entities and compares them with it (the warning
    about changes no migration holds): it reads the JSON, still without ``pathlib``."""
    from nextorm.schema.model import SCHEMA_FORMAT

    root = project(tmp_path)
    (root / "migrations" / ".schema_snapshot.json").write_text(
        f'{{"format": {SCHEMA_FORMAT!r}, "tables": {{}}}}\n'.replace("'", '"'))
    assert imported_by(root, "migrate", "-q", "--module", "app.models")[0] == 0
    code, modules = imported_by(root, "migrate", "-q", "--module", "app.models")
    reading = ["json", "nextorm.migrations.drift", "nextorm.migrations.snapshot"]
    assert (code, [m for m in modules if m not in reading]) == (0, [])
    assert sorted(reading) == [m for m in modules if m in reading]  # the snapshot was read
