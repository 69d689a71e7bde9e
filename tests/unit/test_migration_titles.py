"""The first line of a generated migration's docstring says what the file does.

A file that only adds indexes once took the "Create table(s)" branch with no table to name
(``\"\"\"Create table .``), in single- and multi-server files alike.  SQLite files in a
temporary folder; the multi-server file is rendered offline for the other servers.
"""

from __future__ import annotations

import pytest

from nextorm import PK, Database, Entity, Opt, Req, Single
from nextorm.migrations.generate import makemigrations, plan_migration


def entities(indexed: tuple[str, ...] = (), with_tag: bool = False) -> list[type]:
    class Team(Entity):
        id: PK[int]
        name: Req[str] = Req(index=True) if "name" in indexed else Req()
        city: Opt[str] = Opt(index=True) if "city" in indexed else Opt()

    found: list[type] = [Team]
    if with_tag:
        class Tag(Entity):
            label: Req[str] = Req(index=True)
            team: Single[Team | None]

        found.append(Tag)
    return found


def title(tmp_path, dialects: tuple[str, ...] = (), **changes) -> str:
    """The docstring's first line of the migration after the initial one."""
    directory = tmp_path / "migrations"
    first = Database(entities=entities())
    first.bind("sqlite", str(tmp_path / "app.db"))
    makemigrations(first, directory, dialects=dialects)
    db = Database(entities=entities(**changes))
    db.bind("sqlite", str(tmp_path / "app.db"))
    plan = plan_migration(db, directory, dialects=dialects)
    assert plan is not None
    return plan.source.split('"""', 2)[1].splitlines()[0]


@pytest.mark.parametrize("dialects", [(), ("sqlite", "postgres", "mysql")])
def test_one_new_index_is_the_title(tmp_path, dialects):
    assert title(tmp_path, dialects, indexed=("name",)) == \
        "Create index idx_team__name on team (name)."


def test_several_new_indexes_are_named(tmp_path):
    assert title(tmp_path, indexed=("name", "city")) == \
        "Create indexes idx_team__city, idx_team__name."


def test_a_new_table_with_its_index_is_the_table(tmp_path):
    assert title(tmp_path, with_tag=True) == "Create table tag."


def test_a_new_table_and_an_index_on_another_is_not_only_the_table(tmp_path):
    text = title(tmp_path, with_tag=True, indexed=("name",))
    assert text.startswith("4 schema changes: ") and "add index team name" in text, text
