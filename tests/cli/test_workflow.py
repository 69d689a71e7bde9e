"""The guide's workflow typed as a user types it: makemigrations, migrate, showmigrations,
the PDM shorthand, and the Python API."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support.cli import steps

USER_V1 = """\
from nextorm import PK, Database, Entity, Req


class User(Entity):
    id: PK[int]
    name: Req[str]


db = Database(entities=[User])
{bind}
"""

USER_V2 = USER_V1.replace("    name: Req[str]\n", "    name: Req[str]\n    email: Req[str]\n")


def test_guide_workflow_end_to_end(project):
    project.write_models(USER_V1.format(bind=project.target.bind_source()))

    made = project.run("makemigrations")
    assert (made.code, made.out) == (0, "Created migrations/0001_initial.py\n"), made
    assert (project.migrations / ".schema_snapshot.json").exists()

    applied = project.run("migrate")
    assert applied.code == 0, applied
    assert steps(applied.out) == ["Applying 0001_initial.py ... done"], applied
    project.query('INSERT INTO {} (name) VALUES (?)'.format(
        "`user`" if project.target.provider == "mysql" else '"user"'), ["alice"])

    nothing = project.run("makemigrations")
    assert (nothing.code, nothing.out) == (0, "No changes detected.\n"), nothing

    project.write_models(USER_V2.format(bind=project.target.bind_source()))
    check = project.run("makemigrations", "--check")
    assert check.code == 1, check
    assert "0002_add_email_to_user.py" in check.out
    dry = project.run("makemigrations", "--dry-run")
    assert dry.code == 0 and "def upgrade(db):" in dry.out, dry
    assert sorted(p.name for p in project.migrations.glob("*.py")) == ["0001_initial.py"]

    made = project.run("makemigrations")
    assert made.out == "Created migrations/0002_add_email_to_user.py\n", made
    applied = project.run("migrate")
    assert applied.code == 0, applied
    assert steps(applied.out) == ["Applying 0002_add_email_to_user.py ... done"], applied

    shown = project.run("showmigrations")
    lines = shown.out.splitlines()
    assert re.fullmatch(r"\[x\] 0001_initial\.py {11}\(\S+\)", lines[0]), lines
    assert re.fullmatch(r"\[x\] 0002_add_email_to_user\.py \(\S+\)", lines[1]), lines
    quoted = "`user`" if project.target.provider == "mysql" else '"user"'
    assert project.query(f"SELECT name, email FROM {quoted}") == [("alice", "")]

    back = project.run("migrate", "1")
    assert back.code == 0, back
    assert project.query(f"SELECT name FROM {quoted}") == [("alice",)]


def test_root_flags_run_in_order_with_pyproject_defaults(project):
    project.write_models(USER_V1.format(bind=project.target.bind_source()), path="app/models.py")
    (project.root / "pyproject.toml").write_text(
        '[tool.nextorm]\nmodule = "app.models"\ndirectory = "db/migrations"\n')
    result = project.run("--showmigrations", "--migrate", "--makemigrations", module=None)
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0] == "Created db/migrations/0001_initial.py", lines
    assert lines[1].startswith("Migrating "), lines
    assert lines[2].startswith("Applying 0001_initial.py ... done ("), lines
    assert lines[3].startswith("[x] 0001_initial.py ("), lines
    # run from a sub-folder: the nearest pyproject.toml is found, paths are relative to it
    sub = project.root / "docs"
    sub.mkdir()
    shown = project.run("showmigrations", module=None, cwd=sub)
    assert shown.code == 0 and shown.out.startswith("[x] 0001_initial.py"), shown


@pytest.mark.slow
def test_pdm_run_migrate_shorthand(sqlite_project, tmp_path):
    pdm = Path(sys.executable).parent / "pdm"
    if not pdm.exists():
        pdm = Path(shutil.which("pdm") or "pdm")
    project = sqlite_project
    project.write_models(USER_V1.format(bind=project.target.bind_source()))
    (project.root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n\n'
        '[tool.nextorm]\nmodule = "myapp.models"\n\n'
        '[tool.pdm]\ndistribution = false\n\n'
        '[tool.pdm.scripts]\nmigrate = "python -m nextorm.migrations.cli"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    # PDM_PYTHON picks the interpreter as ``pdm use`` would, without a fourth start of pdm.
    env.update(PDM_HOME=str(tmp_path / "pdm-home"), PDM_CHECK_UPDATE="false",
               PDM_NON_INTERACTIVE="1", PDM_PYTHON=sys.executable)

    def pdm_run(*args):
        proc = subprocess.run([str(pdm), *args], cwd=project.root, env=env, capture_output=True,
                              text=True, timeout=120)
        return proc.returncode, proc.stdout, proc.stderr

    code, out, err = pdm_run("run", "migrate", "--makemigrations")
    assert (code, out) == (0, "Created migrations/0001_initial.py\n"), err
    code, out, err = pdm_run("run", "migrate", "--migrate")
    assert code == 0, err
    assert steps(out) == ["Applying 0001_initial.py ... done"], out
    code, out, err = pdm_run("run", "migrate", "--showmigrations")
    assert out.startswith("[x] 0001_initial.py ("), (out, err)
    assert project.applied() == ["0001_initial.py"]


def test_python_api_as_in_the_guide(target, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = f"""
from nextorm import Database, Entity, PK, Req, migrate, makemigrations, MigrationRunner
from nextorm import showmigrations

class Thing(Entity):
    id: PK[int]
    label: Req[str]

