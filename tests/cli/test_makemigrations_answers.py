"""makemigrations on tables that hold rows: every answer a terminal gives has a hint, every
value is checked, and nothing that loses data happens without a word.

A user renames an entity class, adds a required foreign key or a column whose default is a
callable, drops things, names a migration in their own language and runs ``black --check``:
each scenario runs the CLI in a subprocess on SQLite, PostgreSQL and MariaDB (``project``),
with rows in the tables, and reads the rows back with a fresh connection.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from nextorm import SQLError
from support.cli import one_error_line

BLOG = """\
import datetime as dt

from nextorm import PK, Database, Entity, Opt, Req, Single, Set


class {cls}(Entity):
{extra}    id: PK[int]
    title: Req[str] = Req(max_len=80)
    body: Opt[str]
    views: Req[int] = Req(default=0)
    replies: Set["Reply"]


class Reply(Entity):
    id: PK[int]
    text: Req[str]
    post: Single[{cls}]


db = Database(entities=[{cls}, Reply])
{bind}
"""


def blog(project, cls: str = "Post", extra: str = "") -> None:
    project.write_models(BLOG.format(cls=cls, extra=extra, bind=project.target.bind_source()))


def migration_files(project) -> list[str]:
    return sorted(p.name for p in project.migrations.glob("*.py"))


def made(result, project) -> None:
    assert result.code == 0, result
    assert project.run("migrate").code == 0


def test_renaming_an_entity_class_stops_for_a_hint_then_keeps_the_rows(project):
    blog(project)
    made(project.run("makemigrations"), project)
    project.query("INSERT INTO post (id, title, body, views) VALUES (?, ?, ?, ?)",
                  [1, "Hello", "first", 7])
    project.query("INSERT INTO reply (id, text, post_id) VALUES (?, ?, ?)", [1, "hi", 1])

    blog(project, cls="Article")  # class Post -> class Article: table post -> article
    refused = project.run("makemigrations")
    assert "--rename-table post=article" in one_error_line(refused)
    assert migration_files(project) == ["0001_initial.py"]

    made(project.run("makemigrations", "--rename-table", "post=article"), project)
    assert "post" not in project.tables()
    assert project.query("SELECT id, title, body, views FROM article") == [(1, "Hello", "first", 7)]
    assert project.query("SELECT id, text, post_id FROM reply") == [(1, "hi", 1)]


def test_a_rename_declared_on_the_entity_needs_no_option(project):
    blog(project)
    made(project.run("makemigrations"), project)
    project.query("INSERT INTO post (id, title, body, views) VALUES (?, ?, ?, ?)", [1, "a", "", 2])
    blog(project, cls="Article", extra='    _renamed_from_ = "post"\n')
    made(project.run("makemigrations"), project)
    assert project.query("SELECT id, title, views FROM article") == [(1, "a", 2)]
    again = project.run("makemigrations")  # the hint stays in the code and harms nothing
    assert (again.code, again.out) == (0, "No changes detected.\n"), again


PARENT_CHILD = """\
from nextorm import PK, Database, Entity, Req, Set, Single


class Parent(Entity):
    id: PK[int]
    name: Req[str]
{parent_extra}

class Child(Entity):
    id: PK[int]
    note: Req[str]
{child_extra}

db = Database(entities=[Parent, Child])
{bind}
"""


def family(project, with_reference: bool) -> None:
    project.write_models(PARENT_CHILD.format(
        parent_extra='    children: Set["Child"]\n' if with_reference else "",
        child_extra="    parent: Single[Parent]\n" if with_reference else "",
        bind=project.target.bind_source()))


def test_a_required_foreign_key_is_added_to_a_table_with_rows_without_a_terminal(project):
    family(project, with_reference=False)
    made(project.run("makemigrations"), project)
    project.query("INSERT INTO parent (id, name) VALUES (?, ?)", [1, "root"])
    project.query("INSERT INTO child (id, note) VALUES (?, ?), (?, ?)", [1, "a", 2, "b"])

    family(project, with_reference=True)
    asked = one_error_line(project.run("makemigrations"))
    assert "child.parent_id is NOT NULL" in asked and "--default child.parent_id=VALUE" in asked
    wrong = one_error_line(project.run("makemigrations", "--default", "child.parent_id=abc def"))
    assert wrong == "error: --default child.parent_id=abc def: 'abc def' is not an integer"
    typo = one_error_line(project.run("makemigrations", "--default", "child.parnt_id=1"))
    assert "the entities have no column child.parnt_id" in typo
    assert migration_files(project) == ["0001_initial.py"]

    made(project.run("makemigrations", "--default", "child.parent_id=1"), project)
    assert project.query("SELECT id, note, parent_id FROM child ORDER BY id") == [
        (1, "a", 1), (2, "b", 1)]


NOTE = """\
import datetime as dt

from nextorm import PK, Database, Entity, Req


class Note(Entity):
    id: PK[int]
    title: Req[str]
{extra}

