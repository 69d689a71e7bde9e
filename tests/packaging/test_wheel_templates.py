"""The wheel carries the default templates: a user who pip-installs NextORM can render.

Builds the wheel, installs it into a fresh virtual environment, and runs makemigrations there,
outside the repository, so the templates can only come from ``site-packages/nextorm/templates``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    from nextorm import Database, Entity, Opt, Req
    from nextorm.migrations.generate import makemigrations
    from nextorm.migrations.writer import default_template_dir

    class Note(Entity):
        title: Req[str]
        body: Opt[str]

    db = Database(entities=[Note])
    db.bind("sqlite", "app.db")
    db.generate_mapping()
    print(default_template_dir())
    print(makemigrations(db, "migrations"))
""")


def run(*args: str, cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
def test_installed_wheel_renders_with_packaged_templates(tmp_path):
    dist = tmp_path / "dist"
    # With the backend installed here (dev extra): an isolated build env installs hatchling
    # anew each time (2.2 of the test's 5.4 s).  The README's install, tested by
    # test_blog_example.py, still builds in isolation.
    run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist),
        str(REPO), cwd=REPO)
    (wheel,) = dist.glob("nextorm-*.whl")
    venv = tmp_path / "venv"
    # No pip of its own (ensurepip took 3.3 of the test's 7.9 s): this pip installs into it.
    run(sys.executable, "-m", "venv", "--without-pip", str(venv), cwd=tmp_path)
    python = venv / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", str(python), "install", "-q", str(wheel),
        cwd=tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    (project / "make.py").write_text(SCRIPT)
    template_dir, path = run(str(python), "make.py", cwd=project).split()
    assert Path(template_dir).parts[-2:] == ("nextorm", "templates")
    assert "site-packages" in template_dir and str(REPO) not in template_dir
    source = (project / path).read_text()
    assert 'DIALECT = "sqlite"' in source and 'CREATE TABLE "note"' in source
    run(str(python), "-c", "import runpy; m = runpy.run_path('migrations/0001_initial.py'); "
        "assert callable(m['upgrade'])", cwd=project)
