"""The subcommands other than ``migrate`` and ``showmigrations``, added to the root command
when one of them is looked up, or the list is asked for (``cli.LazyGroup``): a deploy runs
``migrate`` and ``showmigrations``, and building the other eight cost every start.

They are plain ``click`` commands listed in ``COMMANDS``; the root group adds them (this
module never imports ``cli``, which may be running as ``__main__``).
"""

from __future__ import annotations

from typing import Any

import click

from ..errors import MigrationError
from .cli_context import Context, common_options, generator_options, offline_options, say
from .commands import (
    run_check,
    run_lint,
    run_makemigrations,
    run_rebuild_snapshot,
    run_sqlmigrate,
    run_squash,
)
from .graph import FORMATS
from .loader import SNAPSHOT_NAME, display


@click.command()
@common_options
@generator_options
@click.pass_obj
def makemigrations(ctx: Context, **local: Any) -> None:
    """Write the next migration file from the entity changes."""
    run_makemigrations(ctx, local)

@click.command()
@click.argument("version")
@click.option("--backwards", is_flag=True, help="Show the downgrade SQL instead.")
@common_options
@offline_options
@click.pass_obj
def sqlmigrate(ctx: Context, version: str, backwards: bool, **local: Any) -> None:
    """Print the SQL of VERSION, or the whole script of FROM..TO, without running it."""
    run_sqlmigrate(ctx, local, version, backwards)

@click.command()
@common_options
@click.pass_obj
def check(ctx: Context, **local: Any) -> None:
    """Compare the database with the applied migrations and the entities with the snapshot."""
    run_check(ctx, local)

@click.command()
@click.argument("range_", metavar="[RANGE]", required=False)
@click.option("--offline", is_flag=True, default=None,
              help="Do not read table sizes from the database (NX107 is skipped).")
@click.option("--large-table", type=click.IntRange(min=0), metavar="ROWS",
              help="Rows above which an index needs CONCURRENTLY (default 100000).")
@click.option("--dialect", "dialects", multiple=True, metavar="NAME",
              help="Lint the part for this server, without connecting (repeatable; 'all': "
                   "every server each file carries).")
@common_options
@click.pass_obj
def lint(ctx: Context, range_: str | None, **local: Any) -> None:
    """Check migrations (all, VERSION or FROM..TO) for operations dangerous in production."""
    run_lint(ctx, local, range_)

@click.command("squash")
@click.argument("start", metavar="FROM")
@click.argument("end", metavar="TO")
@click.option("--name", "-n", metavar="LABEL", help="Suffix of the new file's name.")
@common_options
@click.pass_obj
def squash_command(ctx: Context, start: str, end: str, **local: Any) -> None:
    """Write one migration equivalent to FROM..TO that replaces them."""
    run_squash(ctx, local, start, end)

@click.command("rebuild-snapshot")
@common_options
@click.pass_obj
def rebuild_snapshot(ctx: Context, **local: Any) -> None:
    """Rebuild the snapshot from a database that has every migration applied."""
    run_rebuild_snapshot(ctx, local)

@click.command("adopt-0.5.1")
@common_options
@click.pass_obj
def adopt_051(ctx: Context, **local: Any) -> None:
    """Adopt the tracking table and snapshot nextorm 0.5.1 wrote (migrate does it too)."""
    from .adopt import adopt_051 as adopt

    db = ctx.database(local)
    with ctx.reading(db):
        done = adopt(db, ctx.directory(local))
    if not ctx.quiet(local):
        click.echo(done.describe())

@click.command("graph")
@click.option("--live", is_flag=True,
              help="Draw the live database instead of the snapshot (the migrations' schema).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="mermaid",
              show_default=True, help="mermaid: an ER diagram for Markdown; dot: Graphviz.")
@click.option("--output", "-o", metavar="FILE",
              help="Write to FILE instead of stdout (Mermaid in a .md file gets its block).")
@common_options
@click.pass_obj
def graph_command(ctx: Context, live: bool, output_format: str, output: str | None,
                  **local: Any) -> None:
    """Draw the tables and their relations: a Mermaid ER diagram or Graphviz DOT."""
    from .graph import render

    tables = live_tables(ctx, local) if live else snapshot_tables(ctx.directory(local))
    path = ctx.started_in / output if output else None
    text = render(tables, output_format, markdown_file=path is not None and
                  path.suffix.lower() in (".md", ".markdown"))
    if path is None:
        click.echo(text, nl=False)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise MigrationError(f"--output {output}: cannot write it: {exc.strerror}") from None
    say(ctx, local, f"Wrote {display(path)} ({len(tables)} tables)", fg="green")


def snapshot_tables(directory: str) -> dict[str, Any]:
    """The tables the migrations produce, from the snapshot (no import, no connection)."""
    from .snapshot import load, snapshot_path

    if not snapshot_path(directory).exists():
        raise MigrationError(f"no {SNAPSHOT_NAME} in {display(directory)}: run "
                             "makemigrations first, or draw the live database with --live")
    tables: dict[str, Any] = load(directory)["tables"]
    return tables


def live_tables(ctx: Context, local: dict[str, Any]) -> dict[str, Any]:
    """The live database's tables: the module's Database, or a URL alone (no --module)."""
    from ..schema.introspect import introspect

    bind = ctx.database_url(local)
    if bind is None or ctx.option(local, "module"):
        db = ctx.database(local, mapped=False)
        with ctx.reading(db):
            return dict(introspect(db)["tables"])
    from ..database import Database

    with Database(entities=[]) as bare:  # closed after: nothing else uses it
        bare.bind(bind[0], *bind[1])
        with ctx.reading(bare):
            return dict(introspect(bare)["tables"])


#: What ``cli.other_commands`` adds to the root group.
COMMANDS = [makemigrations, sqlmigrate, check, lint, squash_command, rebuild_snapshot, adopt_051,
            graph_command]
