"""The pytest plugin in a user's project, on SQLite, PostgreSQL and MariaDB (pytester).

Each test writes the user's tests into the project of ``conftest.py`` and runs pytest on
them in a subprocess; the inner tests assert what they see from inside (the app's Database
rebound, the tables and tracking rows, rows gone between tests) and the outer test asserts
the outcome and what is left outside (the real database file, the server's scratch schema).
"""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["pytester"]

APP_TESTS = """\
    from pathlib import Path

    from myapp import services
    from myapp.models import REAL_BIND, Item, db


    def test_migrated_and_rebound(nextorm_db, nextorm_database):
        assert nextorm_db is db
        assert db.provider == {provider!r}
        assert db.bind_args[0] != REAL_BIND[1:]
        assert {{"item", "_nextorm_migrations"}} <= set(db.table_names())
        rows = db.select_raw("SELECT name FROM _nextorm_migrations")
        assert [row["name"] for row in rows] == ["0001_initial.py"]
        assert nextorm_database.applied == ["0001_initial.py"]
        Path("scratch.txt").write_text(nextorm_database.scratch.name or "")


    def test_1_code_under_test_commits(nextorm_db):
        services.add_item("a")
        services.add_two_committing("b", "c")
        services.add_raw("d")
        assert services.count() == 4


    def test_2_rows_of_test_1_are_gone(nextorm_db):
        assert services.count() == 0


    def test_3_inside_a_session(nextorm_session):
        Item(name="e")
        assert Item.select().count() == 1


    def test_4_rows_of_test_3_are_gone(nextorm_db):
        assert services.count() == 0
"""


def test_fixtures_give_a_migrated_rebound_database_rolled_back_per_test(user_project):
    user_project.write("test_app.py", APP_TESTS.format(provider=user_project.provider))
    user_project.write("conftest.py", """\
        from pathlib import Path


        def pytest_sessionfinish(session):  # after the session's fixtures are torn down
            from myapp.models import REAL_BIND, db

            Path("restored.txt").write_text(f"{db.provider} {db.bind_args[0] == REAL_BIND[1:]}")
        """)
    before = user_project.real_state()
    result = user_project.run("--nextorm-check-migrations")  # a clean project passes it
    result.assert_outcomes(passed=5)
    # The app's Database is bound as before the session again.
    assert (user_project.root / "restored.txt").read_text() == f"{user_project.provider} True"
    assert user_project.real_state() == before  # SQLite: None, the file was never created
    name = (user_project.root / "scratch.txt").read_text()
    if user_project.server is not None:
        assert name.startswith("nextorm_test_")
        assert not user_project.scratch_exists(name)  # dropped at the end of the session


def test_ini_option_rebinds_for_every_test_and_leaves_the_real_database_alone(
        user_project, monkeypatch):
    real = user_project._connect(user_project.target.url)  # the app's real data
    real._execute_dml("CREATE TABLE item (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(20))")
    real._execute_dml("INSERT INTO item (id, name) VALUES (1, 'production row')")
    real.disconnect()
    before = user_project.real_state()
    user_project.write("pytest.ini", """\
        [pytest]
        nextorm_module = myapp.models
        """)
    user_project.write("test_every.py", """\
        from myapp import services
        from myapp.models import REAL_BIND, db


        def test_without_any_fixture():
            assert db.bind_args[0] != REAL_BIND[1:]
            services.add_item("written without a rollback")
            assert services.count() == 1


        def test_the_session_database_is_shared():
            assert services.count() == 1
        """)
    if user_project.server is not None:  # the environment variable instead of the option
        monkeypatch.setenv("NEXTORM_TEST_DATABASE_URL", user_project.server)
    result = user_project.run(url_option=False)
    result.assert_outcomes(passed=2)
    assert user_project.real_state() == before == (["item"], [(1, "production row")])


def test_enabled_with_the_module_of_tool_nextorm(user_project):
    user_project.write("pyproject.toml", """\
        [tool.nextorm]
        module = "myapp.models"

        [tool.pytest.ini_options]
        nextorm_enabled = true
        """)
    user_project.write("test_enabled.py", """\
        from myapp.models import REAL_BIND, db


        def test_rebound(request):
            assert "_nextorm_test_database" in request.fixturenames
            assert db.bind_args[0] != REAL_BIND[1:]
            assert "item" in db.table_names()
        """)
    before = user_project.real_state()
    user_project.run().assert_outcomes(passed=1)
    assert user_project.real_state() == before


