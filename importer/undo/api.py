"""``undo_run(settings, options)``: what `lsq-import undo` calls.

1. The account's ledger is opened (never created: without one there is nothing to undo) and
   the run found; the results workbook's name is checked against the run's input and
   mapping before anything is sent.
2. With ``yes``, the account's lock is taken: one import or undo at a time per account.
3. One call reads the opportunity type's metadata (the keys, the host, and ``CanDelete``).
4. Without ``yes`` that is all: the preview says what would be deleted and what is kept.
5. With ``yes`` the run's own opportunities are deleted at the account's rate
   (:mod:`importer.send.delete`), each recorded before and after it is sent; the results
   workbook is written from the ledger and the undo recorded as finished, or as stopped
   part-way (running the same command again continues it).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from importer.errors import AbortedError, ConfigError, Interrupted, UsageError
from importer.ledger import Ledger, LedgerUndo, RunInfo, ledger_path
from importer.model import JsonDict
from importer.report import ResultFiles, check_outputs
from importer.send.delete import Deletion, Progress, delete_all
from importer.send.preflight import type_metadata
from importer.send.ratelimit import RateLimiter
from importer.send.transport import LsqClient
from importer.settings import DEFAULT_RATE, Rate, Settings
from importer.undo.plan import Fate, OpportunityType, judged_rows
from importer.undo.results import write_undo_results
from importer.undo.summary import UndoSummary, duration, seconds_at, summarise

_FROM_LEDGER = (
    "The rows and their values are read from the account's ledger (what was sent), so this "
    "workbook needs no input file."
)
_LEADS = (
    "which creates the lead when none matches; lsq-import never deletes leads (each row says why)."
)
_NOTHING = (
    "created nothing (invalid, or refused by LeadSquared): there is nothing to undo for them, "
    "so they are not listed."
)


@dataclass(frozen=True)
class UndoOptions:
    run: int | str = "last"  # a run id from `lsq-import history`, or "last"
    yes: bool = False  # False: preview only, nothing is sent
    out: Path | None = None  # results workbook [default: <file>-undo-<run>-results.xlsx]
    ledger: Path | None = None  # default: the account's (importer.ledger.location)
    rate: Rate = field(default_factory=lambda: DEFAULT_RATE)
    workers: int = 16  # deletes in flight, to hide latency; the rate limit is the throttle
    wait: bool = False  # wait for another import or undo into the account instead of stopping


@dataclass(frozen=True)
class UndoReport:
    """What an undo (or its preview) found and did."""

    run: RunInfo
    kind: OpportunityType
    summary: UndoSummary  # after this call (the preview: what --yes would start from)
    preview: bool
    rate: Rate
    ledger: Path
    sent: Mapping[str, int] = field(default_factory=dict)  # this call: deleted, failed...
    files: ResultFiles | None = None
    aborted: str | None = None

    @property
    def estimate(self) -> str:
        """How long the deletes still to do take at the rate limit."""
        return duration(seconds_at(self.rate, self.summary.to_delete))

    @property
    def exit_code(self) -> int:
        """0: everything this run created is gone (or the preview); 1: some of it is not
        (refused by LeadSquared, or kept because the undo cannot take it back); 3: stopped
        part-way (run the same command again)."""
        if self.preview:
            return 0
        if self.aborted:
            return 3
        left = self.summary.to_delete + self.summary.left_behind
        return 1 if left else 0

    def to_dict(self) -> JsonDict:
        return {
            "run": self.run.id,
            "file": self.run.file,
            "sheet": self.run.sheet,
            "event_code": self.kind.event_code,
            "opportunity_type": self.kind.name,
            "can_delete": self.kind.can_delete,
            "preview": self.preview,
            "estimate": self.estimate,
            "sent": dict(self.sent),
            **self.summary.to_dict(),
            "workbook": str(self.files.workbook) if self.files else None,
            "ledger": str(self.ledger),
            "aborted": self.aborted,
            "exit_code": self.exit_code,
        }


def undo_run(
    settings: Settings,
    options: UndoOptions,
    *,
    progress: Callable[[int], Progress] | None = None,
    stop: threading.Event | None = None,
    say: Callable[[str], None] | None = None,
) -> UndoReport:
    """Preview (``options.yes`` False) or carry out the undo of ``options.run``.

    ``progress`` is called once with the number of deletes to send and returns the callback
    the loop reports to; setting ``stop`` (the CLI does on Ctrl-C) finishes the deletes in
    flight and ends the undo part-way; ``say`` hears about waiting for another import."""
    where = ledger_path(settings.host, options.ledger)
    if not where.is_file():
        raise UsageError(
            f"No ledger for {settings.host} at {where}: lsq-import has imported nothing into "
            "this account from here (choose the ledger with --ledger or LSQ_LEDGER)."
        )
    with Ledger.open(where, settings.host) as ledger:
        run = ledger.run_info(run_reference(options.run))
        if run.target == "noojee":
            raise UsageError(
                f"Run {run.id} put leads into a Noojee Contact campaign, and Noojee's API has "
                "no call to delete them: remove them in Noojee (its results workbook lists "
                "them)."
            )
        out = options.out or default_out(run)
        check_outputs(out, "xlsx", Path(run.file), Path(run.mapping) if run.mapping else None)
        lock = ledger.exclusive(wait=options.wait, say=say) if options.yes else nullcontext()
        with lock:
            undo = ledger.undo(ledger.run_info(run.id))  # read again, under the lock
            limiter = RateLimiter(options.rate)
            limiter.seed(ledger.recent_calls(options.rate.seconds * 2))
            with LsqClient(settings, limiter, pool_size=options.workers) as client:
                ledger.record_call(time.time())  # a --yes right after respects it
                kind = opportunity_type(client, run)
                before = summarise(undo, kind)
                report = UndoReport(run, kind, before, not options.yes, options.rate, where)
                if not options.yes:
                    return report
                undo.begin()
                callback = progress(before.to_delete) if progress else None
                sent, aborted = _delete(undo, client, kind, options, callback, stop)
            return _finish(report, undo, out, settings, sent, aborted)


def _finish(
    report: UndoReport,
    undo: LedgerUndo,
    out: Path,
    settings: Settings,
    sent: Mapping[str, int],
    aborted: str | None,
) -> UndoReport:
    after = summarise(undo, report.kind)
    left = after.to_delete - after.failed  # not yet asked, or asked without a clear answer
    if aborted is None and left:
        aborted = (
            f"{left} delete(s) got no clear answer from LeadSquared, however often they were "
            "asked; they are not recorded as deleted."
        )
    details = _details(report, after, settings, aborted)
    files = write_undo_results(undo, report.kind, out, details)
    counts = {"deleted": after.deleted, "failed": after.failed, "left": left}
    undo.finish(aborted is None, counts | {"kept": sum(after.kept.values())})
    return UndoReport(
        report.run, report.kind, after, False, report.rate, report.ledger, sent, files, aborted
    )


def _delete(
    undo: LedgerUndo,
    client: LsqClient,
    kind: OpportunityType,
    options: UndoOptions,
    progress: Progress | None,
    stop: threading.Event | None,
) -> tuple[Counter[str], str | None]:
    """Send the deletes; returns what came of them and why the undo stopped, if it did."""
    stop = stop or threading.Event()
    sent: Counter[str] = Counter()
    try:
        sent = delete_all(
            undo,
            client,
            deletions(undo, kind),
            workers=options.workers,
            progress=progress,
            stop=stop,
        )
        if stop.is_set():
            raise Interrupted("Interrupted (Ctrl-C); the deletes already sent were recorded.")
    except (AbortedError, ConfigError) as exc:
        return sent, client.settings.scrub(str(exc))
    return sent, None


def deletions(undo: LedgerUndo, kind: OpportunityType) -> Iterator[Deletion]:
    """The run's opportunities to delete, read from the ledger as they are needed."""
    for judged in judged_rows(undo, kind):
        item = judged.item
        if judged.fate.to_send and item.opportunity_id is not None:
            unclear = judged.fate is Fate.UNCLEAR
            yield Deletion(item.key, undo.run.sheet, item.row, item.opportunity_id, unclear)


