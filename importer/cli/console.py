"""What the commands print: short summaries a CRM admin reads at a glance.

Kept apart from the CLI so the wording lives in one place and the CLI only wires things up.
Heavy modules are imported only for type checking: `lsq-import --help` stays instant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

import click

from importer.model import Outcome

if TYPE_CHECKING:
    from importer.dryrun import DryRunReport
    from importer.report import ResultFiles
    from importer.run import ImportReport, SendPlan

SHOWN_PROBLEMS = 20  # problems listed on screen; the workbook has them all
TOP_CODES = 5


def print_notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        click.echo(f"Note: {note}", err=True)


def print_dry_run(report: DryRunReport, files: ResultFiles) -> None:
    info = report.source
    print_notes(report.notes)
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


def summary_counts(counts: Mapping[Outcome, int]) -> str:
    """ "287 created, 13 invalid": counts in the pipeline's order of outcomes."""
    return ", ".join(f"{counts[o]} {o}" for o in Outcome if counts.get(o))


def print_plan(plan: SendPlan, stream: TextIO | None = None) -> None:
    """Before the first request: what will be sent, how, and how long (the notes are told
    apart, by :func:`print_notes`: even ``--quiet`` shows them)."""
    if not plan.total:
        return
    checks = f" (first looking up {plan.to_check} unclear from before)" if plan.to_check else ""
    queue = f"{plan.queued} rows from LeadSquared's queue"
    if plan.rows:
        doing = f"Sending {plan.rows} rows{checks} through {plan.target}"
        doing += f" (and collecting the outcomes of {queue})" if plan.queued else ""
    elif plan.queued:
        doing = f"Collecting the outcomes of {queue}{checks}"
    else:
        doing = f"Looking up {plan.to_check} rows left unclear by an earlier run"
    calls = "call" if plan.requests == 1 else "calls"
    click.echo(
        f"{doing}: at least {plan.requests} {calls} at {plan.rate.calls} per "
        f"{plan.rate.seconds:g} s, about {_duration(plan.seconds)}.",
        file=stream,
        err=stream is None,
    )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def print_import(report: ImportReport) -> None:
    info = report.source
    total = sum(report.counts.values())
    click.echo(f"Imported {info.path} (sheet '{info.sheet}'): {total} rows")
    click.echo(f"  {summary_counts(report.counts)}")
    if report.sent_now == 0 and not report.aborted:
        click.echo("  Nothing new was sent: every row already had an outcome in the ledger.")
    if report.counts.get(Outcome.QUEUED):
        click.echo(
            f"  {report.counts[Outcome.QUEUED]} rows wait in LeadSquared's queue: collect "
            "their outcomes with `lsq-import status` (or run the same command again)."
        )
    if report.aborted:
        click.echo(f"Stopped part-way: {report.aborted}", err=True)
        # After Ctrl-C nothing needs fixing; after anything else, the cause does first.
        first = "" if report.aborted.startswith("Interrupted") else "Once that is fixed, "
        again = "run the same command again" if first else "Run the same command again"
        click.echo(f"{first}{again} to continue; nothing will be sent twice.", err=True)
    print_files(report.files)
    click.echo(f"Ledger: {report.ledger} (run {report.run_id})")


def print_files(files: ResultFiles) -> None:
    click.echo(f"Results workbook: {files.workbook}")
    if files.fix_file:
        click.echo(f"Rows to fix and run again: {files.fix_file}")
    if files.spill_csv:
        click.echo(f"Every row's result (the workbook lists those to look at): {files.spill_csv}")
