"""The `lsq-import` command line: parses options, calls the library, turns errors into
one-line messages and exit codes (0 all rows fine, 1 some rows invalid or failed,
2 nothing done, 3 aborted part-way — see ../shared/GUIDE.md)."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from importer import __version__
from importer.console import print_dry_run, print_import
from importer.errors import LsqImportError

F = TypeVar("F", bound=Callable[..., Any])


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lsq-import")
def cli() -> None:
    """Dry-run, import and review spreadsheets of opportunities for LeadSquared."""


def input_options(command: F) -> F:
    """The options every command that reads a spreadsheet shares (defined once)."""
    decorators = [
        click.argument("file", type=click.Path(path_type=Path, dir_okay=False)),
        click.option(
            "--mapping",
            "-m",
            required=True,
            type=click.Path(path_type=Path, dir_okay=False),
            help="Mapping file (YAML): spreadsheet columns -> LeadSquared fields and rules.",
        ),
        click.option(
            "--sheet",
            help="Excel sheet to read, by name or 0-based index [default: the mapping's "
            "sheet, else the first with a header row].",
        ),
        click.option(
            "--header-row",
            type=click.IntRange(min=1),
            help="Row holding the column names; rows above it are skipped "
            "[default: the mapping's header_row, else 1].",
        ),
        click.option(
            "--encoding",
            help="Text encoding of a CSV, e.g. cp1252 [default: guessed].",
        ),
        click.option(
            "--out",
            "-o",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Results workbook to write [default: FILE's name + '-results.xlsx', here].",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def sheet_arg(sheet: str | None) -> str | int | None:
    return int(sheet) if sheet is not None and sheet.isdigit() else sheet


def default_out(file: Path, out: Path | None) -> Path:
    """The workbook path; its folder is created so a long run never fails at the very end."""
    path = out or Path(f"{file.stem}-results.xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@cli.command()
@input_options
def validate(
    file: Path,
    mapping: Path,
    sheet: str | None,
    header_row: int | None,
    encoding: str | None,
    out: Path | None,
    as_json: bool,
) -> int:
    """Dry run: check every row of FILE against the mapping's rules; send nothing.

    Writes the results workbook and, beside it, a fix file of the rows to correct.
    Exit 0 when every row is valid, 1 when some are not, 2 when the file or mapping is bad.
    """
    from importer.dryrun import validate as dry_run
    from importer.dryrun import write_dry_run

    report = dry_run(
        file, mapping, sheet=sheet_arg(sheet), header_row=header_row, encoding=encoding
    )
    files = write_dry_run(report, default_out(file, out))
    if as_json:
        click.echo(json.dumps(report.to_dict() | {"workbook": str(files.workbook)}, indent=2))
    else:
        print_dry_run(report, files)
    return 0 if report.ok else 1


@cli.command()
@input_options
@click.option(
    "--target",
    type=click.Choice(["bulk", "capture", "auto"]),
    help="Endpoint to use [default: the mapping's target].",
)
@click.option("--rate", default="25/5s", show_default=True, help="The account's API limit.")
@click.option("--workers", default=16, show_default=True, help="Requests in flight at most.")
@click.option(
    "--journal",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Journal of the run (SQLite) [default: beside the workbook].",
)
@click.option("--fresh", is_flag=True, help="Forget an earlier run of this file; start over.")
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="File with LSQ_HOST, LSQ_ACCESS_KEY, LSQ_SECRET_KEY (else the environment).",
)
@click.option("--dry-run", is_flag=True, help="Only check the rows, exactly like `validate`.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or progress lines.")
@click.pass_context
def run(
    ctx: click.Context,
    file: Path,
    mapping: Path,
    sheet: str | None,
    header_row: int | None,
    encoding: str | None,
    out: Path | None,
    as_json: bool,
    target: str | None,
    rate: str,
    workers: int,
    journal: Path | None,
    fresh: bool,
    config: Path | None,
    dry_run: bool,
    quiet: bool,
) -> int:
    """Import FILE: send valid rows 25 per request at the account's rate limit.

    Running the same command again resumes: rows already imported are never sent twice.
    Exit 0 when every row was created, 1 when some were not, 2 when nothing was done,
    3 when the run stopped part-way (run it again to continue).
    """
    if dry_run:
        result = ctx.invoke(
            validate,
            file=file,
            mapping=mapping,
            sheet=sheet,
            header_row=header_row,
            encoding=encoding,
            out=out,
            as_json=as_json,
        )
        return int(result)
    from importer.config import load_settings
    from importer.progress import ProgressReporter
    from importer.ratelimit import parse_rate
    from importer.runner import RunOptions, run_import, stop_on_ctrl_c

    settings = load_settings(config)
    options = RunOptions(
        out=default_out(file, out),
        sheet=sheet_arg(sheet),
        header_row=header_row,
        encoding=encoding,
        journal=journal,
        fresh=fresh,
        target=target,  # type: ignore[arg-type]  # click.Choice guarantees the literal
        rate=parse_rate(rate),
        workers=workers,
    )
    stop = threading.Event()
    reporters: list[ProgressReporter] = []

    def progress(total: int) -> ProgressReporter:
        reporters.append(ProgressReporter(total, quiet=quiet or as_json))
        return reporters[-1]

    with stop_on_ctrl_c(stop, lambda text: click.echo(text, err=True)):
        report = run_import(file, mapping, settings, options, progress=progress, stop=stop)
    for reporter in reporters:
        reporter.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        print_import(report)
    return report.exit_code


@cli.command("mapping-from-account")
@click.option(
    "--event-code",
    type=int,
    help="Code of the opportunity type to draft for [default: list the account's types].",
)
@click.option(
    "--search-by",
    default="EmailAddress",
    show_default=True,
    help="The unique lead field that finds each row's lead.",
)
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="File with LSQ_HOST, LSQ_ACCESS_KEY, LSQ_SECRET_KEY (else the environment).",
)
@click.option(
    "--out",
    "-o",
    default=Path("mappings/draft.yaml"),
    show_default=True,
    type=click.Path(path_type=Path),
    help="Mapping file to write.",
)
@click.option("--force", is_flag=True, help="Replace --out if it already exists.")
def mapping_from_account(
    event_code: int | None, search_by: str, config: Path | None, out: Path, force: bool
) -> int:
    """Draft a mapping file from the account's own field metadata (read once, online).

    The draft lists every field of the opportunity type and the lead fields with their
    types, options, mandatory flags, lengths and dependent dropdowns, so the dry run then
    enforces the account's rules offline. Rename its column keys to your sheet's headers.
    Without --event-code, lists the account's opportunity types and exits 2.
    """
    from importer.config import load_settings
    from importer.draft_fetch import account_client, check_out, fetch_plan, listing, write_draft
    from importer.draft_fetch import opportunity_types as types_of
    from importer.errors import UsageError

    if event_code is not None:
        check_out(out, force)
    with account_client(load_settings(config)) as client:
        if event_code is None:
            click.echo(listing(types_of(client)))
            raise UsageError("Choose the opportunity type with --event-code CODE (codes above).")
        plan = fetch_plan(client, event_code, search_by)
    write_draft(plan, out, force)
    click.echo(
        f"Wrote {out}: {len(plan.columns)} columns, {len(plan.rules)} dependent dropdown(s). "
        f"Rename its column keys to your sheet's headers, then: "
        f"lsq-import validate FILE --mapping {out}"
    )
    return 0


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
    except OSError as exc:  # e.g. the workbook is open in Excel, or the disk is full
        where = f" ({exc.filename})" if exc.filename else ""
        click.echo(f"Error: {exc.strerror or exc}{where}", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


from importer.sandbox.cli import sandbox  # noqa: E402

cli.add_command(sandbox)
