"""What the commands print: short summaries a CRM admin reads at a glance.

Kept apart from the CLI so the wording lives in one place and the CLI only wires things up.
Heavy modules are imported only for type checking: `lsq-import --help` stays instant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from importer.dryrun import DryRunReport
    from importer.report import ResultFiles
    from importer.runner import ImportReport

SHOWN_PROBLEMS = 20  # problems listed on screen; the workbook has them all
TOP_CODES = 5


def print_notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        click.echo(f"Note: {note}", err=True)


def print_dry_run(report: DryRunReport, files: ResultFiles) -> None:
    info = report.source
    print_notes(report.notes())
    click.echo(f"Read {info.path} (sheet '{info.sheet}') with mapping {report.mapping.path}")
    blank = f", {report.blank_rows} blank skipped" if report.blank_rows else ""
    click.echo(
        f"{report.rows_read} rows read{blank}: "
        f"{report.valid_rows} valid, {len(report.invalid)} invalid"
    )
    counts = report.problem_counts()
    if counts:
        top = ", ".join(f"{code} {n}" for code, n in counts.most_common(TOP_CODES))
        click.echo(f"Top problems: {top}")
        for problem in report.problems[:SHOWN_PROBLEMS]:
            click.echo(f"  row {problem.row} [{problem.code}] {problem.message}")
        if len(report.problems) > SHOWN_PROBLEMS:
            click.echo(f"  ... and {len(report.problems) - SHOWN_PROBLEMS} more in the workbook")
    print_files(files)


def print_import(report: ImportReport) -> None:
    from importer.runner import summary_counts

    info = report.source
    print_notes(report.notes)
    total = sum(report.counts.values())
    click.echo(f"Imported {info.path} (sheet '{info.sheet}'): {total} rows")
    click.echo(f"  {summary_counts(report.counts)}")
    if report.sent_now == 0 and not report.aborted:
        click.echo("  Nothing new was sent: every row already had an outcome in the journal.")
    if report.aborted:
        click.echo(f"Stopped part-way: {report.aborted}", err=True)
        click.echo(
            "Once that is fixed, run the same command again to continue; "
            "nothing will be sent twice.",
            err=True,
        )
    print_files(report.files)
    click.echo(f"Journal: {report.journal}")


def print_files(files: ResultFiles) -> None:
    click.echo(f"Results workbook: {files.workbook}")
    if files.fix_file:
        click.echo(f"Rows to fix and run again: {files.fix_file}")
    if files.spill_csv:
        click.echo(f"Rows beyond Excel's limit: {files.spill_csv}")
