"""Project templates override NextORM's by file name; the terminal questioner asks in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from nextorm import Database, Entity, MigrationError, Req
from nextorm.migrations.generate import makemigrations, plan_migration
from nextorm.migrations.writer import project_template_dir


def make_db(tmp_path, column: str = "name") -> Database:
    class Note(Entity):
        if column == "name":
            name: Req[str]
        else:
            title: Req[str]

    db = Database(entities=[Note])
    db.bind("sqlite", str(tmp_path / "app.db"))
    db.generate_mapping()
    return db


def test_a_project_partial_overrides_one_operation(tmp_path):
    templates = tmp_path / "tpl" / "operations"
    templates.mkdir(parents=True)
    (templates / "create_table.py.j2").write_text(
        "    # Reviewed by the data team: {{ step.table }}\n"
        "{% for s in step.statements %}    db._execute_dml({{ s.sql | pystr }}, {{ s.params }})\n"
        "{% endfor %}"
    )
    plan = plan_migration(make_db(tmp_path), tmp_path / "m", templates=tmp_path / "tpl")
    assert "# Reviewed by the data team: note" in plan.source
    assert "# DESTRUCTIVE: Drop table note" in plan.source  # other partials are still the defaults


def test_a_project_module_template_overrides_the_module(tmp_path):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "migration.py.j2").write_text(
        '"""Company header."""\nDIALECT = "{{ dialect }}"\n\n\ndef upgrade(db):\n'
        "{% for step in upgrade %}{% include step.template %}{% endfor %}"
    )
    plan = plan_migration(make_db(tmp_path), tmp_path / "m", templates=tmp_path / "tpl")
    assert plan.source.startswith('"""Company header."""')
    assert "def downgrade" not in plan.source


def test_a_template_that_renders_bad_python_is_a_clear_error(tmp_path):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "migration.py.j2").write_text("def upgrade(db)\n    pass\n")
    with pytest.raises(MigrationError, match="templates rendered invalid Python"):
        plan_migration(make_db(tmp_path), tmp_path / "m", templates=tmp_path / "tpl")
    with pytest.raises(MigrationError, match="templates folder .* does not exist"):
        plan_migration(make_db(tmp_path), tmp_path / "m", templates=tmp_path / "nope")


def test_templates_setting_in_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.nextorm]\ntemplates = "migration_templates"\n')
    (tmp_path / "src").mkdir()
    assert project_template_dir(tmp_path / "src") == tmp_path / "migration_templates"
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert project_template_dir(tmp_path) is None


def answering(text: str):
    """Run the block as on a terminal where the user types ``text`` (click's own test stdin)."""
    from click.testing import CliRunner

    return CliRunner().isolation(input=text)


@pytest.mark.parametrize("answer, expected", [("y", "rename_name_to_title_on_note"),
                                              ("n", "add_title_to_note")])
def test_the_terminal_asks_about_a_rename(tmp_path, answer, expected):
    makemigrations(make_db(tmp_path, "name"), tmp_path / "m")
    with answering(answer + "\n") as streams:
        path = makemigrations(make_db(tmp_path, "title"), tmp_path / "m", interactive=True)
        shown = streams[0].getvalue().decode()
    assert "Did you rename note.name to note.title? [y/N]" in shown
    assert path is not None and expected in path


def test_non_interactive_rename_stops_without_writing(tmp_path):
    makemigrations(make_db(tmp_path, "name"), tmp_path / "m")
    with pytest.raises(MigrationError, match=r"--rename note\.name=title"):
        makemigrations(make_db(tmp_path, "title"), tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == [
        ".schema_snapshot.json", "0001_initial.py"]
    path = makemigrations(make_db(tmp_path, "title"), tmp_path / "m", renames=["note.name=title"])
    assert path.endswith("0002_rename_name_to_title_on_note.py")


def make_items(tmp_path, *, with_count: bool) -> Database:
    class Item(Entity):
        name: Req[str]
        if with_count:
            count: Req[int]

    db = Database(entities=[Item])
    db.bind("sqlite", str(tmp_path / "app.db"))
    db.generate_mapping()
    return db


def test_the_terminal_asks_for_a_value_for_existing_rows(tmp_path):
    makemigrations(make_items(tmp_path, with_count=False), tmp_path / "m")
    with answering("5\n") as streams:
        path = makemigrations(make_items(tmp_path, with_count=True), tmp_path / "m", interactive=True)
        shown = streams[0].getvalue().decode()
    assert "item.count is NOT NULL and is added to a table that may hold rows" in shown
    source = Path(path).read_text()
    assert "Existing rows get 5." in source
    assert "COALESCE" not in source and ", 5 FROM" in source.replace('"', "")
