"""``makemigrations(db, ...)`` from Python reads ``dialects`` under ``[tool.nextorm]`` from the
migrations folder upward, as the CLI does; ``dialects=`` wins.  The written file is applied
on the server the test runs on, its rows checked."""

from __future__ import annotations

from nextorm import PK, Entity, Req
from nextorm.migrations import makemigrations, migrate


class Gadget(Entity):
    id: PK[int]
    label: Req[str]


def test_the_projects_dialects_are_used_unless_given(make_db, target, tmp_path):
    db = make_db([Gadget])
    project = tmp_path / "app"
    (project / "db").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        '[tool.nextorm]\ndialects = ["sqlite", "postgres", "mysql"]\n')
    folder = project / "db" / "migrations"  # two levels below the pyproject.toml
    written = makemigrations(db, "initial", directory=folder)
    assert written is not None
    text = written.read_text()
    assert 'DIALECTS = ["sqlite", "postgres", "mysql"]' in text
    assert f"def upgrade_{db.provider}(db):" in text
    assert migrate(db, directory=folder) == ["0001_initial.py"]
    db.execute("INSERT INTO gadget (id, label) VALUES (1, 'kept')")
    assert [tuple(r) for r in db._execute("SELECT label FROM gadget")] == [("kept",)]

    alone = tmp_path / "alone"  # dialects= given: the pyproject.toml is not consulted
    (project / "other").mkdir()
    given = makemigrations(db, "initial", directory=project / "other", dialects=[db.provider])
    assert given is not None and f'DIALECT = "{db.provider}"' in given.read_text()
    assert "DIALECTS" not in given.read_text()
    alone.mkdir()  # no pyproject.toml above (tmp_path has none): the bound server only
    plain = makemigrations(db, "initial", directory=alone / "migrations")
    assert plain is not None and "DIALECTS" not in plain.read_text()
