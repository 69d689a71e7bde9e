"""``nextorm lint`` on generated and hand-written migrations, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from support.lint import codes, write_post_models

TITLE = "title: Req[str] = Req(max_len=80)"


def test_a_generated_rename_is_found_and_a_silence_with_a_reason_clears_it(project):
    write_post_models(project, TITLE)
    assert project.run("makemigrations").code == 0
    clean = project.run("lint")
    assert (clean.code, clean.out.strip()) == (0, "No findings in 1 file(s)."), clean

    write_post_models(project, "headline: Req[str] = Req(max_len=80)")
    made = project.run("makemigrations", "--rename", "post.title=headline")
    assert made.code == 0, made
    assert "lint: migrations/0002_" in made.err and "NX106" in made.err  # printed when written
    found = project.run("lint")
    assert found.code == 1, found
    assert "NX106" in codes(found)
    line = next(x for x in found.out.splitlines() if "NX106" in x)
    assert line.startswith("migrations/0002_rename_title_to_headline_on_post.py:")
    assert "renames column post.title to headline" in line and "expand/contract" in line
    assert "docs/lint.md" in found.err

    path = next(project.migrations.glob("0002_*.py"))
    text = path.read_text()
    path.write_text(text.replace("def upgrade(db):", "# nextorm-lint: ignore NX106 -- no app "
                                 "runs yet\ndef upgrade(db):"))
    silenced = project.run("lint", "2")
    assert silenced.code == 0, silenced
    assert "1 silenced" in silenced.out
    path.write_text(text.replace("def upgrade(db):", "# nextorm-lint: ignore NX106\n"
                                 "def upgrade(db):"))
    no_reason = project.run("lint", "2")
    assert no_reason.code == 1 and codes(no_reason) == ["NX002", "NX106"], no_reason


def test_a_generated_narrowing_is_found_on_every_server(project):
    write_post_models(project, TITLE)
    assert project.run("makemigrations").code == 0
    write_post_models(project, "title: Req[str] = Req(max_len=40)")
    assert project.run("makemigrations").code == 0
    found = project.run("lint", "2..")
    assert found.code == 1, found
    assert "NX104" in codes(found)
    assert "narrows post.title from str(80) to str(40)" in found.out


def test_hand_written_dangers_each_have_their_code(project):
    write_post_models(project, TITLE)
    assert project.run("makemigrations").code == 0
    project.write_migration("0002_by_hand.py", """
        def upgrade(db):
            db.execute("ALTER TABLE post ADD COLUMN body VARCHAR(10) NOT NULL")
            db.execute("ALTER TABLE post DROP COLUMN title")
            db.execute("DROP TABLE post")

        def downgrade(db):
            pass
    """)
    found = project.run("lint", "2")
    assert found.code == 1, found
    assert codes(found) == ["NX108", "NX105", "NX105"], found
    assert "drops column post.title, which the entities still map" in found.out
    assert "0002_by_hand.py:3: NX108 statement 1" in found.out  # the file's line


def test_a_file_that_reads_the_database_is_a_finding_not_a_crash(project):
    write_post_models(project, TITLE)
    assert project.run("makemigrations").code == 0
    project.write_migration("0002_backfill.py", """
        def upgrade(db):
            for (pk,) in db.query("SELECT id FROM post"):
                db.execute("UPDATE post SET title = ? WHERE id = ?", ["x", pk])
    """)
    project.write_migration("0003_odd.py", """
        def upgrade(db):
            db.select("anything")
    """)
    found = project.run("lint", "2..3")
    assert found.code == 1, found
    lines = found.out.splitlines()
    assert lines[0].startswith("migrations/0002_backfill.py: NX001: reads the database and "
                               "its upgrade() has a for loop (line 3)"), lines
    assert lines[1].startswith("migrations/0003_odd.py: NX001: cannot be linted: "), lines
    assert "db.select" in lines[1]


def test_an_index_on_a_big_table_needs_concurrently_when_connected(project):
    write_post_models(project, TITLE)
    assert project.run("makemigrations").code == 0
    assert project.run("migrate").code == 0
    project.query("INSERT INTO post (id, title) VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    project.write_migration("0002_index.py", """
        def upgrade(db):
            db.execute("CREATE INDEX ix_post_title ON post (title)")
    """)
    big = project.run("lint", "2", "--large-table", "2")
    assert big.code == 1 and codes(big) == ["NX107"], big
    assert "builds index ix_post_title on post (over 2 rows) without CONCURRENTLY" in big.out
    small = project.run("lint", "2", "--large-table", "3")
    assert small.code == 0, small
    offline = project.run("lint", "2", "--large-table", "2", "--offline")
    assert offline.code == 0, offline
    assert "NX107 skipped for index ix_post_title on post" in offline.out


def test_lint_usage_errors_exit_2(sqlite_project):
    write_post_models(sqlite_project)
    bad = sqlite_project.run("lint", "--large-table", "many")
    assert bad.code == 2, bad
    unknown = sqlite_project.run("lint", "9")
    assert unknown.code == 1 and "no migration numbered 9" in unknown.err, unknown
