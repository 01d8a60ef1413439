"""`lsq-import status`: collect the outcomes of rows left in LeadSquared's async queue."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import click

from importer.cli.options import config_option, ledger_option, status_rate_option

if TYPE_CHECKING:
    from importer.status import Collected


@click.command()
@ledger_option
@click.option("--rate", default="25/5s", show_default=True, help="The account's API limit.")
@status_rate_option
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the summaries as JSON.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or progress lines.")
def status(
    ledger: Path | None,
    rate: str,
    status_rate: str | None,
    config: Path | None,
    as_json: bool,
    quiet: bool,
) -> int:
    """Collect the outcomes of rows in LeadSquared's async queue (target async).

    For every import of this account whose rows wait in the queue (`run --no-wait`, or a
    run that stopped part-way), polls their requests to the end, looks up any unclear row,
    and rewrites that import's results workbook. Sends no new row.
    Exit 0 when every row was created, 1 when some were not, 2 when a run's file or
    mapping changed, 3 when it stopped part-way (run it again to continue).
    """
    from importer.cli.console import print_import
    from importer.cli.progress import Displays
    from importer.cli.signals import stop_on_ctrl_c
    from importer.settings import load_settings, parse_rate
    from importer.status import StatusOptions, collect_queued

    settings = load_settings(config)
    options = StatusOptions(
        ledger=ledger,
        rate=parse_rate(rate),
        status_rate=parse_rate(status_rate) if status_rate else None,
    )
    stop = threading.Event()

    def say(text: str) -> None:
        click.echo(text, err=True)

    progress = Displays(quiet=quiet or as_json, tell_plan=False)
    with stop_on_ctrl_c(stop, say), progress:
        collected = collect_queued(settings, options, progress=progress, stop=stop, say=say)
    if as_json:
        click.echo(json.dumps([_as_dict(c) for c in collected], indent=2))
    elif not collected:
        click.echo("No row of this account's imports is waiting in LeadSquared's queue.")
    for found in [] if as_json else collected:
        if found.report is not None:
            print_import(found.report)
        else:
            click.echo(f"Error: {found.problem}", err=True)
    return max((c.exit_code for c in collected), default=0)


def _as_dict(found: Collected) -> dict[str, object]:
    summary = found.report.to_dict() if found.report else {"exit_code": found.exit_code}
    return {"run": found.run_id, "file": str(found.file), "problem": found.problem, **summary}
