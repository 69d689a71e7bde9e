"""``nextorm squash`` of a range with a part per server (``DIALECTS``): one squashed file with
a part per server, run by databases stopped at every point of the range on SQLite,
PostgreSQL and MariaDB, rows kept; flags combined per server."""

from __future__ import annotations

import textwrap

import pytest

from support.cli import INITIAL, one_error_line
from support.multi_server import configure
from support.squash import every_stop, history, made


@pytest.mark.slow
def test_a_multi_server_range_squashes_and_every_stop_keeps_working(project):
    configure(project)  # every file has a part per server; indexes CONCURRENTLY on PostgreSQL
    files = history(project, body="body: Opt[int] = Opt(index=True)")
    assert 'ATOMIC = {"postgres": False}' in files[3].read_text()  # 0004's index
    before = (project.migrations / ".schema_snapshot.json").read_text()
    made(project.run("squash", "2", "4"))
    squashed = project.migrations / "0004_squashed_0002_0004.py"
    text = squashed.read_text()
    assert 'DIALECTS = ["sqlite", "postgres", "mysql"]' in text
    assert 'ATOMIC = {"postgres": False}' in text  # 0004's part for PostgreSQL is not atomic
    assert "REPLACES = [" + ", ".join(f'"{f.stem}"' for f in files[1:]) + "]" in text
    for server in ("sqlite", "postgres", "mysql"):
        assert f"def upgrade_{server}(db):" in text and f"def downgrade_{server}(db):" in text
    assert text.count("# ---- from 0003_data.py ----") == 6  # the shared data file, each part
    assert 'CREATE INDEX CONCURRENTLY "idx_post__body"' in text.split(
        "def upgrade_postgres")[1].split("def upgrade_mysql")[0]
    every_stop(project, files, squashed, before)
    linted = project.run("lint", "--dialect", "all", "4")  # each part of it is readable
    assert "cannot be linted" not in linted.out, linted


#: Hand-written parts: PostgreSQL's outside a transaction in 0002, SQLite's with its foreign
#: keys off in 0003 (a plain flag for every server in 0003's ATOMIC).
FLAGGED = {
    "0002_vacuum.py": """
        DIALECTS = ["sqlite", "postgres", "mysql"]
        ATOMIC = {"postgres": False}

        def upgrade(db):
            db._execute_dml("INSERT INTO item VALUES (1, 'a')", [])

        def upgrade_postgres(db):
            db._execute_dml("INSERT INTO item VALUES (1, 'a')", [])
            db._execute_dml("VACUUM item", [])

        def downgrade(db):
            db._execute_dml("DELETE FROM item WHERE id = 1", [])
    """,
    "0003_rebuild.py": """
        DIALECTS = ["sqlite", "postgres", "mysql"]
        ATOMIC = True
        FOREIGN_KEYS_OFF = {"sqlite": True}

        def upgrade(db):
            db._execute_dml("INSERT INTO item VALUES (2, 'b')", [])

        def downgrade_sqlite(db):
            db._execute_dml("DELETE FROM item WHERE id = 2", [])
    """,
}


def test_flags_combine_per_server_and_a_missing_downgrade_is_said(project):
    project.write_migration("0001_initial.py", INITIAL)
    for name, source in FLAGGED.items():
        project.write_migration(name, textwrap.dedent(source))
    made(project.run("squash", "2", "3"))
    path = project.migrations / "0003_squashed_0002_0003.py"
    text = path.read_text()
    assert 'ATOMIC = {"postgres": False}\nFOREIGN_KEYS_OFF = {"sqlite": True}\n' in text
    assert "def downgrade_sqlite(db):" in text
    assert "# No downgrade_postgres(db): 0003_rebuild.py has none." in text
    assert "def downgrade_postgres" not in text and "def downgrade_mysql" not in text
    (project.migrations / "0002_vacuum.py").unlink()
    (project.migrations / "0003_rebuild.py").unlink()
    done = project.run("migrate")  # a new database runs the squashed file, its own part
    assert done.code == 0, done
    assert project.query("SELECT id, name FROM item ORDER BY id") == [(1, "a"), (2, "b")]
    undo = project.run("migrate", "1")
    if project.target.provider == "sqlite":
        assert undo.code == 0, undo
        assert project.query("SELECT COUNT(*) FROM item") == [(0,)]
    else:
        assert "has no downgrade" in one_error_line(undo), undo


def test_a_server_missing_from_a_file_of_the_range_is_refused(sqlite_project):
    project = sqlite_project
    project.write_migration("0001_initial.py", 'DIALECT = "sqlite"\n' + INITIAL)
    project.write_migration("0002_both.py", 'DIALECTS = ["sqlite", "postgres"]\n' + INITIAL)
    refused = project.run("squash", "1", "2")
    assert one_error_line(refused) == (
        "error: cannot squash migrations/0001_initial.py: it has no part for postgres, which "
        "0002_both.py has; write that part first (docs/templates.md), or squash a range whose "
        "files all carry the same servers")
    assert not list(project.migrations.glob("*squashed*"))
