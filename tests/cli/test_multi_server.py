"""One migrations folder for several servers (``dialects`` under ``[tool.nextorm]``).

The folder is generated once, then the very same files are applied and undone on SQLite,
PostgreSQL and MariaDB with rows in the table; a file without the bound server's part and a
folder that mixes servers are refused with one line, before anything runs.
"""

from __future__ import annotations

import shutil
import textwrap

import pytest

from support.cli import CREATE_ITEM, INITIAL, one_error_line
from support.multi_server import SERVERS, V1, V2, configure, generate_folder

ROWS = [(1, "alpha", "A1", 5), (2, "beta", "B2", None)]


def fresh(kind, folder, target):
    """Another project like ``kind`` (the fixtures' class) in ``folder``, on ``target``."""
    folder.mkdir(parents=True)
    project = kind(folder, target)
    project.write_models()
    project.migrations.mkdir()
    return project


def rows(project, columns: str) -> list[tuple]:
    return sorted(tuple(r) for r in project.query(f"SELECT {columns} FROM item"))


def test_one_folder_applies_and_undoes_on_every_server(tmp_path, sqlite_project, postgres_target,
                                                       mysql_target):
    maker = sqlite_project  # generates the folder, then applies it as the other two do
    generate_folder(maker)
    files = sorted(p.name for p in maker.migrations.glob("0*.py"))
    assert files == ["0001_initial.py", "0002_change_item.py"]
    change = (maker.migrations / files[1]).read_text()
    assert 'DIALECTS = ["sqlite", "postgres", "mysql"]' in change
    assert 'ATOMIC = {"postgres": False}' in change  # CONCURRENTLY: PostgreSQL's part only
    assert 'FOREIGN_KEYS_OFF = {"sqlite": True}' in change  # SQLite's rebuild only
    for server in SERVERS:
        assert f"def upgrade_{server}(db):" in change and f"def downgrade_{server}(db):" in change

    for target in (maker.target, postgres_target, mysql_target):
        project = maker
        if target is not maker.target:
            project = fresh(type(maker), tmp_path / target.provider, target)
            shutil.rmtree(project.migrations)
            shutil.copytree(maker.migrations, project.migrations)  # the very same files
            configure(project)
        project.write_models(V1.format(bind=target.bind_source()))
        done = project.run("migrate", "0001")
        assert done.code == 0, done
        for row in ROWS:
            project.query("INSERT INTO item (id, name, code, size) VALUES (?, ?, ?, ?)", row)
        project.write_models(V2.format(bind=target.bind_source()))
        done = project.run("migrate")
        assert done.code == 0, (target.provider, done)
        assert project.applied() == files
        assert rows(project, "id, title, code, size, views") == [
            (1, "alpha", "A1", 5, 7), (2, "beta", "B2", None, 7)], target.provider
        project.query("INSERT INTO item (id, title, code, size, views) VALUES (?, ?, ?, ?, ?)",
                      (3, "gamma", "C" * 60, 9, 1))  # the wider column takes 60 characters
        project.query("DELETE FROM item WHERE id = 3")
        undone = project.run("migrate", "0001")
        assert undone.code == 0, (target.provider, undone)
        assert project.applied() == files[:1]
        assert rows(project, "id, name, code, size") == sorted(ROWS), target.provider
        again = project.run("migrate")  # and forward once more, from the same file
        assert again.code == 0, (target.provider, again)
        assert rows(project, "id, title, views") == [(1, "alpha", 7), (2, "beta", 7)]
        linted = project.run("lint", "--offline")  # this server's part is what is linted
        assert linted.code in (0, 1) and "cannot be linted" not in linted.out, linted
        assert "NX" in linted.out  # the rename breaks the running app: found in every part


