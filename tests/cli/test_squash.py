"""``nextorm squash``: databases stopped at every point of the range keep working, with their
rows, on SQLite, PostgreSQL and MariaDB; new databases run only the squashed file."""

from __future__ import annotations

from support.cli import one_error_line
from support.squash import every_stop, history, made


def test_databases_stopped_at_every_point_of_the_range_keep_working(project):
    files = history(project)
    before = (project.migrations / ".schema_snapshot.json").read_text()
    result = project.run("squash", "2", "4")
    assert result.code == 0, result
    squashed = project.migrations / "0004_squashed_0002_0004.py"
    assert result.out.startswith(f"Created migrations/{squashed.name}, replacing "
                                 "0002_add_body_to_post.py, 0003_data.py, 0004_add_views_to_post.py")
    text = squashed.read_text()
    assert 'REPLACES = ["0002_add_body_to_post", "0003_data", "0004_add_views_to_post"]' in text
    assert "# ---- from 0003_data.py ----" in text  # the hand-written data change is kept
    every_stop(project, files, squashed, before)


def test_a_squashed_range_is_undone_only_through_its_own_downgrade(project):
    files = history(project)
    made(project.run("migrate"))
    made(project.run("squash", "2", "4"))
    squashed = project.migrations / "0004_squashed_0002_0004.py"
    script = project.run("sqlmigrate", "1..4", "--dialect", project.target.provider)
    assert [line for line in script.out.splitlines() if line.endswith("(upgrade)")] == [
        f"-- {files[0].name} (upgrade)", f"-- {squashed.name} (upgrade)"], script
    texts = {path: path.read_text() for path in files[1:]}
    for path in files[1:]:
        path.unlink()
    refused = project.run("migrate", "1")  # it stands for files this database applied
    assert one_error_line(refused).startswith(
        "error: cannot undo 0004_squashed_0002_0004.py: this database applied the files it "
        "replaces (0002_add_body_to_post.py, 0003_data.py, 0004_add_views_to_post.py)")
    for path, text in texts.items():
        path.write_text(text)
    made(project.run("migrate", "1"))  # the old files are there: undone one by one
    assert project.applied() == [files[0].name]
    made(project.run("migrate"))  # a database at 0001 now runs the squashed file
    assert project.applied() == [files[0].name, squashed.name]
    for path in files[1:]:
        path.unlink()
    made(project.run("migrate", "1"))  # its own downgrade, newest file's first
    assert project.applied() == [files[0].name]
    assert project.query("SELECT COUNT(*) FROM post") == [(0,)]


def test_a_file_that_cannot_be_copied_is_named_and_nothing_is_written(project):
    history(project)
    project.write_migration("0003_data.py", """
        BATCH = 100

        def upgrade(db):
            db.execute("UPDATE post SET body = ?", [BATCH])
    """)
    refused = project.run("squash", "2", "4")
    assert refused.code == 1, refused
    assert one_error_line(refused) == (
        "error: cannot squash migrations/0003_data.py: its upgrade() uses BATCH, defined "
        "outside it (line 5); move it inside the function; squash a range without it, or "
        "rewrite it so it can be copied")
    assert not list(project.migrations.glob("*squashed*"))
    single = project.run("squash", "2", "2")
    assert single.code == 1 and "a squash needs at least two" in single.err, single
