"""`lsq-import status`: collect the outcomes of the rows an async import left in
LeadSquared's queue (``run --target async --no-wait``, a run stopped part-way) and rewrite
that run's results workbook.

Each such run of the account's ledger is continued exactly as running its command again
would (:func:`importer.run.run_import`: the same file, sheet, mapping, target and results
workbook, read from the ledger), except that nothing new is sent: queued requests are
polled, unclear rows looked up. Rows still to send stay pending for the import command.
The file and the mapping must be the ones the run read: a changed file is refused rather
than taken for another import.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from importer.errors import UsageError
from importer.ledger import Ledger, RunSpec, ledger_path
from importer.ledger.queued import WaitingRun, waiting_runs
from importer.mapping import load_mapping
from importer.pipeline import results_path
from importer.reader import file_format
from importer.run import ImportReport, RunOptions, SendPlan, file_sha256, run_import
from importer.send.sender import Progress
from importer.settings import DEFAULT_RATE, Rate, Settings


@dataclass(frozen=True)
class StatusOptions:
    ledger: Path | None = None  # default: the account's (importer.ledger.location)
    rate: Rate = field(default_factory=lambda: DEFAULT_RATE)
    status_rate: Rate | None = None  # the Status API's own limit, if the account has one
    workers: int = 16


@dataclass(frozen=True)
class Collected:
    """One waiting run: its report once collected, or why it could not be."""

    run_id: int
    file: Path
    report: ImportReport | None = None
    problem: str | None = None

    @property
    def exit_code(self) -> int:
        return self.report.exit_code if self.report else 2


def collect_queued(
    settings: Settings,
    options: StatusOptions,
    *,
    progress: Callable[[SendPlan], Progress] | None = None,
    stop: threading.Event | None = None,
    say: Callable[[str], None] | None = None,
) -> list[Collected]:
    """Collect every waiting async run of the account's ledger, oldest first."""
    where = ledger_path(settings.host, options.ledger)
    if not where.is_file():
        return []  # no ledger: nothing was ever sent to this account from here
    with Ledger.open(where, settings.host) as ledger:
        waiting = waiting_runs(ledger.db)
    collected: list[Collected] = []
    for found in waiting:
        if stop is not None and stop.is_set():
            break
        try:
            report = _collect(found, settings, options, where, progress, stop, say)
        except UsageError as exc:
            collected.append(Collected(found.run_id, found.spec.file, problem=str(exc)))
        else:
            collected.append(Collected(found.run_id, found.spec.file, report))
    return collected


def _collect(
    found: WaitingRun,
    settings: Settings,
    options: StatusOptions,
    ledger: Path,
    progress: Callable[[SendPlan], Progress] | None,
    stop: threading.Event | None,
    say: Callable[[str], None] | None,
) -> ImportReport:
    spec = _unchanged(found)
    run_options = RunOptions(
        out=found.workbook or results_path(spec.file),
        sheet=spec.sheet if file_format(spec.file) == "xlsx" else None,  # a CSV has none
        ledger=ledger,
        target="async",
        rate=options.rate,
        workers=options.workers,
        allow_resend=spec.allow_resend,
        submit=False,
        status_rate=options.status_rate,
    )
    return run_import(
        spec.file, spec.mapping, settings, run_options, progress=progress, stop=stop, say=say
    )


def _unchanged(found: WaitingRun) -> RunSpec:
    """The run's spec, once its file and mapping are checked to be the ones it read."""
    spec = found.spec
    where = f"run {found.run_id} (file {spec.file})"
    if not spec.file.is_file() or file_sha256(spec.file) != spec.file_sha256:
        raise UsageError(
            f"The file of {where} is missing or changed since it was imported; put the "
            "original back to collect its rows' outcomes and rewrite its workbook."
        )
    if not spec.mapping.is_file() or load_mapping(spec.mapping).digest != spec.mapping_digest:
        raise UsageError(
            f"The mapping {spec.mapping} of {where} is missing or changed since it was "
            "imported; put the original back to collect its rows' outcomes."
        )
    return spec
