"""Offline SQL: ``sqlmigrate FROM..TO``, ``migrate --sql`` and ``migrate --plan``, on the three servers.

A script is proven by running it as a DBA would (statement by statement on a plain
connection) and then asking NextORM itself what the database holds.
"""

from __future__ import annotations

from support.cli import CREATE_TAG, INITIAL

ADD_ALICE = """
def upgrade(db):
    db._execute_dml("INSERT INTO item (id, name) VALUES (?, ?)", [1, "al'ice 100%"])

def downgrade(db):
    db._execute_dml("DELETE FROM item WHERE id = ?", [1])
"""


def write_three(project) -> None:
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_add_alice.py", ADD_ALICE)
    project.write_migration("0003_create_tag.py", CREATE_TAG)


def statements(script: str) -> list[str]:
    """The statements of a script: comment lines dropped, split at a ';' ending a line."""
    found, current = [], []
    for line in script.splitlines():
        if not current and (line.startswith("--") or not line.strip()):
            continue
        current.append(line)
        if line.endswith(";"):
            found.append("\n".join(current)[:-1])
            current = []
    assert not current, current
    return found


def run_script(project, script: str) -> None:
    """Run the script on a fresh connection, each statement as the server's client would."""
    from nextorm import Database

    db = Database(entities=[])
    project.target.bind(db)
    try:
        for sql in statements(script):
            db._execute_dml(sql)
    finally:
        db.disconnect()


def test_a_range_script_runs_as_is_and_migrate_then_has_nothing_to_do(project):
    write_three(project)
    provider = project.target.provider
    result = project.run("sqlmigrate", "1..3", "--dialect", provider, module=None)
    assert result.code == 0, result
    script = result.out
    assert [line for line in script.splitlines() if line.endswith("(upgrade)")] == [
        "-- 0001_initial.py (upgrade)", "-- 0002_add_alice.py (upgrade)",
        "-- 0003_create_tag.py (upgrade)"]
    assert "CREATE TABLE IF NOT EXISTS" in script and "_nextorm_migrations" in script
    assert "'al''ice 100%'" in script  # parameters written as literals
    transactional = provider != "mysql"
    assert ("COMMIT;" in script) == transactional
    assert ("SET progress = 1" in script) == (not transactional)  # MariaDB counts progress
    assert project.tables() == set()  # nothing ran, nothing was created

    run_script(project, script)
    assert project.applied() == ["0001_initial.py", "0002_add_alice.py", "0003_create_tag.py"]
    assert project.query("SELECT id, name FROM item") == [(1, "al'ice 100%")]
    shown = project.run("showmigrations")
    assert [line[:3] for line in shown.out.splitlines()] == ["[x]"] * 3, shown
    again = project.run("migrate")
    assert (again.code, again.out.strip()) == (0, "No migrations to apply."), again


def test_a_backwards_range_undoes_and_forgets_the_rows(project):
    write_three(project)
    assert project.run("migrate").code == 0
    result = project.run("sqlmigrate", "2..3", "--backwards")
    assert result.code == 0, result
    assert result.out.index("0003_create_tag.py (down") < result.out.index("0002_add_alice.py (")
    run_script(project, result.out)
    assert project.applied() == ["0001_initial.py"]
    assert project.query("SELECT COUNT(*) FROM item") == [(0,)]
    assert "tag" not in project.tables()
    assert project.run("migrate").code == 0  # the files apply again over the script's undo
    assert project.applied()[-1] == "0003_create_tag.py"


def test_migrate_sql_starts_after_what_the_database_has_applied(project):
    write_three(project)
    assert project.run("migrate", "1").code == 0
    result = project.run("migrate", "--sql")
    assert result.code == 0, result
    assert "0001_initial.py" not in result.out
    assert "0002_add_alice.py" in result.out and "0003_create_tag.py" in result.out
    assert project.applied() == ["0001_initial.py"]  # printed, not run
    run_script(project, result.out)
    assert project.applied() == ["0001_initial.py", "0002_add_alice.py", "0003_create_tag.py"]

    back = project.run("migrate", "1", "--sql")
    assert back.code == 0, back
    assert "(downgrade)" in back.out and "(upgrade)" not in back.out
    assert back.out.index("0003_create_tag.py (") < back.out.index("0002_add_alice.py (")


