"""The import: the dry run's checks, the account's ledger, sending, and the results, in one call.

``run_import(path, mapping, settings, options)`` is what `lsq-import run` calls:

1. the file and the mapping are opened and checked to fit (nothing sent yet);
2. the account's ledger is opened and locked: one import at a time per account;
3. one call checks the keys, the host and the event code (or Noojee's key and host) before
   any row is loaded;
4. every row goes through the dry run's steps; valid rows are keyed by what they send
   (:mod:`importer.send.identity`): a key an earlier run created is ``already_imported``
   and never sent, whatever file, sheet or ``--out`` it comes from;
5. the unsent rows go out at the account's rate (rows caught in flight by a crash are
   looked up first), and the results workbook is written.

Running the same command again continues the same run: nothing is sent twice. Where the
rows go - LeadSquared (bulk, capture, auto, async) or Noojee Contact for a ``destination:
noojee`` mapping - is the :class:`~importer.send.destination.Destination`; everything else
here is the same for all.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from importer.errors import AbortedError, ConfigError, Interrupted, UsageError
from importer.ledger import Ledger, LedgerRun, RunOutcomes, RunSpec, as_outcomes, ledger_path
from importer.mapping import Mapping as MappingFile
from importer.model import JsonDict, Outcome, Problem, Target
from importer.pipeline import (
    chosen_target,
    notes,
    open_checked,
    prepared_chunks,
    results_path,
    send_settings,
    source_details,
)
from importer.reader import Source, SourceInfo
from importer.report import ResultFiles, check_outputs, check_writable
from importer.report.paths import same_file
from importer.results import import_results
from importer.send.activity import Activity
from importer.send.destination import AnySettings, Destination, connect, ledger_prefix
from importer.send.ratelimit import RateLimiter
from importer.send.sender import Progress
from importer.settings import DEFAULT_RATE, Rate

# How long the account's call log remembers a call: longer than any rate limit's window.
CALL_LOG_S = 3600.0


@dataclass(frozen=True)
class RunOptions:
    out: Path  # the results workbook
    sheet: str | int | None = None
    header_row: int | None = None  # default: the mapping's header_row, else 1
    encoding: str | None = None  # CSV; default: guessed
    ledger: Path | None = None  # default: the account's (importer.ledger.location)
    target: Target | None = None  # default: the mapping's
    rate: Rate = field(default_factory=lambda: DEFAULT_RATE)
    # requests in flight, to hide latency; the rate limit is the throttle (Noojee: at most
    # the mapping's noojee.concurrency)
    workers: int = 16
    allow_resend: bool = False  # send rows an earlier run created again (can duplicate!)
    wait: bool = False  # wait for another import into the account instead of stopping
    # Target async (importer.send.async_send): follow queued requests to their end (False:
    # --no-wait), submit the pending rows (False: `lsq-import status`), and the Status
    # API's own limit for an account that does not count polls towards `rate`.
    wait_for_queue: bool = True
    submit: bool = True
    status_rate: Rate | None = None


@dataclass(frozen=True)
class SendPlan:
    """What an import is about to do, told before its first request goes out."""

    rows: int  # rows to send
    to_check: int  # rows an earlier run left unclear: looked up first
    target: Target
    rate: Rate
    notes: tuple[str, ...]  # what the admin should read first (columns not sent, ...)
    activity: Activity  # what the send stage is doing, while it runs
    per_call: int = 25  # rows a request takes (bulk: 25; capture, async: 1; Noojee: its batch)
    queued: int = 0  # target async: rows in LeadSquared's queue from before, to collect
    polls_count: bool = False  # target async: each row's status poll counts towards `rate`

    @property
    def total(self) -> int:
        """Rows this send gives an outcome to."""
        return self.rows + self.to_check + self.queued

    @property
    def requests(self) -> int:
        """The fewest calls the rows take (`auto` may need more; async: a status poll for
        every row, when polls count towards the limit)."""
        polls = self.rows + self.queued if self.polls_count else 0
        return -(-self.rows // self.per_call) + self.to_check + polls

    @property
    def seconds(self) -> float:
        """How long those calls take at the rate limit (the first window's go at once)."""
        windows = max(0, self.requests - self.rate.calls) / self.rate.calls
        return windows * self.rate.seconds


@dataclass(frozen=True)
class ImportReport:
    """The outcome of one `run`: counts by outcome over every row of the file."""

    source: SourceInfo
    counts: Mapping[Outcome, int]  # rows by outcome (created, already_imported, invalid...)
    files: ResultFiles
    ledger: Path
    run_id: int
    sent_now: int  # rows that got an outcome in this invocation (0 on a finished re-run)
    aborted: str | None = None  # why the run stopped part-way, if it did
    notes: tuple[str, ...] = ()  # about the file and the mapping, for the admin to read
    rewritten: bool = True  # False: the results workbook of the same outcomes was kept

    @property
    def exit_code(self) -> int:
        if self.aborted:
            return 3
        fine = {Outcome.CREATED, Outcome.UPDATED, Outcome.ALREADY_IMPORTED, Outcome.QUEUED}
        return 0 if set(self.counts) <= fine else 1

    def to_dict(self) -> JsonDict:
        return {
            "file": str(self.source.path),
            "sheet": self.source.sheet,
            "run": self.run_id,
            "counts": {str(k): n for k, n in sorted(self.counts.items())},
            "rows": sum(self.counts.values()),
            "sent_now": self.sent_now,
            "workbook": str(self.files.workbook),
            "fix_file": str(self.files.fix_file) if self.files.fix_file else None,
            "ledger": str(self.ledger),
            "aborted": self.aborted,
            "warnings": list(self.notes),
            "exit_code": self.exit_code,
        }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_import(
    path: str | Path,
    mapping: str | Path | MappingFile,
    settings: AnySettings,
    options: RunOptions,
    *,
    progress: Callable[[SendPlan], Progress] | None = None,
    stop: threading.Event | None = None,
    say: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import ``path`` into the account of ``settings``; continues an earlier run of the
    same file, sheet and mapping.

    ``progress`` is called once with the plan (rows to send, calls, the rate, notes) right
    before the first request, and returns the callback the sender reports to. Setting
    ``stop`` (the CLI does on Ctrl-C) finishes the requests in flight and ends the run as
    aborted; the next run continues where it stopped. ``say`` hears what the admin should
    know while it runs (waiting for another import).
    """
    started = time.monotonic()
    source, loaded = open_checked(
        path, mapping, options.sheet, header_row=options.header_row, encoding=options.encoding
    )
    out = results_path(source.info.path, options.out)  # .xlsx, its folder made
    check_outputs(out, source.info.format, source.info.path, loaded.path)
    check_writable(out, source.info.format)
    target = chosen_target(loaded, options.target)
    where = ledger_path(settings.host, options.ledger, prefix=ledger_prefix(loaded))
    _refuse_ledger_on_users_files(where, source.info.path, loaded.path)
    with Ledger.open(where, settings.host) as ledger, ledger.exclusive(wait=options.wait, say=say):
        limiter = RateLimiter(options.rate)
        limiter.seed(ledger.recent_calls(options.rate.seconds * 2))
        ledger.forget_calls_before(CALL_LOG_S)
        send = send_settings(loaded)
        with closing(connect(settings, loaded, send, target, limiter, options)) as to:
            checked_at = time.time()
            to.check()  # a "no" is a ConfigError: nothing done, no run recorded
            ledger.record_call(checked_at)  # the next process counts this call too
            run = ledger.start_run(_spec(source, loaded, target, options))
            # A continued run whose rows are all in the ledger skips reading them again (a
            # re-run that sends nothing costs a look at the ledger, not a dry run); their
            # problems then come from the ledger with the outcomes.
            problems = [] if run.loaded else load_rows(source, loaded, run)
            before = run.state_counts()
            to_send = _unfinished(before)
            plan = _plan(before, target, options, notes(source.info, loaded, target), to)
            callback = progress(plan) if progress else None
            aborted = send_all(run, to, callback, stop)
        states = run.state_counts()
        aborted = aborted or _left_unchecked(states)
        counts = as_outcomes(states)
        took = time.monotonic() - started
        details = _details(source.info, loaded, target, to, options, ledger, run, aborted, took)
        results = (RunOutcomes(run), problems, details, out, counts, to.goal, to.server)
        try:
            files, rewritten = import_results(run, source.info, loaded, *results)
        except OSError as exc:
            raise _stopped_after_sending(run, exc) from None
        run.finish(aborted, counts)
        return ImportReport(
            source.info,
            counts,
            files,
            ledger.path,
            run.id,
            to_send - _unfinished(states, but_queued=True),
            aborted,
            notes(source.info, loaded, target),
            rewritten,
        )


def _refuse_ledger_on_users_files(ledger: Path, source: Path, mapping: Path) -> None:
    """The ledger is a database: it must never be opened on the input or the mapping."""
    for own, role in ((source, "the input file"), (mapping, "the mapping file")):
        names = (ledger, Path(f"{ledger}-wal"), Path(f"{ledger}-shm"))
        if any(same_file(name, own) for name in names):
            raise UsageError(f"--ledger {ledger} is {role}; choose another ledger file.")


def _stopped_after_sending(run: LedgerRun, exc: OSError) -> AbortedError:
    """Rows were sent: a failure now is a stop (exit 3), never "nothing was done"."""
    sent = sum(n for state, n in run.state_counts().items() if state.finished)
    where = f" ({exc.filename})" if exc.filename else ""
    return AbortedError(
        f"{sent} rows were sent and their outcomes are kept in the ledger, but the results "
        f"could not be written: {exc.strerror or exc}{where}. Fix that, then run the same "
        "command again: it sends nothing twice and writes the results."
    )


def _plan(
    counts: Counter[Outcome],
    target: Target,
    options: RunOptions,
    said: tuple[str, ...],
    to: Destination,
) -> SendPlan:
    unclear = counts.get(Outcome.IN_FLIGHT, 0) + counts.get(Outcome.AMBIGUOUS, 0)
    pending = counts.get(Outcome.PENDING, 0)
    followed = target == "async" and options.wait_for_queue
    queued = counts.get(Outcome.QUEUED, 0) if followed else 0
    polls = followed and options.status_rate is None
    return SendPlan(
        pending, unclear, target, options.rate, said, to.activity, to.per_call, queued, polls
    )


def _spec(source: Source, mapping: MappingFile, target: Target, options: RunOptions) -> RunSpec:
    return RunSpec(
        file=source.info.path.resolve(),
        file_sha256=file_sha256(source.info.path),
        sheet=source.info.sheet,
        mapping=mapping.path.resolve(),
        mapping_digest=mapping.digest,
        target=target,
        event_code=mapping.event_code,
        allow_resend=options.allow_resend,
        options={"rate": str(options.rate), "workers": options.workers},
        out=options.out.resolve(),
    )


def load_rows(source: Source, mapping: MappingFile, run: LedgerRun) -> list[Problem]:
    """Check every row and record it in the run: valid rows by key, invalid rows as such."""
    problems: list[Problem] = []
    settings = send_settings(mapping)
    for part in prepared_chunks(source, mapping, run.spec.target):
        run.add(part, settings)
        problems.extend(part.problems)
    run.all_rows_added()
    return problems


def send_all(
    run: LedgerRun,
    destination: Destination,
    progress: Progress | None,
    stop: threading.Event | None,
) -> str | None:
    """Send every unsent row; returns why the run stopped part-way, or None."""
    stop = stop or threading.Event()
    try:
        destination.send(run, progress, stop)
        if stop.is_set():
            # The console adds "run the same command again"; saying it here too repeated it.
            raise Interrupted("Interrupted (Ctrl-C); the requests already sent were recorded.")
    except (AbortedError, ConfigError) as exc:
        # A ConfigError here (the host answered with a redirect) comes once rows may have
        # been sent: the run stopped part-way (exit 3), it did not "do nothing" (exit 2).
        return destination.scrub(str(exc))
    return None


def _left_unchecked(counts: Counter[Outcome]) -> str | None:
    """Rows still unclear after the run (their look-ups failed) make it unfinished."""
    unclear = counts.get(Outcome.AMBIGUOUS, 0) + counts.get(Outcome.IN_FLIGHT, 0)
    if not unclear:
        return None
    return (
        f"{unclear} row(s) got no clear answer and the checks made before resending them "
        "failed; they were not sent again."
    )


def _unfinished(counts: Counter[Outcome], *, but_queued: bool = False) -> int:
    counts = Counter(counts)
    if but_queued:  # in LeadSquared's queue: sent, its outcome collected later
        counts.pop(Outcome.QUEUED, None)
    return sum(n for state, n in counts.items() if not state.finished)


def _details(
    info: SourceInfo,
    mapping: MappingFile,
    target: Target,
    destination: Destination,
    options: RunOptions,
    ledger: Ledger,
    run: LedgerRun,
    aborted: str | None,
    took: float,
) -> list[tuple[str, str]]:
    details = [
        *source_details(info, mapping, target),
        *destination.details(),
        ("Rate limit", f"{options.rate.calls} calls per {options.rate.seconds:g} s"),
        ("Ledger", f"{ledger.path} (run {run.id})"),
        ("Took", f"{took:.0f} s"),
        ("Written", datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
    ]
    if aborted:
        details.append(("Stopped", aborted))
    return details
