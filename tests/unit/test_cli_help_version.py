"""``-h``/``--help`` and ``--version`` read as click's own options do.

``cli.ShortOptionsFirst`` builds the help option with its text as written, and ``--version`` is
a plain eager option: click's own pass their texts through ``gettext``, whose first lookup
imports ``locale`` on every start (``tests/packaging/test_import_cost_runtime.py`` guards that).
These run the CLI in process, through click's test runner; nothing touches a database.
"""

from __future__ import annotations

from importlib.metadata import version

import pytest
from click.testing import CliRunner

from nextorm.migrations import cli


def invoke(*argv: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli.cli, list(argv))
    return result.exit_code, result.output


def test_version_prints_the_installed_version_and_exits_zero() -> None:
    assert invoke("--version") == (0, f"nextorm, version {version('nextorm')}\n")


@pytest.mark.parametrize("argv", [
    ["-h"], ["--help"], ["migrate", "-h"], ["showmigrations", "--help"],
    ["makemigrations", "-h"], ["sqlmigrate", "--help"],
])
def test_help_prints_the_usage_and_the_help_line_and_exits_zero(argv: list[str]) -> None:
    code, output = invoke(*argv)
    assert code == 0
    assert output.startswith("Usage: ")
    assert "-h, --help" in output and "Show this message and exit." in output
    assert output.count("Show this message and exit.") == 1


def test_help_is_eager_over_a_bad_option_value_and_runs_nothing() -> None:
    """``showmigrations`` uses the option built here: help wins over a value it would refuse."""
    code, output = invoke("showmigrations", "-h", "--format", "bogus")
    assert code == 0 and "--pending-exit-code" in output
    assert invoke("showmigrations", "--format", "bogus")[0] == 2  # the check it skipped


def test_help_and_version_act_in_the_order_typed() -> None:
    assert invoke("-h", "--version")[1].startswith("Usage: ")
    assert invoke("--version", "-h")[1].startswith("nextorm, version ")


def test_the_root_help_lists_version_before_help() -> None:
    output = invoke("-h")[1]
    assert output.index("--version") < output.index("-h, --help")


def test_each_command_hands_out_one_help_option_per_set_of_names() -> None:
    """click orders eager options by identity: a new object per call would break that.  A
    context with other help names (the command on its own has only ``--help``) gets its own
    option, and the root group's ``-h`` keeps working after it."""
    from click import Context

    alone = cli.migrate.make_context("migrate", ["-m", "x"])
    under_root = Context(cli.migrate, parent=Context(cli.cli, help_option_names=["-h", "--help"]))
    assert cli.migrate.get_help_option(alone) is cli.migrate.get_help_option(alone)
    assert cli.migrate.get_help_option(alone).opts == ["--help"]
    assert cli.migrate.get_help_option(under_root).opts == ["-h", "--help"]
    assert invoke("migrate", "-h")[0] == 0


def test_a_command_without_a_help_option_gets_none() -> None:
    import click

    class Plain(cli.ShortOptionsFirst, click.Command):
        pass

    command = Plain("plain", add_help_option=False)
    assert command.get_help_option(command.make_context("plain", [])) is None
