"""`lsq-import history`: the runs an account's ledger remembers (only the host is needed)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from importer.cli.console import summary_counts
from importer.cli.options import config_option, ledger_option
from importer.ledger import RunInfo, UndoInfo
from importer.model import Outcome


@click.command()
@config_option
@click.option(
    "--host",
    help="The account's API host, like https://api-in21.leadsquared.com [default: LSQ_HOST "
    "from --config or the environment]. No keys are needed.",
)
@ledger_option
@click.option("--limit", default=20, show_default=True, help="Show at most this many runs.")
@click.option("--json", "as_json", is_flag=True, help="Print the runs as JSON.")
def history(
    config: Path | None, host: str | None, ledger: Path | None, limit: int, as_json: bool
) -> int:
    """List the runs recorded in the account's ledger, newest first.

    Each run: its id (for `lsq-import undo RUN`), when it started, the file and sheet, the
    target, its status, the rows by outcome, and whether it was undone. Reads only the
    ledger: nothing is sent.
    """
    from importer.ledger import Ledger, ledger_path

    account = _account(config, host, ledger)
    where = ledger_path(account, ledger)
    if not where.is_file():
        runs: list[RunInfo] = []
    else:
        with Ledger.open(where, account) as opened:
            runs = opened.history(max(1, limit))
    if as_json:
        click.echo(json.dumps([run_dict(run) for run in runs], indent=2))
    elif not runs:
        click.echo(f"No runs recorded for {account} yet (ledger {where}).")
    else:
        click.echo(f"Runs recorded for {account} (ledger {where}), newest first:")
        click.echo(_table(runs))
    return 0


def _account(config: Path | None, host: str | None, ledger: Path | None) -> str:
    """The host: --host, else LSQ_HOST (--config, environment), else the --ledger's own."""
    from importer.errors import ConfigError
    from importer.ledger import Ledger
    from importer.settings import load_host

    try:
        return load_host(config, host=host)
    except ConfigError as exc:
        found = Ledger.host_of(ledger) if ledger is not None else None
        if found is None and ledger is None:
            said = str(exc).rstrip(".")
            raise ConfigError(f"{said}, or --ledger FILE (a ledger knows its host).") from None
        if found is None:
            raise
        return found


def run_dict(run: RunInfo) -> dict[str, object]:
    """One run as ``history --json`` prints it."""
    return {
        "run": run.id,
        "started_at": run.started_at,
        "ended_at": run.ended_at,
        "status": run.status,
        "file": run.file,
        "sheet": run.sheet,
        "target": run.target,
        "event_code": run.event_code,
        "counts": dict(run.counts),
        "rows": sum(run.counts.values()),
        "undone": undone_text(run.undo),
        "undo": _undo_dict(run.undo),
    }


def _undo_dict(undo: UndoInfo | None) -> dict[str, object] | None:
    if undo is None:
        return None
    return {
        "status": undo.status,
        "started_at": undo.started_at,
        "ended_at": undo.ended_at,
        "counts": dict(undo.counts),
    }


def undone_text(undo: UndoInfo | None) -> str:
    """ "no", "yes, 2026-05-01 10:05:03 UTC (286 deleted)", "partly, …", "undo stopped
    part-way"."""
    if undo is None:
        return "no"
    if not undo.finished:
        return "undo running" if undo.status == "running" else "undo stopped part-way"
    deleted, failed = undo.counts.get("deleted", 0), undo.counts.get("failed", 0)
    if failed:
        return f"partly, {undo.ended_at} UTC ({deleted} deleted, {failed} refused)"
    if not deleted:
        return f"nothing deleted, {undo.ended_at} UTC"
    return f"yes, {undo.ended_at} UTC ({deleted} deleted)"


def _table(runs: list[RunInfo]) -> str:
    header = (
        "Run",
        "Started (UTC)",
        "Status",
        "Target",
        "File [sheet]",
        "Rows",
        "Undone",
        "Outcomes",
    )
    lines = [header]
    for run in runs:
        counts = {o: run.counts[o.value] for o in Outcome if run.counts.get(o.value)}
        outcomes = summary_counts(counts) or "-"
        lines.append(
            (
                str(run.id),
                run.started_at,
                run.status,
                run.target,
                f"{Path(run.file).name} [{run.sheet}]",
                str(sum(run.counts.values())),
                undone_text(run.undo),
                outcomes,
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join([*(cell.ljust(w) for cell, w in zip(line, widths, strict=False)), line[-1]])
        for line in lines
    )
