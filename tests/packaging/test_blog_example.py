"""The blog example's README runs as written, with plain pip and with pdm.

Each test copies what the README needs (the package, its templates and pyproject.toml, and
``examples/blog`` with its shipped migrations, without any local venv or database) into a
temporary folder laid out as the repository, and runs the README's bash block there line by
line, as a new user pastes it.  The shipped migrations must be current: ``makemigrations``
finds nothing to write, and ``migrate`` applies the shipped file.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BLOG = REPO / "examples" / "blog"
IGNORED = shutil.ignore_patterns(".venv", "*.db", "__pycache__", "pdm.lock", ".pdm-python",
                                 "*.egg-info")


def readme_block(title: str) -> str:
    """The bash block of the README section ``## title``."""
    text = (BLOG / "README.md").read_text(encoding="utf-8")
    section = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```bash\n(.*?)```", section, re.S)
    assert match, f"no bash block under '## {title}'"
    return match[1]


def repository_copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("nextorm", "templates"):
        shutil.copytree(REPO / name, root / name, ignore=IGNORED)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(BLOG, root / "examples" / "blog", ignore=IGNORED)
    return root


def run_block(block: str, root: Path, env: dict[str, str]) -> str:
    """Run the block's lines in one bash, stopping at the first that fails."""
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
    return done.stdout


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "DATABASE_URL", "PDM_PROJECT")}
    env.update(extra)
    return env


def applied(blog: Path) -> list[str]:
    with sqlite3.connect(blog / "blog.db") as conn:
        return [row[0] for row in conn.execute("SELECT name FROM _nextorm_migrations")]


def shipped(blog: Path) -> set[str]:
    return {p.name for p in (blog / "migrations").iterdir()}


@pytest.mark.slow
def test_readme_runs_with_pip(tmp_path):
    root = repository_copy(tmp_path)
    blog = root / "examples" / "blog"
    before = shipped(blog)
    out = run_block(readme_block("With pip"), root, clean_env())
    assert "No changes detected." in out
    assert "Applying 0001_initial.py ... done" in out
    assert "[x] 0001_initial.py (" in out
    assert "erDiagram" in out and "user ||--o{ post" in out
    assert applied(blog) == ["0001_initial.py"]
    assert shipped(blog) == before  # nothing generated beside the shipped files
    assert (blog / ".venv" / "bin" / "nextorm").exists()


def pdm_command() -> Path | None:
    beside = Path(sys.executable).parent / "pdm"
    found = beside if beside.exists() else shutil.which("pdm")
    return Path(found) if found else None


@pytest.mark.slow
def test_readme_runs_with_pdm(tmp_path):
    pdm = pdm_command()
    if pdm is None:
        pytest.skip("pdm is not installed (pip install 'nextorm[dev]' installs it)")
    root = repository_copy(tmp_path)
    blog = root / "examples" / "blog"
    env = clean_env(PDM_HOME=str(tmp_path / "pdm-home"), PDM_CHECK_UPDATE="false",
                    PDM_NON_INTERACTIVE="1", PDM_CACHE_DIR=str(tmp_path / "pdm-cache"),
                    PATH=f"{pdm.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    out = run_block(readme_block("With pdm"), root, env)
    assert "No changes detected." in out
    assert "Applying 0001_initial.py ... done" in out
    assert "[x] 0001_initial.py (" in out
    assert applied(blog) == ["0001_initial.py"]
    installed = subprocess.run([str(blog / ".venv" / "bin" / "python"), "-c",
                                "import nextorm; print(nextorm.__file__)"],
                               cwd=tmp_path, capture_output=True, text=True,
                               check=True).stdout
    assert installed.startswith(str(root)), installed  # this repository's, not PyPI's


def test_shipped_diagram_is_current(tmp_path):
    """docs/blog-diagram.md ends with what `nextorm graph` draws from the shipped snapshot."""
    from nextorm.migrations.cli import run

    out = tmp_path / "diagram.md"
    assert run(["graph", "-q", "--output", str(out)], cwd=BLOG) == 0
    page = (REPO / "docs" / "blog-diagram.md").read_text()
    assert page.startswith("# ") and page.endswith(out.read_text())
