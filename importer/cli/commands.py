"""`lsq-import validate` and `lsq-import run`: parse options, call the library, print."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import click

from importer.cli.console import print_dry_run, print_import
from importer.cli.options import (
    async_options,
    config_option,
    input_options,
    ledger_option,
    sheet_arg,
)
from importer.model import TARGETS, Target


@click.command()
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
    return checked(file, mapping, sheet, out, as_json, None, header_row, encoding)


def checked(
    file: Path,
    mapping: Path,
    sheet: str | None,
    out: Path | None,
    as_json: bool,
    target: Target | None,
    header_row: int | None = None,
    encoding: str | None = None,
) -> int:
    """The dry run of both `validate` and `run --dry-run`: report, workbook, exit code."""
    from importer.dryrun import validate as check
    from importer.dryrun import write_dry_run
    from importer.pipeline import results_path
    from importer.reader import file_format
    from importer.report import check_outputs, check_writable

    workbook = results_path(file, out)
    check_outputs(workbook, file_format(file), file, mapping)  # before reading anything
    check_writable(workbook, file_format(file))
    report = check(
        file,
        mapping,
        sheet=sheet_arg(sheet),
        target=target,
        header_row=header_row,
        encoding=encoding,
    )
    files = write_dry_run(report, workbook)
    if as_json:
        click.echo(json.dumps(report.to_dict() | {"workbook": str(files.workbook)}, indent=2))
    else:
        print_dry_run(report, files)
    return 0 if report.ok else 1


@click.command()
@input_options
@click.option(
    "--target",
    type=click.Choice(TARGETS),
    help="Endpoint to use [default: the mapping's target].",
)
@click.option("--rate", default="25/5s", show_default=True, help="The account's API limit.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=16,
    show_default=True,
    help="Requests in flight at most (1 to 64).",
)
@ledger_option
@click.option(
    "--allow-resend",
    is_flag=True,
    help="Send again rows the ledger says an earlier run already created. This CAN CREATE "
    "DUPLICATE OPPORTUNITIES; use it only when those opportunities were deleted in LeadSquared.",
)
@click.option(
    "--wait",
    is_flag=True,
    help="If another import into this account is running, wait for it instead of stopping.",
)
@async_options
@config_option
@click.option("--dry-run", is_flag=True, help="Only check the rows, exactly like `validate`.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or progress lines.")
def run(
    file: Path,
    mapping: Path,
    sheet: str | None,
    header_row: int | None,
    encoding: str | None,
    out: Path | None,
    as_json: bool,
    target: Target | None,
    rate: str,
    workers: int,
    ledger: Path | None,
    allow_resend: bool,
    wait: bool,
    no_wait: bool,
    status_rate: str | None,
    config: Path | None,
    dry_run: bool,
    quiet: bool,
) -> int:
    """Import FILE: send valid rows 25 per request at the account's rate limit.

    Running the same command again resumes; a row the account's ledger says was already
    imported (by any earlier run, from any file) is never sent again.
    Exit 0 when every row was created, 1 when some were not, 2 when nothing was done,
    3 when the run stopped part-way (run it again to continue).
    """
    if dry_run:
        return checked(file, mapping, sheet, out, as_json, target, header_row, encoding)
    from importer.cli.progress import Displays
    from importer.cli.signals import stop_on_ctrl_c
    from importer.mapping import load_mapping
    from importer.pipeline import chosen_target, results_path
    from importer.run import RunOptions, run_import
    from importer.send.destination import load_destination_settings
    from importer.settings import parse_rate

    chosen_rate = parse_rate(rate)  # options first: a typo is told before the settings
    loaded = load_mapping(mapping)  # its destination says which settings to read
    _refuse_async_options(chosen_target(loaded, target), no_wait=no_wait, status_rate=status_rate)
    settings = load_destination_settings(loaded, config)
    options = RunOptions(
        out=results_path(file, out),
        sheet=sheet_arg(sheet),
        header_row=header_row,
        encoding=encoding,
        ledger=ledger,
        allow_resend=allow_resend,
        wait=wait,
        target=target,
        rate=chosen_rate,
        workers=workers,
        wait_for_queue=not no_wait,
        status_rate=parse_rate(status_rate) if status_rate else None,
    )
    stop = threading.Event()

    def say(text: str) -> None:
        click.echo(text, err=True)

    progress = Displays(quiet=quiet or as_json, tell_plan=not as_json)
    with stop_on_ctrl_c(stop, say), progress:
        report = run_import(file, loaded, settings, options, progress=progress, stop=stop, say=say)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        print_import(report)
    return report.exit_code


def _refuse_async_options(target: str, *, no_wait: bool, status_rate: str | None) -> None:
    """--no-wait and --status-rate mean something for target async only: said, not ignored."""
    given = [name for name, on in (("--no-wait", no_wait), ("--status-rate", status_rate)) if on]
    if given and target != "async":
        from importer.errors import UsageError

        raise UsageError(
            f"{' and '.join(given)} only apply to target async (LeadSquared's queue); this "
            f"import's target is {target}: leave them out, or add --target async."
        )
