"""The ``nextorm`` command line: makemigrations, migrate, showmigrations, sqlmigrate, check,
lint, squash, rebuild-snapshot, adopt-0.5.1, graph.

::

    python -m nextorm.migrations.cli makemigrations --module myapp.models [--name LABEL]
    python -m nextorm.migrations.cli migrate        --module myapp.models [TARGET] [--fake]
    python -m nextorm.migrations.cli showmigrations --module myapp.models
    python -m nextorm.migrations.cli sqlmigrate     --module myapp.models VERSION
    python -m nextorm.migrations.cli check          --module myapp.models
    python -m nextorm.migrations.cli migrate --sql  --dialect postgres   # the script, offline
    python -m nextorm.migrations.cli lint 12..      --module myapp.models   # exit 1: findings
    python -m nextorm.migrations.cli squash 2 5
    python -m nextorm graph --format dot -o schema.dot   # the snapshot's tables, drawn
    pdm run migrate --makemigrations --migrate      # root flags, run in that order

Every command accepts ``--module``, ``--db-attr`` (default ``db``), ``--database-url``
(default ``$DATABASE_URL``: instead of the module's bind) and ``--directory`` (default
``migrations/``); defaults may come from ``[tool.nextorm]`` in the nearest pyproject.toml.
A failure prints one ``error: ...`` line and exits 1; bad usage exits 2.
Colours are used only on a terminal, never with ``NO_COLOR``, always with ``FORCE_COLOR``.
Full reference: ``docs/cli.md``.

This module wires the options (``cli_context.py``) to what the commands do
(``commands.py``); ``run(argv, cwd=...)`` calls it in process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

from ..database import mask_password
from ..errors import NextORMError
from .cli_context import (
    Context,
    Failure,
    common_options,
    generator_options,
    migrate_options,
    offline_options,
)
from .commands import (
    EXIT_PENDING,
    run_makemigrations,
    run_migrate,
    run_migrate_plan,
    run_migrate_sql,
    run_showmigrations,
)
from .loader import DISPLAY_BASE
from .project import find_config

if TYPE_CHECKING:
    from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


# -- the commands ----------------------------------------------------------------------------


class ShortOptionsFirst:
    """Parse ``-q``, ``-m``, ``-d`` as the short options they are, at once.

    click tries every argument that starts with ``-`` as a long option first; for ``-q`` that
    fails with a ``NoSuchOption`` whose "did you mean" imports ``difflib`` and whose message is
    looked up in the translations, and only then is ``-q`` matched as a short option: about
    1 ms of a no-op ``migrate -q`` (issue 9).  A prefix character and one letter can only be a
    short option, so asking for it first parses the same.  Anything else, and a parser without
    the parts this relies on, goes through click unchanged.
    """

    def make_parser(self, ctx: click.Context) -> Any:
        parser = super().make_parser(ctx)  # type: ignore[misc]
        short = getattr(parser, "_short_opt", None)
        process = getattr(parser, "_process_opts", None)
        match_short = getattr(parser, "_match_short_opt", None)
        if not (isinstance(short, dict) and process and match_short):
            return parser

        def process_opts(arg: str, state: Any) -> None:
            if len(arg) == 2 and arg in short:
                match_short(arg, state)
            else:
                process(arg, state)

        parser._process_opts = process_opts
        return parser

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        """click's help option with its text as written.  click passes the text through
        ``gettext`` as it builds the option, and the first lookup imports ``locale`` and
        searches for translation files (about 1 ms of a no-op ``migrate``); click ships no
        translations, so the text read is the same.

        One option per set of names, kept on the command: click orders eager callbacks by
        comparing option objects, so a context must get the same one each time; a context
        with other names (``migrate`` on its own has only ``--help``; under the root group,
        ``-h`` too) gets its own.
        """
        names = self.get_help_option_names(ctx)  # type: ignore[attr-defined]
        if not names or not self.add_help_option:  # type: ignore[attr-defined]
            return None
        made: dict[frozenset[str], click.Option] = self.__dict__.setdefault("_plain_help", {})
        key = frozenset(names)
        if key not in made:
            made[key] = click.Option(names, is_flag=True, expose_value=False, is_eager=True,
                                     help="Show this message and exit.", callback=_show_help)
        return made[key]


def _show_help(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(ctx.get_help(), color=ctx.color)
        ctx.exit()


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--version``: ``nextorm, version 1.2.3``, as ``click.version_option`` prints it (which,
    like the help option, looks its texts up in translations as the module loads)."""
    if value and not ctx.resilient_parsing:
        from importlib.metadata import PackageNotFoundError, version

        try:
            installed = version("nextorm")
        except PackageNotFoundError:  # run from a checkout that was never installed
            installed = "unknown (not installed)"
        click.echo(f"nextorm, version {installed}", color=ctx.color)
        ctx.exit()


class ShortOptionsFirstCommand(ShortOptionsFirst, click.Command):
    """A subcommand parsed as ``ShortOptionsFirst`` says."""


class LazyGroup(ShortOptionsFirst, click.Group):
    """The root command.  ``migrate`` and ``showmigrations``, run on every deploy, are built
    with it; the other subcommands when one of them is looked up, or the list is asked for
    (help, completion, a mistyped name's suggestions), by ``other_commands``."""

    command_class = ShortOptionsFirstCommand

    def list_commands(self, ctx: click.Context) -> list[str]:
        other_commands()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            other_commands()
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@common_options
@click.option("--makemigrations", "do_makemigrations", is_flag=True,
              help="Run makemigrations (flags run in the order make, migrate, show).")
