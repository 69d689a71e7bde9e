"""A project nextorm 0.5.1 migrated, switched to this NextORM and driven from the command line.

The fixture (tests/fixtures/nextorm051/) is 0.5.1's own output; its models.py runs unchanged.
"""

from __future__ import annotations

import re
import shutil

from support.adopt051 import data_rows, fixture_rows, install, models_source

NOTICE = ("Adopted nextorm 0.5.1's history: _nextorm_migrations upgraded (2 applied "
          "migration(s) kept), .schema_snapshot.json converted")


def switch(project, *extra: str) -> None:
    """The 0.5.1 project as the user has it, with its models.py (plus ``extra`` lines)."""
    if not any(project.migrations.iterdir()):
        shutil.rmtree(project.migrations)
        install(project.target, project.root)
    project.write_models(models_source(*extra) + project.target.bind_source() + "\n")


def rows(project) -> dict[str, list[tuple]]:
    from nextorm import Database

    db = Database(entities=[])
    project.target.bind(db)
    try:
        return data_rows(db)
    finally:
        db.disconnect()


def test_the_first_migrate_adopts_with_one_notice(project):
    switch(project)
    before = rows(project)
    result = project.run("migrate")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[1:] == [NOTICE, "No migrations to apply."], result.out
    assert lines[0].startswith("Migrating ")
    assert result.err == ""
    shown = project.run("showmigrations")
    assert shown.code == 0, shown
    times = [at[:19] for _, at in fixture_rows("_nextorm_migrations")]
    assert shown.out.splitlines() == [
        f"[x] 0001_initial.py            ({times[0]})",
        f"[x] 0002_add_email_and_tags.py ({times[1]})"]
    assert project.applied() == ["0001_initial.py", "0002_add_email_and_tags.py"]
    assert rows(project) == before
    again = project.run("migrate")
    assert NOTICE not in again.out and "No migrations to apply." in again.out


def test_adopt_command_then_makemigrations_writes_only_the_change(project):
    switch(project)
    before = rows(project)
    refused = project.run("makemigrations")
    assert refused.code == 1
    assert "was written by nextorm 0.5.1: convert it once with 'migrate' or 'adopt-0.5.1'" in \
        refused.err
    adopted = project.run("adopt-0.5.1")
    assert (adopted.code, adopted.out.strip()) == (0, NOTICE), adopted
    assert project.run("adopt-0.5.1").out.startswith("Nothing to adopt")
    switch(project, "bio: Opt[str]")
    made = project.run("makemigrations", "--name", "add_bio")
    assert made.code == 0, made
    assert "Created migrations/0003_add_bio.py" in made.out
    source = (project.migrations / "0003_add_bio.py").read_text()
    upgrade = source.split("def upgrade")[1].split("def downgrade")[0]
    assert "Add column author.bio" in upgrade
    assert not re.search(r"[\"`](post|tag|post_tag)[\"`]", upgrade), upgrade  # nothing else
    applied = project.run("migrate")
    assert "Applying 0003_add_bio.py ... done" in applied.out, applied
    assert rows(project) == before
    assert project.run("makemigrations").out.strip() == "No changes detected."
