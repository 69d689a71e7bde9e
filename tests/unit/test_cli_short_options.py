"""``-q``, ``-m``, ``-d`` parse as click parses them, without its long-option detour.

``cli.ShortOptionsFirst`` (the root group, ``migrate``, ``showmigrations``: the commands run on
every deploy) matches a two-character short option at once (click first tries it
as a long option and builds a "did you mean" error).  These parse the arguments only (click's
``make_context``), nothing runs.
"""

from __future__ import annotations

import click
import pytest

from nextorm.migrations import cli


def parsed(command: click.Command, argv: list[str]) -> dict[str, object]:
    return dict(command.make_context("nextorm", argv).params)


@pytest.mark.parametrize("argv", [
    ["-q", "-m", "app.models", "-d", "db/migrations"],
    ["-qm", "app.models", "-d", "db/migrations"],
    ["--quiet", "--module", "app.models", "--directory", "db/migrations"],
    ["-q", "--module=app.models", "-ddb/migrations"],
])
def test_short_and_long_spellings_give_the_same_options(argv: list[str]) -> None:
    params = parsed(cli.migrate, argv)
    assert (params["quiet"], params["module"], params["directory"]) == (
        True, "app.models", "db/migrations")


def test_the_root_group_and_its_subcommands_use_the_short_first_parser() -> None:
    assert isinstance(cli.cli, cli.ShortOptionsFirst)
    assert isinstance(cli.migrate, cli.ShortOptionsFirst)
    assert isinstance(cli.showmigrations, cli.ShortOptionsFirst)
    assert parsed(cli.showmigrations, ["-q", "-m", "x"])["module"] == "x"


def test_an_unknown_short_option_is_refused_as_plain_click_refuses_it() -> None:
    plain = click.Command("migrate", params=list(cli.migrate.params))
    messages = []
    for command in (cli.migrate, plain):
        with pytest.raises(click.NoSuchOption) as caught:
            parsed(command, ["-z"])
        messages.append(caught.value.format_message())
    assert messages[0] == messages[1] and "-z" in messages[0]


def test_a_value_that_looks_like_an_option_is_taken_as_the_value() -> None:
    assert parsed(cli.migrate, ["-m", "-q"])["module"] == "-q"
