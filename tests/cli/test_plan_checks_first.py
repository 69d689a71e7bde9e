"""``migrate --plan`` and ``--sql`` check every file they would run before printing anything:
a pending file that cannot run on the server is the one error line ``migrate`` itself
prints, with nothing on stdout, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import pytest

from support.cli import INITIAL, one_error_line

SERVERS = ("sqlite", "postgres", "mysql")

#: The other servers' parts only (no step comments for this server to show).
PARTS_ONLY = """
DIALECTS = {others!r}

def upgrade_{first}(db):
    # Add a row
    db._execute_dml("INSERT INTO item VALUES (1, 'x')", [])

def upgrade_{second}(db):
    # Add a row
    db._execute_dml("INSERT INTO item VALUES (1, 'x')", [])
"""

#: A shared upgrade() with a step comment, in a file whose DIALECTS leaves this server out:
#: the plan must not read the comment and call it fine.
SHARED = """
DIALECTS = {others!r}

def upgrade(db):
    # Add a row
    db._execute_dml("INSERT INTO item VALUES (1, 'x')", [])
"""


@pytest.mark.parametrize("body", [PARTS_ONLY, SHARED], ids=["parts", "shared"])
def test_plan_refuses_a_file_without_the_servers_part_before_printing(project, body):
    server = project.target.provider
    others = [s for s in SERVERS if s != server]
    project.write_migration("0001_initial.py", INITIAL)  # hand-written: runs anywhere
    project.write_migration("0002_more.py", INITIAL.replace("item", "item2"))
    project.write_migration("0003_ref.py", body.format(others=others, first=others[0],
                                                       second=others[1]))
    expected = one_error_line(project.run("migrate"))
    assert expected.startswith("error: migrations/0003_ref.py has no part for "), expected
    for extra in ((), ("--dialect", server), ("--from", "1")):
        for mode in ("--plan", "--sql"):
            refused = project.run("migrate", mode, *extra)
            assert (refused.code, refused.out) == (1, ""), (mode, extra, refused)
            assert one_error_line(refused) == expected, (mode, extra)
    assert project.applied() == []
    assert "item" not in project.tables()