def test_offline_sql_and_plan_show_the_chosen_servers_part(sqlite_project):
    project = sqlite_project
    generate_folder(project)
    postgres = project.run("sqlmigrate", "2", "--dialect", "postgres", module=None)
    mysql = project.run("sqlmigrate", "2", "--dialect", "mysql", module=None)
    sqlite = project.run("sqlmigrate", "2", "--dialect", "sqlite", module=None)
    assert postgres.code == mysql.code == sqlite.code == 0
    assert 'RENAME COLUMN "name" TO "title"' in postgres.out
    assert 'CREATE INDEX CONCURRENTLY "idx_item__size"' in postgres.out
    assert "RENAME COLUMN `name` TO `title`" in mysql.out and '"' not in mysql.out
    assert 'CREATE TABLE "_nextorm_new_item"' in sqlite.out  # the rebuild of the type change
    assert "CONCURRENTLY" not in sqlite.out + mysql.out
    # The whole script: PostgreSQL's non-atomic part records progress, SQLite's is one
    # transaction with its foreign keys switched off around the rebuild.
    pg_script = project.run("migrate", "--sql", "--dialect", "postgres", module=None)
    lite_script = project.run("migrate", "--sql", "--dialect", "sqlite", module=None)
    assert pg_script.code == lite_script.code == 0
    pg_change = pg_script.out.split("-- 0002_change_item.py (upgrade)")[1]
    lite_change = lite_script.out.split("-- 0002_change_item.py (upgrade)")[1]
    assert "BEGIN" not in pg_change and "progress" in pg_change
    assert "BEGIN IMMEDIATE" in lite_change and "PRAGMA foreign_keys = OFF" in lite_change
    plan = project.run("migrate", "--plan", "--dialect", "mysql", module=None)
    assert plan.code == 0, plan
    assert plan.out.splitlines()[-4:] == [  # the step comments of upgrade_mysql
        "    Rename column item.name to title.",
        "    Create index idx_item__size on item (size).",
        "    Add column item.views (int NOT NULL). Existing rows get 7.",
        "    Change column item.code from str(20) NOT NULL to str(80) NOT NULL."]


def test_makemigrations_refuses_a_file_for_another_server(sqlite_project):
    project, sqlite_target = sqlite_project, sqlite_project.target
    project.write_models(V1.format(bind=sqlite_target.bind_source()))
    assert project.run("makemigrations").code == 0  # a SQLite folder, as the guide shows
    project.write_models(V2.format(bind=sqlite_target.bind_source()))
    refused = project.run("makemigrations", "--dialect", "postgres")
    assert refused.code == 1
    assert one_error_line(refused) == (
        "error: migrations/0001_initial.py and the files before it are for sqlite; the new "
        "migration would be for postgres only: set dialects = [\"sqlite\", \"postgres\"] under "
        "[tool.nextorm] (or repeat --dialect), or use another --directory")
    assert sorted(p.name for p in project.migrations.glob("0*.py")) == ["0001_initial.py"]
    # Both servers: written, with a note that the earlier file has no PostgreSQL part yet.
    both = project.run("makemigrations", "--dialect", "sqlite", "--dialect", "postgres")
    assert both.code == 0, both
    assert ("note: 1 earlier file(s) (0001_initial.py) have no part for postgres: write it "
            "before migrating a postgres database (docs/templates.md)") in both.out
    assert project.run("migrate").code == 0  # SQLite has every part
    assert project.applied() == ["0001_initial.py", "0002_rename_name_to_title_on_item_and_more.py"]


def test_migrate_refuses_a_file_without_the_servers_part_before_running_anything(project):
    server = project.target.provider
    others = [s for s in SERVERS if s != server]
    project.write_migration("0001_initial.py", INITIAL)  # hand-written: runs anywhere
    project.write_migration("0002_others.py", f"""
        DIALECTS = {others!r}

        def upgrade_{others[0]}(db):
            db._execute_dml("INSERT INTO item VALUES (1, 'x')", [])

        def upgrade_{others[1]}(db):
            db._execute_dml("INSERT INTO item VALUES (1, 'x')", [])
    """)
    refused = project.run("migrate")
    assert refused.code == 1
    assert one_error_line(refused) == (
        f"error: migrations/0002_others.py has no part for {server} (DIALECTS = "
        f"{', '.join(others)}): add {server} to DIALECTS with an upgrade_{server}(db) "
        f"function, or generate the file with {server} in dialects under [tool.nextorm]")
    assert project.applied() == []  # 0001 did not run either
    assert "item" not in project.tables()
    project.write_migration("0002_others.py", f"DIALECTS = {SERVERS!r}\n"
                            "def upgrade_sqlite(db):\n    pass\n")
    if server != "sqlite":
        assert one_error_line(project.run("migrate")) == (
            f"error: migrations/0002_others.py lists {server} in DIALECTS but has no "
            f"upgrade_{server}(db) function (nor a shared upgrade(db)); write it, or remove "
            f"{server} from DIALECTS")
        assert project.applied() == []


