"""The `lsq-import` group and its entry point: parses nothing itself, loads each command
only when it is used (so `lsq-import run` never imports the sandbox), and turns library
errors into one-line messages and exit codes (0 all rows fine, 1 some rows invalid or
failed, 2 nothing done, 3 aborted part-way — see importer/errors.py)."""

from __future__ import annotations

import importlib
import sys

import click

from importer import __version__
from importer.errors import LsqImportError

# command name -> "module:attribute", imported on first use.
COMMANDS = {
    "validate": "importer.cli.commands:validate",
    "run": "importer.cli.commands:run",
    "status": "importer.cli.status:status",
    "mapping-from-account": "importer.cli.draft:mapping_from_account",
    "history": "importer.cli.history:history",
    "undo": "importer.cli.undo:undo",
    "sandbox": "importer.sandbox.cli:sandbox",
}


class LazyGroup(click.Group):
    """A group whose commands live in their own modules and load when named."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{COMMANDS[cmd_name]} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lsq-import")
def cli() -> None:
    """Dry-run, import and review spreadsheets of opportunities for LeadSquared."""


def one_line(exc: click.ClickException) -> str:
    """Click's usage errors as one line (its own are three: usage, hint, error)."""
    message = " ".join(exc.format_message().split())
    context = getattr(exc, "ctx", None)
    if isinstance(context, click.Context):
        message += f" (see '{context.command_path} --help')"
    return message.replace("python -m importer", "lsq-import")


def main() -> None:
    """Console-script entry point: never shows a traceback for an expected error."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(3)
    except click.ClickException as exc:
        click.echo(f"Error: {one_line(exc)}", err=True)
        sys.exit(2)
    except LsqImportError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:  # e.g. the workbook is open in Excel, or the disk is full
        where = f" ({exc.filename})" if exc.filename else ""
        click.echo(f"Error: {exc.strerror or exc}{where}", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
