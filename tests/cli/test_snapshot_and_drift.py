"""The snapshot always agrees with the files; models, snapshot and database drift is reported."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from support.cli import one_error_line, steps

ITEM = """\
from nextorm import PK, Database, Entity, Opt, Req


class Item(Entity):
    id: PK[int]
    name: Req[str]
{extra}

db = Database(entities=[Item])
{bind}
"""


def models(project, *extra: str) -> None:
    lines = "".join(f"    {line}\n" for line in extra)
    project.write_models(ITEM.format(extra=lines, bind=project.target.bind_source()))


def files(project) -> list[str]:
    return sorted(p.name for p in project.migrations.glob("*.py"))


def test_deleting_the_newest_unapplied_migration_writes_it_again(project):
    models(project)
    assert project.run("makemigrations").code == 0
    assert project.run("migrate").code == 0
    models(project, "age: Opt[int]")
    assert project.run("makemigrations").code == 0
    (project.migrations / "0002_add_age_to_item.py").unlink()  # "regenerate my last migration"

    check = project.run("makemigrations", "--check")
    assert check.code == 1, check
    assert "Changes detected" in check.out, check
    made = project.run("makemigrations")
    assert made.code == 0, made
    assert "note: 0002_add_age_to_item.py is gone: the snapshot is rolled back to " \
           "0001_initial.py" in made.out, made
    assert files(project) == ["0001_initial.py", "0002_add_age_to_item.py"]
    applied = project.run("migrate")
    assert steps(applied.out) == ["Applying 0002_add_age_to_item.py ... done"], applied
    project.query("INSERT INTO item (id, name, age) VALUES (1, 'a', 30)")
    assert project.query("SELECT age FROM item") == [(30,)]
    assert project.run("makemigrations", "--check").code == 0


def test_a_deleted_snapshot_is_refused_then_rebuilt_from_the_database(project):
    models(project)
    assert project.run("makemigrations").code == 0
    models(project, "age: Opt[int]")
    assert project.run("makemigrations").code == 0
    assert project.run("migrate").code == 0
    project.query("INSERT INTO item (id, name, age) VALUES (1, 'kept', 7)")
    (project.migrations / ".schema_snapshot.json").unlink()

    for args in (("makemigrations",), ("makemigrations", "--check")):
        refused = project.run(*args)
        line = one_error_line(refused)
        assert ".schema_snapshot.json is missing but 2 migration file(s) exist" in line, line
        assert "rebuild-snapshot" in line
    assert files(project) == ["0001_initial.py", "0002_add_age_to_item.py"]

    rebuilt = project.run("rebuild-snapshot")
    assert rebuilt.code == 0, rebuilt
    assert "as of 0002_add_age_to_item.py" in rebuilt.out
    nothing = project.run("makemigrations")
    assert (nothing.code, nothing.out.strip()) == (0, "No changes detected."), nothing

    models(project, "age: Opt[int]", "note: Opt[int]")
    made = project.run("makemigrations")
    assert made.code == 0, made
    written = (project.migrations / "0003_add_note_to_item.py").read_text()
    assert "CREATE TABLE" not in written.split("def downgrade")[0]  # only the real change
    assert project.run("migrate").code == 0
    assert project.query("SELECT id, name, age FROM item") == [(1, "kept", 7)]


def test_rebuild_refuses_a_database_with_pending_migrations(sqlite_project):
    project = sqlite_project
    models(project)
    assert project.run("makemigrations").code == 0
    refused = project.run("rebuild-snapshot")
    assert one_error_line(refused).startswith(
        "error: 0001_initial.py is pending in this database"), refused


def test_a_snapshot_behind_a_generated_file_is_refused(sqlite_project):
    project = sqlite_project
    models(project)
    assert project.run("makemigrations").code == 0
    old = project.root / "old_snapshot.json"
    shutil.copy(project.migrations / ".schema_snapshot.json", old)
    models(project, "age: Opt[int]")
    assert project.run("makemigrations").code == 0
    shutil.copy(old, project.migrations / ".schema_snapshot.json")  # not committed with 0002
    models(project, "age: Opt[int]", "note: Opt[int]")
    refused = project.run("makemigrations")
    line = one_error_line(refused)
    assert "is behind the files: it was written with 0001_initial.py, but " \
           "0002_add_age_to_item.py was generated after it" in line, line
    assert files(project) == ["0001_initial.py", "0002_add_age_to_item.py"]


def test_check_reports_drift_table_by_table(project):
    models(project)
    assert project.run("makemigrations").code == 0
    assert project.run("migrate").code == 0
    clean = project.run("check")
    assert clean.code == 0, clean
    assert "No drift" in clean.out

    project.query("ALTER TABLE item ADD COLUMN extra INTEGER")  # a hand-made change
    models(project, "age: Opt[int]")  # and a model change without makemigrations
    nextorm = str(Path(sys.executable).parent / "nextorm")
    drift = project.run("check", command=[nextorm])
    assert drift.code == 1, drift
    lines = drift.out.splitlines()
    assert lines == [
        "The database differs from what the applied migrations produce:",
        "  table item: column extra: in the database, not in the migrations",
        "The entities have changes no migration holds (run makemigrations):",
        "  table item: column age: in the entities, not in the migrations",
    ], drift


def test_migrate_warns_about_changes_no_migration_holds(project):
    models(project)
    assert project.run("makemigrations").code == 0
    models(project, "age: Opt[int]")
    result = project.run("migrate")
    assert result.code == 0, result
    assert result.err == ("warning: the entities have changes that no migration holds yet: run "
                          "makemigrations, then migrate\n"), result


def test_fake_checks_the_tables_exist(project):
    models(project, "age: Opt[int]")
    assert project.run("makemigrations").code == 0
    refused = project.run("migrate", "--fake")
    line = one_error_line(refused)
    assert line.startswith("error: --fake would record 0001_initial.py as applied, but table "
                           "item, created by the migrations, does not exist"), line
    assert project.applied() == []

    project.query("CREATE TABLE item (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(255))")
    refused = project.run("migrate", "--fake")
    assert "table item has no column age" in one_error_line(refused)
    project.query("ALTER TABLE item ADD COLUMN age INTEGER")
    adopted = project.run("migrate", "--fake")
    assert steps(adopted.out) == ["Faked 0001_initial.py"], adopted
    assert project.applied() == ["0001_initial.py"]


def test_an_entity_left_out_of_the_database_is_an_error(sqlite_project):
    project = sqlite_project
    project.write_models(f"""\
from nextorm import PK, Database, Entity, Req, Set, Single


class Author(Entity):
    id: PK[int]
    posts: Set["Post"]


class Post(Entity):
    id: PK[int]
    author: Single[Author]


db = Database(entities=[Post])
{project.target.bind_source()}
""")
    result = project.run("makemigrations")
    assert "Post.author: entity 'Author' is not registered with this Database" in \
        one_error_line(result)
    assert files(project) == []


def test_migrate_does_not_warn_about_a_change_the_database_does_not_store(project):
    """Only the differing tables are compared as stored: a Python-only default is no change."""
    models(project, "age: Opt[int]")
    assert project.run("makemigrations").code == 0
    models(project, "age: Opt[int] = Opt(default=lambda: 3)")
    result = project.run("migrate")
    assert result.code == 0, result
    assert result.err == "", result
    models(project, "age: Opt[int] = Opt(default=lambda: 3)", "size: Opt[int]")
    assert "no migration holds yet" in project.run("migrate").err
