"""The subcommands other than ``migrate`` and ``showmigrations`` are built on first lookup
(``cli.LazyGroup``): help, a mistyped name's suggestions and each command still see them all."""

from __future__ import annotations

import pytest

from nextorm.migrations.cli import cli, run

COMMANDS = ("adopt-0.5.1", "check", "graph", "lint", "makemigrations", "migrate",
            "rebuild-snapshot", "showmigrations", "sqlmigrate", "squash")


@pytest.fixture(autouse=True)
def as_at_start():
    """The group as a fresh process has it: only ``migrate`` and ``showmigrations`` built."""
    for name in set(cli.commands) - {"migrate", "showmigrations"}:
        del cli.commands[name]


def test_help_lists_every_subcommand(tmp_path, capsys):
    assert run(["--help"], cwd=tmp_path) == 0
    listed = capsys.readouterr().out.split("Commands:")[1].split()
    assert [word for word in listed if word in COMMANDS] == list(COMMANDS)


@pytest.mark.parametrize("typed, suggested", [
    ("migrat", "(Did you mean one of: 'migrate', 'showmigrations', 'sqlmigrate'?)"),
    ("grap", "Did you mean 'graph'?"),
])
def test_a_mistyped_subcommand_suggests_from_all_of_them(tmp_path, capsys, typed, suggested):
    assert run([typed], cwd=tmp_path) == 2
    err = capsys.readouterr().err
    assert f"error: no such command '{typed}'. {suggested}" in err, err
