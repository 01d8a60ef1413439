"""The `lsq-import` command line: parses options, calls the library, turns errors into
one-line messages and exit codes (0 all rows fine, 1 some rows invalid or failed,
2 nothing done, 3 aborted part-way — see ../shared/GUIDE.md)."""

from __future__ import annotations

import sys

import click

from importer import __version__
from importer.errors import LsqImportError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lsq-import")
def cli() -> None:
    """Dry-run, import and review spreadsheets of opportunities for LeadSquared."""


def main() -> None:
    """Console-script entry point: never shows a traceback for an expected error."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(3)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except LsqImportError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


from importer.sandbox.cli import sandbox  # noqa: E402

cli.add_command(sandbox)
