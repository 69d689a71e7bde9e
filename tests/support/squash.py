"""A history to squash, and the check that databases stopped anywhere in the squashed range
keep working (``nextorm squash``, on SQLite, PostgreSQL and MariaDB)."""

from __future__ import annotations

from pathlib import Path

from support.cli import one_error_line
from support.lint import write_post_models

DATA = """
def upgrade(db):
    db.execute("INSERT INTO post (id, title, body) VALUES (?, ?, ?)", [100, "from 0003", 3])


def downgrade(db):
    db.execute("DELETE FROM post WHERE id = ?", [100])
"""


def made(result) -> None:
    assert result.code == 0, result


def history(project, body: str = "body: Opt[int]") -> list[Path]:
    """0001 initial, 0002 add body, 0003 data by hand, 0004 add views (existing rows get 7);
    ``body``: how 0004 declares body (an index on it, say)."""
    write_post_models(project, "title: Req[str]")
    made(project.run("makemigrations"))
    write_post_models(project, "title: Req[str]", "body: Opt[int]")
    made(project.run("makemigrations"))
    project.write_migration("0003_data.py", DATA)
    write_post_models(project, "title: Req[str]", body, "views: Req[int]")
    made(project.run("makemigrations", "--default", "post.views=7"))
    return sorted(project.migrations.glob("0*.py"))


class Folder:
    """Swap the migrations folder between its states: with and without the squash, old files."""

    def __init__(self, project, squashed: Path, old: list[Path], snapshots: tuple[str, str]):
        self.project, self.squashed, self.old = project, squashed, old
        self.texts = {p: p.read_text() for p in [squashed, *old]}
        self.snapshot = project.migrations / ".schema_snapshot.json"
        self.before, self.after = snapshots

    def state(self, *, squash: bool, old: bool) -> None:
        for path in [self.squashed, *self.old]:
            wanted = squash if path == self.squashed else old
            if wanted:
                path.write_text(self.texts[path])
            else:
                path.unlink(missing_ok=True)
        self.snapshot.write_text(self.after if squash else self.before)


def rows(project) -> list[tuple]:
    return project.query("SELECT id, title, body, views FROM post ORDER BY id")


def every_stop(project, files: list[Path], squashed: Path, before: str) -> None:
    """Databases stopped at every point of the range 0002..0004 (and before it) migrate
    with the squash, keeping their rows; then the old files are deleted and all is well.
    ``before``: the snapshot before the squash."""
    folder = Folder(project, squashed, files[1:], (before, project.migrations.joinpath(
        ".schema_snapshot.json").read_text()))
    old_names = [p.name for p in files]

    for stop in range(5):  # nothing, 0001, 0002, 0003, 0004 applied when the squash arrives
        project.target.drop_tables()
        folder.state(squash=False, old=True)
        if stop:
            made(project.run("migrate", str(stop)))
            columns = "id, title" + (", views" if stop == 4 else "")
            values = "1, 'kept'" + (", 5" if stop == 4 else "")
            project.query(f"INSERT INTO post ({columns}) VALUES ({values})")
        if stop in (2, 3):  # stopped inside the range: the old files are still needed
            folder.state(squash=True, old=False)
            refused = project.run("migrate")
            assert refused.code == 1
            assert "stopped inside the range 0004_squashed_0002_0004.py replaces" in \
                one_error_line(refused)
        folder.state(squash=True, old=True)
        made(project.run("migrate"))
        expected = [(100, "from 0003", 3, 7)]
        if stop:
            expected.insert(0, (1, "kept", None, 5 if stop == 4 else 7))
        assert rows(project) == expected, stop
        if stop <= 1:
            assert project.applied() == [old_names[0], squashed.name], stop
        else:
            assert project.applied() == old_names, stop

        folder.state(squash=True, old=False)  # every database is past the range: delete them
        again = project.run("migrate")
        assert (again.code, again.out.strip()) == (0, "No migrations to apply."), again
        assert again.err == "", again
        shown = project.run("showmigrations")
        assert [line.split()[:2] for line in shown.out.splitlines()] == [
            ["[x]", old_names[0]], ["[x]", squashed.name]], shown
        assert rows(project) == expected