@click.option("--migrate", "do_migrate", is_flag=True, help="Run migrate.")
@click.option("--showmigrations", "do_showmigrations", is_flag=True, help="Run showmigrations.")
@generator_options
@migrate_options
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              help="Show the version and exit.", callback=_show_version)
@click.pass_context
def cli(click_ctx: click.Context, do_makemigrations: bool, do_migrate: bool,
        do_showmigrations: bool, **options: Any) -> None:
    """NextORM migrations: makemigrations, migrate, showmigrations, sqlmigrate."""
    cwd = click_ctx.obj  # a folder when called in process (run), None from the command line
    ctx = Context(find_config(cwd), options, cwd)
    click_ctx.obj = ctx
    if click_ctx.invoked_subcommand is not None:
        return
    if not (do_makemigrations or do_migrate or do_showmigrations):
        click.echo(click_ctx.get_help())
        raise click.exceptions.Exit(EXIT_USAGE)
    if do_makemigrations:
        run_makemigrations(ctx, {})
    if do_migrate:
        run_migrate(ctx, {}, None)
    if do_showmigrations:
        run_showmigrations(ctx, {})


@cli.command()
@click.argument("target", required=False)
@common_options
@migrate_options
@click.option("--sql", is_flag=True, help="Print the SQL script instead of running it.")
@click.option("--plan", is_flag=True, help="List what would run, and run nothing.")
@click.option("--from", "from_version", metavar="VERSION",
              help="With --sql/--plan: take migrations up to VERSION as applied.")
@offline_options
@click.pass_obj
def migrate(ctx: Context, target: str | None, sql: bool, plan: bool, **local: Any) -> None:
    """Apply pending migrations, or move to TARGET (a number, or zero to undo all)."""
    if sql and plan:
        raise click.UsageError("--sql and --plan cannot be combined")
    if not (sql or plan):
        for name in ("dialect", "from_version"):
            if local.get(name):
                option = "--from" if name == "from_version" else "--dialect"
                raise click.UsageError(f"{option} works only with --sql or --plan")
        run_migrate(ctx, local, target)
    elif sql:
        run_migrate_sql(ctx, local, target)
    else:
        run_migrate_plan(ctx, local, target)


@cli.command()
@common_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: one stable object for tools (docs/cli.md).")
@click.option("--pending-exit-code", is_flag=True,
              help=f"Exit {EXIT_PENDING} when a migration is not applied (for scripts).")
@click.pass_obj
def showmigrations(ctx: Context, **local: Any) -> None:
    """List every migration with [x] applied or [ ] pending."""
    run_showmigrations(ctx, local)


def other_commands() -> None:
    """Add the subcommands other than ``migrate`` and ``showmigrations`` (see ``LazyGroup``)."""
    if "makemigrations" in cli.commands:
        return
    from .cli_subcommands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)


# -- entry point -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; print ``error: ...`` on failure. Returns (and exits with) the exit code.

    The objects that exist when the command starts are the modules' (click's, NextORM's):
    they live as long as the process, so they are frozen out of the garbage collector's
    scans (``gc.freeze``): each collection the command's own work triggers stays small.
    Nothing is frozen at the end: the interpreter's exit must still finalize what the
    user's models and migrations leave in reference cycles (a buffered file is flushed
    there), and their ``atexit`` hooks still find the database bound.
    """
    import gc

    gc.freeze()
    sys.exit(run(argv))


def run(argv: list[str] | None, cwd: Path | None = None) -> int:
    """Run the CLI in this process and return its exit code.

    ``cwd`` is the folder the command runs in, as if the user typed it there; the process's
    own working directory is left alone (tests and tools call the CLI this way).
    """
    token = DISPLAY_BASE.set(None)
    try:
        return _main(argv, cwd)
    finally:
        DISPLAY_BASE.reset(token)


def colour_choice(environ: Mapping[str, str] = os.environ) -> bool | None:
    """Colours: off with ``NO_COLOR``, on with ``FORCE_COLOR`` even without a terminal (any
    non-empty value; ``NO_COLOR`` wins, as in CPython); None: only on a terminal."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return None


def _main(argv: list[str] | None, cwd: Path | None) -> int:
    colour = colour_choice()

    def error(text: str) -> None:
        click.secho(f"error: {mask_password(text)}", err=True, fg="red", color=colour)

    try:
        result = cli.main(args=argv, prog_name="nextorm", standalone_mode=False, obj=cwd,
                          color=colour)
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        message = " ".join(exc.format_message().split()).rstrip(".")
        error(f"{message[:1].lower()}{message[1:]}{hint}")
        return EXIT_USAGE
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            click.echo("error: interrupted (Ctrl-C)", err=True)
            return 130
        click.echo("error: aborted", err=True)
        return EXIT_FAILURE
    except click.ClickException as exc:
        error(exc.format_message())
        return EXIT_FAILURE
    except Failure:
        return EXIT_FAILURE
    except SystemExit as exc:  # click's shell completion (_NEXTORM_COMPLETE) exits by itself
        return exc.code if isinstance(exc.code, int) else EXIT_FAILURE
    except NextORMError as exc:
        error(str(exc))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        click.echo("error: interrupted", err=True)
        return 130
    return result if isinstance(result, int) else EXIT_OK


if __name__ == "__main__":
    main()
