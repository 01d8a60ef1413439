"""`lsq-import undo`: parse options, call the library (importer.undo), print."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from importer.cli.options import config_option, ledger_option

if TYPE_CHECKING:
    from importer.cli.progress import ProgressReporter
    from importer.undo import UndoReport

_LEADS_WHY = (
    "lsq-import never deletes leads: deleting a lead needs LeadSquared support to enable it, "
    "and it hard-deletes everything attached to the lead (its opportunities and activities). "
    "Delete them in LeadSquared if they should go."
)


@click.command()
@click.argument("run_ref", metavar="RUN")
@click.option(
    "--yes",
    is_flag=True,
    help="Delete them. Without it, only show what would be deleted and what is kept; "
    "nothing is sent.",
)
@click.option(
    "--out",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Results workbook of the undo [default: the run's file name + '-undo-RUN-results.xlsx', "
    "here].",
)
@click.option("--rate", default="25/5s", show_default=True, help="The account's API limit.")
@click.option("--workers", default=16, show_default=True, help="Deletes in flight at most.")
@ledger_option
@click.option(
    "--wait",
    is_flag=True,
    help="If another import or undo into this account is running, wait for it instead of stopping.",
)
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or progress lines.")
def undo(
    run_ref: str,
    yes: bool,
    out: Path | None,
    rate: str,
    workers: int,
    ledger: Path | None,
    wait: bool,
    config: Path | None,
    as_json: bool,
    quiet: bool,
) -> int:
    """Take back what import run RUN created: delete the opportunities it created.

    RUN is a run id from `lsq-import history`, or 'last'. Without --yes this only previews:
    how many opportunities would be deleted, of which type, how long it takes at the rate
    limit, and every one it will not delete, with the reason; nothing is sent. With --yes
    it deletes exactly the opportunities that run created - never those that existed
    before it (duplicate) or that an earlier run created (already_imported) - and writes a
    results workbook. Leads are never deleted. Running it again continues where it stopped;
    on an undone run it sends nothing.

    Exit 0 when all that run created is gone (or for a preview), 1 when some of it could
    not be deleted, 2 when nothing was done, 3 when it stopped part-way (run it again).
    """
    from importer.cli.progress import ProgressReporter
    from importer.cli.signals import stop_on_ctrl_c
    from importer.settings import load_settings, parse_rate
    from importer.undo import UndoOptions, undo_run

    settings = load_settings(config)
    options = UndoOptions(
        run=run_ref,
        yes=yes,
        out=out,
        ledger=ledger,
        rate=parse_rate(rate),
        workers=workers,
        wait=wait,
    )
    stop = threading.Event()
    reporters: list[ProgressReporter] = []

    def say(text: str) -> None:
        click.echo(text, err=True)

    def progress(total: int) -> ProgressReporter:
        reporters.append(ProgressReporter(total, quiet=quiet or as_json))
        return reporters[-1]

    with stop_on_ctrl_c(stop, say):
        report = undo_run(settings, options, progress=progress, stop=stop, say=say)
    for reporter in reporters:
        reporter.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    elif report.preview:
        print_preview(report)
    else:
        print_undo(report)
    return report.exit_code


def print_preview(report: UndoReport) -> None:
    run, kind, summary = report.run, report.kind, report.summary
    _print_run(report)
    if summary.to_delete:
        again = f" ({summary.failed} refused last time)" if summary.failed else ""
        click.echo(
            f"Would delete {summary.to_delete} opportunit{_ies(summary.to_delete)}{again} of "
            f"type '{kind.name}' (event code {kind.event_code}): one call each, "
            f"{report.estimate} at {report.rate.calls} calls per {report.rate.seconds:g} s."
        )
    else:
        click.echo(f"Nothing to delete: no opportunity of run {run.id} is left to take back.")
    if summary.deleted:
        click.echo(f"Already deleted (undone): {summary.deleted}.")
    _print_kept(report)
    click.echo(f"Preview only: nothing was sent. To delete them: lsq-import undo {run.id} --yes")


def print_undo(report: UndoReport) -> None:
    run, summary = report.run, report.summary
    _print_run(report)
    kept = sum(summary.kept.values())
    click.echo(
        f"  {summary.deleted} deleted, {kept} not deleted, {summary.failed} failed"
        + (f", {summary.to_delete - summary.failed} left to delete" if report.aborted else "")
    )
    sent = sum(report.sent.values())
    if not sent and not report.aborted:
        click.echo("  Nothing new was sent: the ledger already had every deletion recorded.")
    elif report.sent.get("already_gone"):
        click.echo(f"  Of which already gone from LeadSquared: {report.sent['already_gone']}.")
    _print_kept(report)
    if report.aborted:
        click.echo(f"Stopped part-way: {report.aborted}", err=True)
        click.echo(
            f"Run `lsq-import undo {run.id} --yes` again to continue; nothing is deleted twice.",
            err=True,
        )
    if report.files is not None:
        click.echo(f"Results workbook: {report.files.workbook}")
    click.echo(f"Ledger: {report.ledger} (run {run.id})")


def _print_run(report: UndoReport) -> None:
    run = report.run
    verb = "Undo of" if report.preview else "Undid"
    click.echo(
        f"{verb} run {run.id}: {run.file} (sheet '{run.sheet}'), imported {run.started_at} "
        f"UTC with target {run.target}"
    )


def _print_kept(report: UndoReport) -> None:
    """Every opportunity kept (up to the summary's list); the leads one by one in a preview,
    counted after an undo (its workbook lists them)."""
    summary = report.summary
    kept = sum(summary.kept.values())
    if kept:
        click.echo(f"Will not delete {kept}:" if report.preview else f"Not deleted ({kept}):")
        for problem in summary.refusals:
            click.echo(f"  [{problem.code}] {problem.message}")
        _more(kept, len(summary.refusals))
    if summary.leads and not report.preview:
        click.echo(f"Leads kept: {summary.leads} (listed in the workbook). {_LEADS_WHY}")
    elif summary.leads:
        click.echo(f"Leads kept: {summary.leads} went through Capture. {_LEADS_WHY}")
        for lead in summary.kept_leads:
            click.echo(f"  row {lead.row}: lead {lead.lead_id} ({lead.lead})")
        _more(summary.leads, len(summary.kept_leads))
    if summary.nothing:
        click.echo(
            f"{summary.nothing} row(s) of the import created nothing (invalid, or refused by "
            "LeadSquared): nothing to undo for them."
        )


def _more(total: int, shown: int) -> None:
    if total > shown:
        click.echo(f"  ... and {total - shown} more (the undo's results workbook lists them all)")


def _ies(count: int) -> str:
    return "y" if count == 1 else "ies"