db = Database(entities=[Note])
{bind}
"""


def notes(project, extra: str = "") -> None:
    project.write_models(NOTE.format(extra=extra, bind=project.target.bind_source()))


def note_with_a_row_then(project, extra: str) -> None:
    """The note table migrated, holding one row; then the models gain ``extra``."""
    notes(project)
    made(project.run("makemigrations"), project)
    project.query("INSERT INTO note (id, title) VALUES (?, ?)", [1, "a"])
    notes(project, extra)


def as_datetime(value) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def test_a_callable_default_fills_existing_rows_with_one_value_computed_at_migrate(project):
    notes(project)
    made(project.run("makemigrations"), project)
    project.query("INSERT INTO note (id, title) VALUES (?, ?), (?, ?), (?, ?)",
                  [1, "a", 2, "b", 3, "c"])
    notes(project, "    created: Req[dt.datetime] = Req(default=dt.datetime.now)\n")
    written = project.run("makemigrations")
    assert written.code == 0, written
    (path,) = project.migrations.glob("0002_*.py")
    assert "value = to_db(datetime.datetime.now())" in path.read_text() or (
        "value = datetime.datetime.now()" in path.read_text())

    before = dt.datetime.now() - dt.timedelta(seconds=5)
    assert project.run("migrate").code == 0
    values = {as_datetime(v) for (v,) in project.query("SELECT created FROM note")}
    assert len(values) == 1  # one value for every row, computed once
    assert before <= values.pop() <= dt.datetime.now() + dt.timedelta(seconds=5)
    with pytest.raises(SQLError):  # NOT NULL holds afterwards (MariaDB: IntegrityError too)
        project.query("INSERT INTO note (id, title, created) VALUES (?, ?, ?)", [4, "d", None])


def test_a_callable_default_takes_a_one_off_value_instead(project):
    note_with_a_row_then(project, "    created: Req[dt.datetime] = Req(default=dt.datetime.now)\n")
    made(project.run("makemigrations", "--default", "note.created=2020-01-02 03:04:05"), project)
    (value,) = project.query("SELECT created FROM note")[0]
    assert as_datetime(value) == dt.datetime(2020, 1, 2, 3, 4, 5)


def test_a_lambda_default_cannot_be_called_from_a_file(sqlite_project):
    project = sqlite_project
    notes(project)
    made(project.run("makemigrations"), project)
    notes(project, "    code: Req[int] = Req(default=lambda: 7)\n")
    error = one_error_line(project.run("makemigrations"))
    assert "note.code" in error and "lambda" in error and "--default note.code=VALUE" in error
    assert migration_files(project) == ["0001_initial.py"]


def test_every_destructive_step_is_printed_as_a_warning(project):
    family(project, with_reference=True)
    made(project.run("makemigrations"), project)
    project.write_models(NOTE.format(extra="", bind=project.target.bind_source()).replace(
        "class Note(Entity):\n    id: PK[int]\n    title: Req[str]\n",
        "class Parent(Entity):\n    id: PK[int]\n"
    ).replace("entities=[Note]", "entities=[Parent]"))
    result = project.run("makemigrations")
    assert result.code == 0, result
    (path,) = project.migrations.glob("0002_*.py")
    assert result.err.splitlines() == [
        f"warning: {path.name} drops column parent.name: its values are lost",
        f"warning: {path.name} drops table child: its rows are lost",
    ], result
    assert result.out == f"Created migrations/{path.name}\n"


def test_a_migration_name_keeps_letters_of_any_script(sqlite_project):
    project = sqlite_project
    notes(project)
    made(project.run("makemigrations"), project)
    result = project.run("makemigrations", "--empty", "--name", "数据迁移")
    assert result.out == "Created migrations/0002_数据迁移.py\n", result
    assert project.run("migrate").code == 0
    assert project.applied() == ["0001_initial.py", "0002_数据迁移.py"]


def black_check(project, *files: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "black", "--check", *(files or ["migrations"])],
                          cwd=project.root, capture_output=True, text=True, timeout=120)


def test_generated_files_pass_the_users_black_check(project):
    """No black configuration: black's defaults (88); then the project's own line length."""
    blog(project)
    made(project.run("makemigrations"), project)
    project.write_models(BLOG.format(cls="Post", extra="", bind=project.target.bind_source())
                         .replace("    views: Req[int] = Req(default=0)\n",
                                  "    views: Req[int] = Req(default=0)\n"
                                  "    a_rather_long_column_name_for_a_label: Req[str] = "
                                  "Req(max_len=120, unique=True)\n"))
    made(project.run("makemigrations"), project)
    checked = black_check(project)
    assert checked.returncode == 0, checked.stderr

    (project.root / "pyproject.toml").write_text("[tool.black]\nline-length = 120\n")
    project.write_models(BLOG.format(cls="Post", extra="", bind=project.target.bind_source()))
    made(project.run("makemigrations"), project)
    (path,) = project.migrations.glob("0003_*.py")
    checked = black_check(project, str(path))  # the files before were written for 88
    assert checked.returncode == 0, checked.stderr
    assert max(len(line) for line in path.read_text().splitlines()) > 88


def test_the_interactive_default_is_checked_and_asked_again(sqlite_project):
    project = sqlite_project
    note_with_a_row_then(project, "    level: Req[int]\n")
    seen = project.run_in_terminal({b"Value for the existing rows (an integer)": [
        b"abc def", b"5"]})
    assert b"'abc def' is not an integer; try again." in seen, seen
    assert seen.count(b"Value for the existing rows") == 2, seen
    assert project.run("migrate").code == 0
    assert project.query("SELECT level FROM note") == [(5,)]


def test_a_terminal_may_give_a_callable_default_a_one_off_value(sqlite_project):
    project = sqlite_project
    note_with_a_row_then(project, "    created: Req[dt.datetime] = Req(default=dt.datetime.now)\n")
    seen = project.run_in_terminal({b"or type a one-off value": [b"yesterday", b"2021-05-06"]})
    assert b"'yesterday' is not a date and time" in seen, seen
    assert project.run("migrate").code == 0
    (value,) = project.query("SELECT created FROM note")[0]
    assert as_datetime(value) == dt.datetime(2021, 5, 6)


