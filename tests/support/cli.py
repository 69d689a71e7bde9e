"""Migration sources and output checks shared by the CLI tests."""

from __future__ import annotations

import re
from pathlib import Path

#: SQL that reads the same on SQLite, PostgreSQL and MariaDB.
CREATE_ITEM = "CREATE TABLE item (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(50) NOT NULL)"

INITIAL = f"""
def upgrade(db):
    db._execute_dml("{CREATE_ITEM}", [])

def downgrade(db):
    db._execute_dml("DROP TABLE item", [])
"""

#: A row in ``item`` (after ``INITIAL``), and its removal.
ADD_ROW = """
def upgrade(db):
    db._execute_dml("INSERT INTO item (id, name) VALUES (?, ?)", [1, "alice"])


def downgrade(db):
    db._execute_dml("DELETE FROM item WHERE id = ?", [1])
"""

#: A second table, ``tag``.
CREATE_TAG = """
def upgrade(db):
    db._execute_dml("CREATE TABLE tag (id INTEGER NOT NULL PRIMARY KEY)", [])

def downgrade(db):
    db._execute_dml("DROP TABLE tag", [])
"""

#: A server nothing listens on (PostgreSQL on port 1), and models bound to it.
UNREACHABLE = "postgresql://root@127.0.0.1:1/test"

UNREACHABLE_MODELS = f"""\
from nextorm import PK, Database, Entity, Req


class Item(Entity):
    id: PK[int]
    name: Req[str]


db = Database(entities=[Item])
db.bind("postgres", "{UNREACHABLE}")
"""


def assert_untouched(project) -> None:
    """The database has no table and, on SQLite, no file was created."""
    assert project.tables() == set()
    if project.target.provider == "sqlite":
        assert not Path(project.target.url).exists()


#: What migrate prints on stdout as it goes (it may have started before the failure).
PROGRESS = re.compile(
    r"^(Migrating \w+ .*|(Applying|Unapplying) \S+ \.\.\. (done \(\d+ ms\)|failed))$")


def steps(out: str) -> list[str]:
    """The per-migration lines of migrate's output, without the database line or timings."""
    return [re.sub(r" \(\d+ ms\)$", "", line) for line in out.splitlines()
            if not line.startswith("Migrating ")]


def one_error_line(result) -> str:
    """Return the single ``error: ...`` line a failed command printed, and nothing else.

    Standard output may only hold migrate's progress up to the failure.
    """
    assert all(PROGRESS.match(line) for line in result.out.splitlines()), result
    lines = result.err.splitlines()
    assert len(lines) == 1, result
    assert lines[0].startswith("error: "), result
    return lines[0]
