"""A target inside a squashed range: ``migrate``, ``--plan``, ``--sql``, ``sqlmigrate`` and
``showmigrations`` agree, on SQLite, PostgreSQL and MariaDB, with rows.

The rule (docs/cli.md, squash): a database that has not started the range reaches a target
inside it through the old files, when they are all there; otherwise (the old files are
gone, or the database applied the squashed file as one) every command refuses with the same
line, naming the squashed file and the targets it can stop at.
"""

from __future__ import annotations

import re

from support.cli import one_error_line
from support.squash import history, made, rows

SQUASHED = "0004_squashed_0002_0004.py"


def upgrades(script: str) -> list[str]:
    """The migrations a script applies, in order."""
    return re.findall(r"^-- (\S+\.py) \(upgrade\)$", script, re.MULTILINE)


def planned(out: str) -> list[str]:
    return [line for line in out.splitlines() if re.match(r"(Apply|Undo) ", line)]


def squashed_history(project) -> list[str]:
    files = history(project)
    made(project.run("squash", "2", "4"))
    return [path.name for path in files]


def test_a_target_inside_the_range_runs_the_old_files_on_a_new_database(project):
    names = squashed_history(project)
    up_to_3 = names[:3]
    for target in ("3", "0003", "0003_data", "0003_data.py"):
        plan = project.run("migrate", target, "--plan")
        assert plan.code == 0, plan
        assert planned(plan.out) == [f"Apply {name}" for name in up_to_3], (target, plan)
        script = project.run("migrate", target, "--sql")
        assert script.code == 0, script
        assert upgrades(script.out) == up_to_3, (target, script)
        offline = project.run("migrate", target, "--sql", "--dialect",
                              project.target.provider)
        assert upgrades(offline.out) == up_to_3, (target, offline)
    assert upgrades(project.run("sqlmigrate", "1..3").out) == up_to_3
    assert upgrades(project.run("sqlmigrate", "3..4").out) == names[2:4]
    assert upgrades(project.run("sqlmigrate", "1..4").out) == [names[0], SQUASHED]
    assert planned(project.run("migrate", "--plan", "--from", "3").out) == [
        f"Apply {names[3]}"]
    by_name = project.run("sqlmigrate", SQUASHED.removesuffix(".py"))  # not the old 0004
    assert by_name.out == "".join(project.run("sqlmigrate", n).out for n in "234"), by_name
    assert project.applied() == []  # none of the above wrote anything

    made(project.run("migrate", "1"))
    project.query("INSERT INTO post (id, title) VALUES (1, 'kept')")
    moved = project.run("migrate", "0003_data")
    assert moved.code == 0, moved
    assert [line.split(" ...")[0] for line in moved.out.splitlines()[1:]] == [
        f"Applying {name}" for name in names[1:3]], moved
    assert project.applied() == up_to_3
    assert project.query("SELECT id, title, body FROM post ORDER BY id") == [
        (1, "kept", None), (100, "from 0003", 3)]
    shown = project.run("showmigrations")
    assert [(line[:3], line[4:].split()[0]) for line in shown.out.splitlines()] == [
        ("[x]", names[0]), ("[x]", names[1]), ("[x]", names[2]), ("[ ]", names[3])], shown
    again = project.run("migrate", "3")
    assert (again.code, again.out.strip()) == (0, "No migrations to apply."), again
    assert planned(project.run("migrate", "--plan").out) == [f"Apply {names[3]}"]

    made(project.run("migrate"))  # the rest of the range: the old 0004, not the squash
    assert project.applied() == names
    assert rows(project) == [(1, "kept", None, 7), (100, "from 0003", 3, 7)]


def test_a_target_inside_the_range_is_refused_when_the_old_files_are_gone(project):
    names = squashed_history(project)
    made(project.run("migrate", "1"))
    project.query("INSERT INTO post (id, title) VALUES (1, 'kept')")
    for path in names[1:]:
        (project.migrations / path).unlink()
    dialect = ("--dialect", project.target.provider)
    for args in (("migrate", "3"), ("migrate", "0003_data", "--plan"),
                 ("migrate", "3", "--sql"), ("migrate", "3", "--sql", *dialect),
                 ("sqlmigrate", "1..3")):
        refused = project.run(*args)
        assert refused.code == 1, (args, refused)
        assert one_error_line(refused) == (
            f"error: cannot stop at 0003_data: it is inside the range {SQUASHED} "
            "replaces, and 0002_add_body_to_post.py, 0003_data.py, 0004_add_views_to_post.py "
            "are gone (a database stops inside the range only through the replaced files); "
            "target 0001 (before the range) or 0004 (the squashed file) instead, or restore "
            "them from version control"), args
    assert project.applied() == [names[0]]
    assert project.query("SELECT id, title FROM post") == [(1, "kept")]


def test_a_target_inside_the_range_is_refused_after_the_squashed_file_ran(project):
    names = squashed_history(project)
    made(project.run("migrate", "1"))
    project.query("INSERT INTO post (id, title) VALUES (1, 'kept')")
    made(project.run("migrate"))
    assert project.applied() == [names[0], SQUASHED]
    for args, name in ((("migrate", "3"), names[2]), (("migrate", "0003_data", "--plan"),
                       names[2]), (("migrate", "2", "--sql"), names[1])):
        refused = project.run(*args)
        assert refused.code == 1, (args, refused)
        assert one_error_line(refused) == (
            f"error: cannot stop at {name.removesuffix('.py')}: this database applied "
            f"{SQUASHED} as one migration, which replaces 0002_add_body_to_post, 0003_data, "
            "0004_add_views_to_post; target 0001 (undo it whole) or 0004 instead"), args
    assert project.applied() == [names[0], SQUASHED]
    assert rows(project) == [(1, "kept", None, 7), (100, "from 0003", 3, 7)]