def test_migrate_refuses_pending_files_for_another_server(project):
    other = {"sqlite": "postgres", "postgres": "mysql", "mysql": "sqlite"}[project.target.provider]
    project.write_migration("0001_initial.py", f'DIALECTS = ["{other}"]\n'
                            + INITIAL.replace("def upgrade(", f"def upgrade_{other}("))
    refused = project.run("migrate")
    assert "has no part for" in one_error_line(refused)
    assert project.applied() == []


#: A hand-written file for every server in plain Python: one shared upgrade, a part of its
#: own for one server, and flags per server.
HAND_WRITTEN = f"""
    DIALECTS = ["sqlite", "postgres", "mysql"]
    ATOMIC = {{"postgres": False}}  # e.g. VACUUM on PostgreSQL: outside a transaction


    def upgrade(db):
        db.execute("{CREATE_ITEM}")
        db.execute("INSERT INTO item VALUES (1, 'shared')")


    def upgrade_postgres(db):
        for sql in ["{CREATE_ITEM}", "INSERT INTO item VALUES (1, 'postgres')", "VACUUM item"]:
            db.execute(sql)


    def downgrade(db):
        db.execute("DROP TABLE item")
"""


def test_a_hand_written_file_serves_every_server(project):
    project.write_migration("0001_items.py", textwrap.dedent(HAND_WRITTEN))
    done = project.run("migrate")
    assert done.code == 0, done
    expected = "postgres" if project.target.provider == "postgres" else "shared"
    assert project.query("SELECT name FROM item") == [(expected,)]
    undone = project.run("migrate", "zero")
    assert undone.code == 0, undone
    assert "item" not in project.tables()


@pytest.mark.parametrize("value, message", [
    ('"sqlite"', "DIALECTS must be a list of servers"),
    ('["sqlite", "oracle"]', "unknown server 'oracle' in DIALECTS"),
])
def test_a_bad_dialects_line_is_one_error(sqlite_project, value, message):
    sqlite_project.write_migration("0001_x.py", f"DIALECTS = {value}\n" + INITIAL)
    assert message in one_error_line(sqlite_project.run("migrate"))


@pytest.mark.parametrize("value, message", [
    ('["sqlite", "oracle"]', "dialects: unknown server 'oracle'; use 'sqlite', 'postgres' or "
                             "'mysql'"),
    ("[1, 2]", "[tool.nextorm] dialects must be a list of strings"),
])
def test_a_bad_dialects_setting_is_one_error(sqlite_project, value, message):
    (sqlite_project.root / "pyproject.toml").write_text(f"[tool.nextorm]\ndialects = {value}\n")
    assert message in one_error_line(sqlite_project.run("makemigrations"))
    assert list(sqlite_project.migrations.glob("0*.py")) == []


def test_a_folder_declared_over_several_lines_is_read(tmp_path):
    """DIALECTS laid out by black over several lines still tells the folder's servers."""
    from nextorm.errors import MigrationError
    from nextorm.migrations.multiserver import check_folder, declared_servers

    text = "DIALECTS = [\n    'postgres',\n    'mariadb',\n]\n" + INITIAL
    assert declared_servers(text, "x.py") == ["postgres", "mysql"]
    (tmp_path / "0001_initial.py").write_text(text)
    (tmp_path / "0002_by_hand.py").write_text(INITIAL)  # declares nothing: runs anywhere
    with pytest.raises(MigrationError, match="are for mysql, postgres; the new migration "
                                             "would be for sqlite only"):
        check_folder(tmp_path, ["sqlite"])
    assert check_folder(tmp_path, ["postgres", "mysql"]) == []


def test_mariadb_resume_reads_the_servers_part(mysql_project):
    """A MariaDB part that stops half-way is resumable by its own function's shape."""
    failing = INITIAL.replace("def upgrade(", "def upgrade_mysql(").replace(
        "\n\ndef downgrade", '\n    db._execute_dml("INSERT INTO missing VALUES (1)", [])\n\n'
        "def downgrade")
    mysql_project.write_migration("0001_items.py", 'DIALECTS = ["mysql"]\n' + failing)
    failed = mysql_project.run("migrate")
    assert failed.code == 1
    line = one_error_line(failed)
    assert "Run 'migrate --retry' to resume it from statement 2" in line, line
    assert "item" in mysql_project.tables()
