"""Offline SQL from the module's own bind: ``sqlmigrate`` learns the server from the module's
``db.bind(...)`` without connecting, so a module bound to an unreachable server (port 1)
still prints the PostgreSQL script; only what must read the database connects."""

from __future__ import annotations

from support.cli import ADD_ROW as HISTORY_ROW
from support.cli import INITIAL, UNREACHABLE_MODELS, one_error_line

#: One row whose text needs quoting in a literal.
ADD_ROW = HISTORY_ROW.replace('"alice"', '"it\'s"')


def unreachable_project(project):
    project.write_models(UNREACHABLE_MODELS)
    project.write_migration("0001_initial.py", INITIAL)
    project.write_migration("0002_row.py", ADD_ROW)
    return project


def test_sqlmigrate_writes_the_bound_servers_script_without_connecting(sqlite_project):
    project = unreachable_project(sqlite_project)
    script = project.run("sqlmigrate", "0001..0002")
    assert script.code == 0, script
    assert script.err == "", script
    lines = script.out.splitlines()
    assert lines[0] == ("-- NextORM migration script for postgres: 0001_initial.py .. "
                        "0002_row.py (apply)")
    assert "BEGIN;" in lines  # PostgreSQL runs each migration in a transaction
    assert "INSERT INTO item (id, name) VALUES (1, 'it''s');" in lines  # its literals
    single = project.run("sqlmigrate", "2", "--backwards")
    assert (single.code, single.out) == (0, "DELETE FROM item WHERE id = ?;  -- params: [1]\n")
    # --from says what is applied: the script is written without reading the database.
    after = project.run("migrate", "--sql", "--from", "1")
    assert after.code == 0, after
    assert "-- 0002_row.py (upgrade)" in after.out and "0001_initial.py (" not in after.out
    plan = project.run("migrate", "--plan", "--from", "1")
    assert plan.code == 0 and "Apply 0002_row.py" in plan.out, plan


def test_what_reads_the_database_names_the_unreachable_server(sqlite_project):
    project = unreachable_project(sqlite_project)
    refused = project.run("migrate", "--sql")  # which migrations are applied: it must ask
    assert refused.code == 1
    line = one_error_line(refused)
    assert "cannot connect to postgres postgresql://root@127.0.0.1:1/test" in line, line