@pytest.mark.slow
def test_the_drift_check_fails_the_session_with_one_clear_line(user_project):
    models = user_project.root / "myapp" / "models.py"
    models.write_text(models.read_text().replace("    name: Req[str]\n",
                                                 "    name: Req[str]\n    note: Req[str]\n"))
    user_project.write("test_app.py", """\
        def test_uses_the_database(nextorm_db):
            assert "item" in nextorm_db.table_names()
        """)
    result = user_project.run("-o", "nextorm_check_migrations=true")
    result.assert_outcomes(errors=1)
    assert "During handling" not in result.stdout.str()  # the line alone, no chained error
    result.stdout.fnmatch_lines([
        "*nextorm: the entities have changes that no migration holds (*item.note*): "
        "makemigrations would write migrations?0002_*.py; run makemigrations and commit "
        "the file*"])
    # Without the check, the same session runs on the migrations as they are.
    user_project.run().assert_outcomes(passed=1)


def test_inert_when_the_project_does_not_opt_in(user_project):
    user_project.write("test_plain.py", """\
        import sys


        def test_nothing_of_nextorm_runs(request):
            manager = request.config.pluginmanager
            assert manager.has_plugin("nextorm")  # loaded through the pytest11 entry point
            assert not manager.has_plugin("nextorm-every-test")
            assert not [name for name in request.fixturenames if "nextorm" in name]
            assert "myapp.models" not in sys.modules
            loaded = [name for name in sys.modules if name.startswith("nextorm.")]
            assert loaded == ["nextorm.errors", "nextorm.pytest_plugin"], loaded
        """)
    before = user_project.real_state()
    user_project.run().assert_outcomes(passed=1)
    assert user_project.real_state() == before


def test_a_fixture_without_a_module_names_the_setting(user_project):
    (user_project.root / "pyproject.toml").unlink()
    user_project.write("test_app.py", """\
        def test_uses_the_database(nextorm_db):
            pass
        """)
    result = user_project.run()
    result.assert_outcomes(errors=1)
    assert ("nextorm: no module: set nextorm_module = myapp.models in the pytest "
            "configuration, or module under [tool.nextorm] in pyproject.toml\n"
            in result.stdout.str())


@pytest.mark.parametrize("target", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("url", "line"), [
    ("nosuch://x", "nextorm: --nextorm-database-url 'nosuch://x' is not a database URL (*)"),
    ("postgresql://app:secret@127.0.0.1:1/x", "nextorm: --nextorm-database-url: cannot create "
     "the test database nextorm_test_* on postgresql://app:***@127.0.0.1:1/x: *"),
])
def test_a_wrong_server_url_is_one_line_without_the_password(user_project, url, line):
    user_project.write("test_app.py", """\
        def test_uses_the_database(nextorm_db):
            pass
        """)
    result = user_project.run(f"--nextorm-database-url={url}")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([line])
    assert "secret" not in result.stdout.str() + result.stderr.str()


def test_migrations_for_another_server_name_the_dialects_setting(user_project):
    """The test server is not the one the migrations were made for: one line naming both
    ways out (a part per server with ``dialects``, or a folder per server)."""
    made_for = user_project.provider
    other, url = {"sqlite": ("postgres", os.environ.get("NEXTORM_PG_URL", "")),
                  "postgres": ("mysql", os.environ.get("NEXTORM_MYSQL_URL", "")),
                  "mysql": ("sqlite", "sqlite:///other.db")}[made_for]
    if not url:
        pytest.skip(f"no {other} server (NEXTORM_PG_URL / NEXTORM_MYSQL_URL)")
    user_project.write("test_app.py", """\
        def test_uses_the_database(nextorm_db):
            pass
        """)
    result = user_project.run(f"--nextorm-database-url={url}", url_option=False)
    result.assert_outcomes(errors=1)
    assert (
        f"nextorm: migrations/0001_initial.py was rendered for {made_for} but the database is "
        f"{other}: to run one folder on both, set dialects = [\"{made_for}\", \"{other}\"] "
        "under [tool.nextorm] (a part per server in each file; docs/cli.md, One folder for "
        "several servers), or keep one migrations directory per database kind (--directory)\n"
        in result.stdout.str()), result.stdout.str()
