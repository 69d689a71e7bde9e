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


def test_help_wins_over_a_missing_required_argument_and_runs_nothing() -> None:
    code, output = invoke("sqlmigrate", "-h")  # VERSION is required; help is eager
    assert code == 0 and "VERSION" in output


def test_the_root_help_lists_version_before_help() -> None:
    output = invoke("-h")[1]
    assert output.index("--version") < output.index("-h, --help")


def test_each_command_hands_out_one_help_option() -> None:
    """click orders eager options by identity: a new object per call would break that."""
    ctx = cli.migrate.make_context("migrate", ["-m", "x"])
    assert cli.migrate.get_help_option(ctx) is cli.migrate.get_help_option(ctx)


def test_a_command_without_a_help_option_gets_none() -> None:
    import click

    class Plain(cli.ShortOptionsFirst, click.Command):
        pass

    command = Plain("plain", add_help_option=False)
    assert command.get_help_option(command.make_context("plain", [])) is None