def opportunity_type(client: LsqClient, run: RunInfo) -> OpportunityType:
    """The run's opportunity type, from one GetOpportunityTypeMetadata call. A reply
    without ``CanDelete`` is taken as "allowed": LeadSquared then refuses the first delete
    if it is not, and the undo stops there."""
    code = run.event_code
    metadata = type_metadata(client, code, f"the event code of run {run.id}")
    name = str(metadata.get("Name") or metadata.get("DisplayName") or f"event code {code}")
    allowed = metadata.get("CanDelete", True)
    if isinstance(allowed, str):
        allowed = allowed.strip().casefold() not in ("false", "0", "no")
    return OpportunityType(code, name, bool(allowed))


def run_reference(which: int | str) -> int | str:
    """A run id (as a number or digits) or ``last``; anything else is a UsageError."""
    if isinstance(which, int) or (isinstance(which, str) and which.strip().isdigit()):
        return int(which)
    if str(which).strip().casefold() == "last":
        return "last"
    raise UsageError(f"RUN must be a run id from `lsq-import history` or 'last', got {which!r}.")


def default_out(run: RunInfo) -> Path:
    """``<file>-undo-<run>-results.xlsx`` in the current folder."""
    return Path(f"{Path(run.file).stem}-undo-{run.id}-results.xlsx")


def _details(
    report: UndoReport, after: UndoSummary, settings: Settings, aborted: str | None
) -> list[tuple[str, str]]:
    run, kind, rate = report.run, report.kind, report.rate
    details = [("Note", _FROM_LEDGER)]
    if after.leads:
        details.append(("Note", f"{after.leads} lead(s) went through Capture, {_LEADS}"))
    if after.nothing:
        details.append(("Note", f"{after.nothing} row(s) of the import {_NOTHING}"))
    details += [
        ("Import run", f"run {run.id}, started {run.started_at} UTC ({run.status})"),
        ("File", run.file),
        ("Sheet", run.sheet),
        ("Host", settings.host),
        ("Opportunity type", f"{kind.name} (event code {kind.event_code})"),
        ("Deletion allowed", "yes" if kind.can_delete else "no ('Allow Delete' is off)"),
        ("Rate limit", f"{rate.calls} calls per {rate.seconds:g} s"),
        ("Ledger", str(report.ledger)),
        ("Written", datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
    ]
    if aborted:
        details.append(("Stopped", aborted))
    return details
