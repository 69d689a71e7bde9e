"""Output for scripts and people: ``showmigrations --format json`` / ``--pending-exit-code``,
``NO_COLOR`` / ``FORCE_COLOR``, shell completion, and ``python -m nextorm``."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys

import pytest

FIRST = """\
def upgrade(db):
    db._execute_dml("CREATE TABLE item (id INTEGER NOT NULL PRIMARY KEY)")


def downgrade(db):
    db._execute_dml("DROP TABLE item")
"""
SECOND = """\
def upgrade(db):
    db._execute_dml("CREATE TABLE tag (id INTEGER NOT NULL PRIMARY KEY)")
"""
ANSI = "\x1b["


def two_files(project) -> None:
    project.write_migration("0001_initial.py", FIRST)
    project.write_migration("0002_tag.py", SECOND)


def test_showmigrations_json_shape(project):
    two_files(project)
    assert project.run("migrate", "1").code == 0
    shown = project.run("showmigrations", "--format", "json")
    assert shown.code == 0, shown
    data = json.loads(shown.out)
    assert set(data) == {"format", "database", "migrations", "pending"}
    assert (data["format"], data["pending"]) == (1, 1)
    assert data["database"].startswith(project.target.provider)
    first, second = data["migrations"]
    assert set(first) == {"name", "version", "applied", "applied_at", "state"}
    assert (first["name"], first["version"], first["applied"], first["state"]) == (
        "0001_initial.py", "0001_initial", True, "applied")
    assert first["applied_at"][:2] == "20" and "T" in first["applied_at"]
    assert second == {"name": "0002_tag.py", "version": "0002_tag", "applied": False,
                      "applied_at": None, "state": "pending"}


def test_showmigrations_json_of_an_empty_folder_is_still_json(sqlite_project):
    shown = sqlite_project.run("showmigrations", "--format", "json", "--quiet")
    assert shown.code == 0, shown
    assert json.loads(shown.out)["migrations"] == []


def test_pending_exit_code_tells_scripts_something_is_pending(project):
    two_files(project)
    assert project.run("showmigrations").code == 0  # without the flag: 0, as before
    pending = project.run("showmigrations", "--pending-exit-code")
    assert pending.code == 3, pending
    assert "[ ] 0002_tag.py" in pending.out
    quiet = project.run("showmigrations", "--pending-exit-code", "--format", "json")
    assert (quiet.code, json.loads(quiet.out)["pending"]) == (3, 2)
    assert project.run("migrate").code == 0
    done = project.run("showmigrations", "--pending-exit-code")
    assert done.code == 0, done


def test_colours_follow_force_color_and_no_color(sqlite_project, monkeypatch):
    two_files(sqlite_project)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    plain = sqlite_project.run("showmigrations")
    assert ANSI not in plain.out  # not a terminal: no colours
    monkeypatch.setenv("FORCE_COLOR", "1")
    forced = sqlite_project.run("showmigrations")
    assert f"{ANSI}33m[ ] 0001_initial.py" in forced.out, forced
    error = sqlite_project.run("migrate", "--directory", "nowhere")
    assert error.err.startswith(f"{ANSI}31merror: "), error
    monkeypatch.setenv("NO_COLOR", "1")  # NO_COLOR wins, as in CPython
    for result in (sqlite_project.run("showmigrations"),
                   sqlite_project.run("migrate", "--directory", "nowhere")):
        assert ANSI not in result.out + result.err, result
    assert sqlite_project.run("migrate").out.count("done") == 2


def on_terminal(project, env: dict[str, str]) -> bytes:
    """Run showmigrations with stdout on a pseudo-terminal; return what it printed."""
    import pty

    main, secondary = pty.openpty()
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.Popen([sys.executable, "-m", "nextorm", "showmigrations", "--module",
                             "myapp.models"], cwd=project.root, stdout=secondary,
                            stderr=subprocess.PIPE, env={**environ, **env})
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
    return seen


def test_a_terminal_gets_colours_unless_no_color(sqlite_project):
    two_files(sqlite_project)
    coloured = on_terminal(sqlite_project, {})
    assert ANSI.encode() + b"33m[ ] 0001_initial.py" in coloured, coloured
    plain = on_terminal(sqlite_project, {"NO_COLOR": "1"})
    assert b"[ ] 0001_initial.py" in plain and ANSI.encode() not in plain, plain


def complete(project) -> str:
    """Run the CLI in process as the shell's completion calls it (click writes bytes there,
    so stdout is a text stream over a byte buffer, as a real stdout is)."""
    from nextorm.migrations.cli import run

    buffer = io.BytesIO()
    stdout = io.TextIOWrapper(buffer, encoding="utf-8")
    with contextlib.redirect_stdout(stdout):
        assert run([], cwd=project.root) == 0
    stdout.flush()
    return buffer.getvalue().decode()


@pytest.mark.parametrize(("shell", "expected"), [
    ("bash", "complete -o nosort -F _nextorm_completion nextorm"),
    ("zsh", "#compdef nextorm"),
    ("fish", "complete --no-files --command nextorm"),
])
def test_completion_scripts_are_generated(sqlite_project, monkeypatch, shell, expected):
    monkeypatch.setenv("_NEXTORM_COMPLETE", f"{shell}_source")
    assert expected in complete(sqlite_project)


def test_completion_offers_the_commands(sqlite_project, monkeypatch):
    monkeypatch.setenv("_NEXTORM_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "nextorm sh")
    monkeypatch.setenv("COMP_CWORD", "1")
    assert complete(sqlite_project).split() == ["plain,showmigrations"]
    monkeypatch.setenv("COMP_WORDS", "nextorm showmigrations --for")
    monkeypatch.setenv("COMP_CWORD", "2")
    assert complete(sqlite_project).split() == ["plain,--format"]


def test_python_dash_m_nextorm_is_the_nextorm_command(sqlite_project):
    two_files(sqlite_project)
    by_module = sqlite_project.run("migrate", in_process=False,
                                   command=[sys.executable, "-m", "nextorm"])
    assert by_module.code == 0, by_module
    assert by_module.out.count("done") == 2
    usage = sqlite_project.run("migrate", "--bogus", in_process=False,
                               command=[sys.executable, "-m", "nextorm"])
    assert usage.code == 2 and usage.err.startswith("error: no such option '--bogus'"), usage
    cheap = subprocess.run([sys.executable, "-c", "import sys, nextorm; print(sorted(m for m in "
                            "('click', 'nextorm.migrations.cli', 'jinja2') if m in sys.modules))"],
                           capture_output=True, text=True, check=True)
    assert cheap.stdout.strip() == "[]"
