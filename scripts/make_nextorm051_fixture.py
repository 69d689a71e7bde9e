"""Make tests/fixtures/nextorm051/: a project whose history was written by nextorm 0.5.1 itself.

Run it with the Python of a venv that has the real nextorm 0.5.1 (not this project)::

    /root/.pyenv/versions/3.12.1/bin/python -m venv /tmp/nx051venv
    /tmp/nx051venv/bin/pip install "nextorm[sqlite,postgres]==0.5.1"
    /tmp/nx051venv/bin/python scripts/make_nextorm051_fixture.py tests/fixtures/nextorm051

Each step runs in a fresh 0.5.1 process, as a user would run it:

1. ``models.py`` v1 (author, post); ``makemigrations(db, "initial")``, ``migrate``, rows;
2. ``models.py`` v2 (author.email, tag, post.tags); ``makemigrations(db, "add_email_and_tags")``,
   ``migrate``, more rows.

The output: ``app.db`` (SQLite, with 0.5.1's ``_nextorm_migrations`` table),
``migrations/`` (its files and ``.schema_snapshot.json``), ``models.py`` (v2) and the same migrations
rendered by 0.5.1 for PostgreSQL and MariaDB without a connection (``migrations_postgres/``,
``migrations_mysql/``; 0.5.1 cannot record migrations on PostgreSQL): the tests replay them
on the servers.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

V1 = '''from nextorm import PK, Database, Entity, Req, Set, Single


class Author(Entity):
    id: PK[int]
    name: Req[str]
    posts: Set["Post"]


class Post(Entity):
    id: PK[int]
    title: Req[str]
    author: Single[Author]


db = Database(entities=[Author, Post])
'''

#: v2 is the fixture's own models.py (the tests import it): read, not written twice.
V2 = (Path(__file__).resolve().parents[1] / "tests/fixtures/nextorm051/models.py").read_text()

MAKE = """from models import db
from nextorm.migrations import makemigrations
db.bind({bind})
db.generate_mapping()
print(makemigrations(db, {name!r}, directory={directory!r}))
"""

APPLY = """from models import db
from nextorm.migrations import migrate
db.bind("sqlite", "app.db")
db.generate_mapping()
print(migrate(db, directory="migrations"))
for sql, params in {rows!r}:
    db._execute_dml(sql, params)
"""

#: 0.5.1 writes ``ADD COLUMN "email" TEXT NOT NULL``, which fails on a table with rows; its
#: guide says to edit the file and give existing rows a value, as its users do.
EDIT = re.compile(r"""(ADD COLUMN (IF NOT EXISTS )?\W+email\W+ TEXT NOT NULL)(?=")""")

ROWS_V1 = [
    ('INSERT INTO "author" ("name") VALUES (?)', ["Ada"]),
    ('INSERT INTO "author" ("name") VALUES (?)', ["Grace"]),
    ('INSERT INTO "post" ("title", "author_id") VALUES (?, ?)', ["Notes", 1]),
    ('INSERT INTO "post" ("title", "author_id") VALUES (?, ?)', ["Compilers", 2]),
]
ROWS_V2 = [
    ('UPDATE "author" SET "email" = ? WHERE "id" = ?', ["ada@example.org", 1]),
    ('INSERT INTO "tag" ("label") VALUES (?)', ["history"]),
    ('INSERT INTO "post_tag" ("post_id", "tag_id") VALUES (?, ?)', [1, 1]),
]


def run(work: Path, code: str, what: str) -> None:
    """Run ``code`` in a fresh 0.5.1 process in ``work``, as a user would."""
    done = subprocess.run([sys.executable, "-c", code], cwd=work, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"nextorm 0.5.1 failed at {what}:\n{done.stderr}")
    print(f"{what}: {done.stdout.strip()}")


def make(work: Path, name: str, bind: str, directory: str) -> None:
    """``makemigrations`` rendered for the database ``bind`` names, then the guide's edit."""
    run(work, MAKE.format(bind=bind, name=name, directory=directory),
        f"makemigrations {name} ({directory})")
    for path in (work / directory).glob(f"*_{name}.py"):
        path.write_text(EDIT.sub(r"\1 DEFAULT ''", path.read_text()))


def main(output: Path) -> None:
    from importlib.metadata import version

    if version("nextorm") != "0.5.1":
        sys.exit(f"run this with nextorm 0.5.1's Python, not nextorm {version('nextorm')}")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for models, name, rows in ((V1, "initial", ROWS_V1),
                                   (V2, "add_email_and_tags", ROWS_V2)):
            (work / "models.py").write_text(models)
            make(work, name, '"sqlite", "app.db"', "migrations")
            # 0.5.1 renders with the bound provider and never connects in makemigrations.
            make(work, name, '"postgres", "dbname=unused"', "migrations_postgres")
            make(work, name, '"mariadb", host="unused"', "migrations_mysql")
            run(work, APPLY.format(rows=rows), f"migrate {name} (sqlite)")
        if output.exists():
            shutil.rmtree(output)
        output.mkdir(parents=True)
        shutil.copy(work / "app.db", output / "app.db")
        shutil.copy(work / "models.py", output / "models.py")
        for directory in ("migrations", "migrations_postgres", "migrations_mysql"):
            shutil.copytree(work / directory, output / directory)
    print(f"wrote {output}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/nextorm051"))