def test_migrate_sql_without_a_connection_assumes_none_or_takes_from(project):
    write_three(project)
    provider = project.target.provider
    everything = project.run("migrate", "--sql", "--dialect", provider, module=None)
    assert everything.code == 0, everything
    assert "0001_initial.py (upgrade)" in everything.out
    later = project.run("migrate", "--sql", "--dialect", provider, "--from", "2", module=None)
    assert later.code == 0, later
    assert "0002_add_alice.py" not in later.out and "0003_create_tag.py (upgrade)" in later.out
    assert project.tables() == set()


def test_migrate_plan_lists_steps_and_runs_nothing(project):
    made = project.run("makemigrations")  # a generated file: its steps are described
    assert made.code == 0, made
    project.write_migration("0002_add_alice.py", ADD_ALICE)  # hand-written: its statements
    result = project.run("migrate", "--plan")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0].startswith(f"Plan for {project.target.provider}")
    assert lines[1:] == ["Apply 0001_initial.py", "    Create table item.",
                         "Apply 0002_add_alice.py",
                         "    INSERT INTO item (id, name) VALUES (?, ?)"]
    assert "item" not in project.tables() and "_nextorm_migrations" not in project.tables()

    assert project.run("migrate").code == 0
    undo = project.run("migrate", "zero", "--plan")
    assert undo.out.splitlines()[1:] == [
        "Undo 0002_add_alice.py", "    DELETE FROM item WHERE id = ?",
        "Undo 0001_initial.py", "    DESTRUCTIVE: Drop table item (its rows are lost)."]
    assert project.applied() == ["0001_initial.py", "0002_add_alice.py"]
    nothing = project.run("migrate", "--plan")
    assert nothing.out.strip() == "No migrations to apply."


def test_offline_mistakes_are_one_line(sqlite_project):
    write_three(sqlite_project)
    usage = sqlite_project.run("migrate", "--dialect", "postgres")
    assert usage.code == 2 and "--dialect works only with --sql or --plan" in usage.err, usage
    both = sqlite_project.run("migrate", "--sql", "--plan")
    assert both.code == 2, both
    unknown = sqlite_project.run("sqlmigrate", "1..2", "--dialect", "oracle", module=None)
    assert unknown.code == 2 and "unknown provider 'oracle'" in unknown.err, unknown
    empty = sqlite_project.run("sqlmigrate", "3..1", "--dialect", "sqlite", module=None)
    assert empty.code == 1 and empty.err.startswith("error: range '3..1' is empty"), empty
    missing = sqlite_project.run("sqlmigrate", "1..7", "--dialect", "sqlite", module=None)
    assert missing.code == 1 and "no migration numbered 7" in missing.err, missing


def test_parameters_become_each_servers_literals():
    import datetime as dt

    from nextorm.dialects import get_dialect
    from nextorm.migrations.offline import inline

    sql = "INSERT INTO t VALUES (?, ?, '?', ?, ?)"
    params = [dt.datetime(2026, 1, 2, 3, 4, 5), b"\x01\xff", None, "a\\b'c"]
    assert inline(sql, params, get_dialect("sqlite")) == (
        "INSERT INTO t VALUES ('2026-01-02 03:04:05', X'01ff', '?', NULL, 'a\\b''c')")
    assert inline(sql, params, get_dialect("postgres")) == (
        "INSERT INTO t VALUES ('2026-01-02 03:04:05', '\\x01ff'::bytea, '?', NULL, 'a\\b''c')")
    assert inline(sql, params, get_dialect("mysql")) == (
        "INSERT INTO t VALUES ('2026-01-02 03:04:05', X'01ff', '?', NULL, 'a\\\\b''c')")