db = Database(entities=[Thing])
db.bind({target.provider!r}, {target.url!r})
db.generate_mapping()
print(makemigrations(db, directory="migrations/", name="initial"))
print(migrate(db, directory="migrations/"))
runner = MigrationRunner(db, directory="migrations/")
statuses = runner.showmigrations()
print([(s.name, s.version, s.applied, bool(s.applied_at)) for s in statuses])
print(runner.migrate())
print(runner.makemigrations())
print([str(s) for s in showmigrations(db, directory="migrations/")])
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "migrations/0001_initial.py"
    assert lines[1] == "['0001_initial.py']"
    assert lines[2] == "[('0001_initial.py', '0001_initial', True, True)]"
    assert lines[3:5] == ["[]", "None"]
    assert re.fullmatch(r"\['\[x\] 0001_initial\.py \(\S+\)'\]", lines[5]), lines


@pytest.mark.parametrize("command", ["migrate", "showmigrations"])
def test_runtime_never_imports_the_generator(sqlite_project, command):
    project = sqlite_project
    project.write_models(USER_V1.format(bind=project.target.bind_source()))
    assert project.run("makemigrations").code == 0
    assert project.run("migrate").code == 0
    code = f"""
import sys
from nextorm.migrations.cli import main
try:
    main([{command!r}, "--module", "myapp.models", "-q"])
except SystemExit as exit:
    assert exit.code == 0, exit.code
# The snapshot (json only) is read by migrate's "changes no migration holds" warning.
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("black", "deepdiff", "jinja2")
               or m in ("nextorm.migrations.diff", "nextorm.migrations.writer",
                        "nextorm.migrations.generate"))
print(heavy)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=project.root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_applied_files_are_not_imported(sqlite_project):
    project = sqlite_project
    marker = project.root / "imported.txt"
    project.write_migration("0001_initial.py", f"""
        with open({str(marker)!r}, "a") as f:
            f.write("imported\\n")

        def upgrade(db):
            db._execute_dml("CREATE TABLE item (id INTEGER PRIMARY KEY)", [])
        """)
    assert project.run("migrate").code == 0
    assert marker.read_text() == "imported\n"
    assert project.run("migrate").code == 0
    assert project.run("showmigrations").code == 0
    assert marker.read_text() == "imported\n"


def test_makemigrations_options_pass_through(sqlite_project):
    project = sqlite_project
    project.write_models(USER_V1.format(bind=project.target.bind_source()))
    made = project.run("makemigrations", "--name", "First Tables!")
    assert made.out == "Created migrations/0001_first_tables.py\n", made
    empty = project.run("makemigrations", "--empty", "--name", "backfill")
    assert empty.out == "Created migrations/0002_backfill.py\n", empty
    assert project.run("migrate").code == 0
    assert project.applied() == ["0001_first_tables.py", "0002_backfill.py"]

    renamed = USER_V1.replace("    name: Req[str]\n", "    full_name: Req[str]\n")
    project.write_models(renamed.format(bind=project.target.bind_source()))
    refused = project.run("makemigrations")  # stdin is not a terminal: no question asked
    assert refused.code == 1, refused
    assert refused.err.startswith("error: column user.name disappeared"), refused
    assert "--rename user.name=full_name" in refused.err
    assert len(list(project.migrations.glob("0003_*.py"))) == 0
    made = project.run("makemigrations", "--rename", "user.name=full_name")
    assert made.code == 0, made
    assert project.run("migrate").code == 0


def test_fake_still_refuses_a_file_without_upgrade(sqlite_project):
    project = sqlite_project
    project.write_migration("0001_nothing.py", "X = 1\n")
    result = project.run("migrate", "--fake")
    assert result.code == 1
    assert "has no upgrade(db) function" in result.err
    assert project.applied() == []


def test_makemigrations_asks_on_a_terminal(sqlite_project):
    project = sqlite_project
    project.write_models(USER_V1.format(bind=project.target.bind_source()))
    assert project.run("makemigrations").code == 0
    renamed = USER_V1.replace("    name: Req[str]\n", "    full_name: Req[str]\n")
    project.write_models(renamed.format(bind=project.target.bind_source()))

    seen = project.run_in_terminal({b"Did you rename user.name to user.full_name?": [b"y"]})
    assert b"Created migrations/0002_" in seen, seen
    assert project.run("migrate").code == 0


EXIT_MODELS = "import atexit\nfrom nextorm import db_session\n" + USER_V1 + """

class Audit:  # keeps a bound method of itself: a reference cycle, finalized at exit
    def __init__(self, path):
        self.out = open(path, "a")
        self.hook = self.write

    def write(self, line):
        self.out.write(line + "\\n")


AUDIT = Audit({audit!r})
AUDIT.hook("command started")


def _at_exit():  # the user's exit hook writes through the ORM
    try:
        with db_session:
            User(name="exit hook")
        result = "ok"
    except Exception as exc:
        result = f"{{type(exc).__name__}}: {{exc}}"
    with open({hook!r}, "w") as out:
        out.write(result)


atexit.register(_at_exit)
"""


def test_the_process_exit_still_flushes_and_runs_the_users_hooks(sqlite_project):
    """The CLI's exit is the interpreter's own: a file buffered by an object in a reference
    cycle is flushed, and an ``atexit`` hook of the models still finds the database bound."""
    project = sqlite_project
    audit, hook = project.root / "audit.log", project.root / "hook.txt"
    project.write_models(EXIT_MODELS.format(bind=project.target.bind_source(),
                                            audit=str(audit), hook=str(hook)))
    assert project.run("makemigrations").code == 0
    audit.unlink()
    proc = subprocess.run([sys.executable, "-m", "nextorm.migrations.cli", "migrate", "-q",
                           "--module", "myapp.models"], cwd=project.root, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert audit.read_text() == "command started\n"
    assert hook.read_text() == "ok"
