"""``nextorm lint --dialect``: each server's part of a multi-server folder, linted offline.

The module is bound to an unreachable PostgreSQL (port 1): ``--dialect`` never connects, yet
the module's entities are read (NX105).  Generated folders are linted on the server that
made them, and the result is the same as ``lint --offline`` there.
"""

from __future__ import annotations

from support.cli import INITIAL, UNREACHABLE_MODELS
from support.lint import codes
from support.multi_server import generate_folder

SAFE = "UPDATE item SET name = 'x' WHERE name = ''"

#: NX108 on PostgreSQL only: its part sets NOT NULL without the safe pattern.
PARTS = f"""
DIALECTS = ["sqlite", "postgres", "mysql"]

{{silence}}
def upgrade_sqlite(db):
    db._execute_dml("{SAFE}", [])


def upgrade_postgres(db):
    db._execute_dml('ALTER TABLE "item" ALTER COLUMN "name" SET NOT NULL', [])


def upgrade_mysql(db):
    db._execute_dml("{SAFE}", [])
"""

#: NX105 on every server: a shared upgrade drops a column the entities still map.
DROP = """
DIALECTS = ["sqlite", "postgres", "mysql"]


def upgrade(db):
    db._execute_dml("ALTER TABLE item DROP COLUMN name", [])
"""


def folder(project, silence: str = ""):
    project.write_models(UNREACHABLE_MODELS)  # bound to PostgreSQL on port 1: nothing listens there
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_parts.py", PARTS.format(silence=silence))
    return project


def findings(result) -> list[str]:
    return [line for line in result.out.splitlines() if line.startswith("migrations/")]


def test_one_server_part_is_linted_without_connecting(sqlite_project):
    project = folder(sqlite_project)
    postgres = project.run("lint", "--dialect", "postgres")
    assert postgres.code == 1, postgres
    assert findings(postgres) == [  # the line of upgrade_postgres's statement
        'migrations/0002_parts.py:10: NX108 statement 1 (ALTER TABLE "item" ALTER COLUMN '
        '"name" SET NOT NULL): sets NOT NULL on item.name without a validated CHECK (... IS '
        'NOT NULL): every row is scanned while writes wait'], postgres
    assert "cannot connect" not in postgres.out + postgres.err
    for server in ("sqlite", "mysql", "mariadb"):
        clean = project.run("lint", "--dialect", server)
        assert (clean.code, clean.out.splitlines()[-1]) == (0, "No findings in 2 file(s)."), clean
    assert project.run("lint").code == 1  # without --dialect the bound server is reached


def test_all_lints_every_server_a_file_carries_and_names_it(sqlite_project):
    project = folder(sqlite_project)
    project.write_migration("0003_drop.py", DROP)
    every = project.run("lint", "--dialect", "all")
    assert every.code == 1, every
    lines = findings(every)
    assert [line.split(": ")[1] for line in lines] == [
        "NX108 [postgres] statement 1 (ALTER TABLE \"item\" ALTER COLUMN \"name\" SET NOT NULL)",
        "NX105 [sqlite] statement 1 (ALTER TABLE item DROP COLUMN name)",
        "NX105 [postgres] statement 1 (ALTER TABLE item DROP COLUMN name)",
        "NX105 [mysql] statement 1 (ALTER TABLE item DROP COLUMN name)"], every
    repeated = project.run("lint", "--dialect", "postgres", "--dialect", "mysql", "3")
    assert [line.split(": ")[1].split()[:2] for line in findings(repeated)] == [
        ["NX105", "[postgres]"], ["NX105", "[mysql]"]], repeated
    # Without a module the entities are unknown: NX105 is skipped, with a note.
    bare = project.run("lint", "--dialect", "all", module=None)
    assert codes(bare) == ["NX108"], bare
    assert "note: NX105 skipped: no --module" in bare.out


def test_a_silence_above_a_part_covers_that_server_only(sqlite_project):
    reason = "# nextorm-lint: ignore NX108 -- the table is empty in production\n"
    project = folder(sqlite_project, silence=reason)  # above upgrade_sqlite: not PostgreSQL's
    found = project.run("lint", "--dialect", "all")
    assert found.code == 1 and codes(found) == ["NX108"], found
    project.write_migration("0002_parts.py", PARTS.format(silence="").replace(
        "def upgrade_postgres", reason + "def upgrade_postgres"))
    silenced = project.run("lint", "--dialect", "all")
    assert silenced.code == 0, silenced
    assert "No findings in 2 file(s), 1 silenced." in silenced.out


def test_a_generated_folder_is_linted_for_each_part_and_as_when_offline(sqlite_project):
    project = sqlite_project
    generate_folder(project)  # sqlite, postgres and mysql parts; a rename in 0002
    every = project.run("lint", "--dialect", "all")
    assert every.code == 1, every
    renames = [line.split(": ")[1].split()[1] for line in findings(every) if "NX106" in line]
    assert renames == ["[sqlite]", "[postgres]", "[mysql]"], every
    offline = project.run("lint", "--offline")  # connected to SQLite, without table sizes
    alone = project.run("lint", "--dialect", "sqlite")
    assert (alone.code, alone.out) == (offline.code, offline.out)
