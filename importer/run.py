"""The import: the dry run's checks, the account's ledger, sending, and the results, in one call.

``run_import(path, mapping, settings, options)`` is what `lsq-import run` calls:

1. the file and the mapping are opened and checked to fit (nothing sent yet);
2. the account's ledger is opened and locked: one import at a time per account;
3. one call checks the keys, the host and the event code before any row is loaded;
4. every row goes through the dry run's steps; valid rows are keyed by what they send
   (:mod:`importer.send.identity`): a key an earlier run created is ``already_imported``
   and never sent, whatever file, sheet or ``--out`` it comes from;
5. the unsent rows go out at the account's rate (rows caught in flight by a crash are
   looked up first), and the results workbook is written.

Running the same command again continues the same run: nothing is sent twice.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from importer.errors import AbortedError, ConfigError, Interrupted
from importer.ledger import Ledger, LedgerRun, RunOutcomes, RunSpec, as_outcomes, ledger_path
from importer.mapping import Mapping as MappingFile
from importer.model import JsonDict, Outcome, Problem, Target
from importer.pipeline import notes, open_checked, prepared_chunks, send_settings, source_details
from importer.reader import Source, SourceInfo
from importer.report import ResultFiles, check_outputs
from importer.results import import_results
from importer.send.preflight import check_account
from importer.send.ratelimit import RateLimiter
from importer.send.sender import Progress, send
from importer.send.transport import LsqClient
from importer.settings import DEFAULT_RATE, Rate, Settings

# How long the account's call log remembers a call: longer than any rate limit's window.
CALL_LOG_S = 3600.0


@dataclass(frozen=True)
class RunOptions:
    out: Path  # the results workbook
    sheet: str | int | None = None
    ledger: Path | None = None  # default: the account's (importer.ledger.location)
    target: Target | None = None  # default: the mapping's
    rate: Rate = field(default_factory=lambda: DEFAULT_RATE)
    workers: int = 16  # requests in flight, to hide latency; the rate limit is the throttle
    allow_resend: bool = False  # send rows an earlier run created again (can duplicate!)
    wait: bool = False  # wait for another import into the account instead of stopping


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
        return 0 if set(self.counts) <= {Outcome.CREATED, Outcome.ALREADY_IMPORTED} else 1

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
    settings: Settings,
    options: RunOptions,
    *,
    progress: Callable[[int], Progress] | None = None,
    stop: threading.Event | None = None,
    say: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import ``path`` into the account of ``settings``; continues an earlier run of the
    same file, sheet and mapping.

    ``progress`` is called once with the number of rows to send and returns the callback
    the sender reports to. Setting ``stop`` (the CLI does on Ctrl-C) finishes the requests
    in flight and ends the run as aborted; the next run continues where it stopped. ``say``
    hears what the admin should know while it runs (waiting for another import).
    """
    source, loaded = open_checked(path, mapping, options.sheet)
    check_outputs(options.out, source.info.format, source.info.path, loaded.path)
    target: Target = options.target or loaded.target
    where = ledger_path(settings.host, options.ledger)
    with Ledger.open(where, settings.host) as ledger, ledger.exclusive(wait=options.wait, say=say):
        run = ledger.start_run(_spec(source, loaded, target, options))
        limiter = RateLimiter(options.rate)
        limiter.seed(run.recent_calls(options.rate.seconds * 2))
        run.forget_calls_before(CALL_LOG_S)  # the log would grow by a row per request
        with LsqClient(settings, limiter, pool_size=options.workers) as client:
            check_account(client, loaded)
            # A continued run whose rows are all in the ledger skips reading them again (a
            # re-run that sends nothing costs a look at the ledger, not a dry run); their
            # problems then come from the ledger with the outcomes.
            problems = [] if run.loaded else load_rows(source, loaded, run)
            to_send = _unfinished(run.state_counts())
            callback = progress(to_send) if progress else None
            aborted = send_all(run, client, loaded, options, target, callback, stop)
        states = run.state_counts()
        aborted = aborted or _left_unchecked(states)
        counts = as_outcomes(states)
        details = _details(source.info, loaded, target, settings, options, ledger, run, aborted)
        files, rewritten = import_results(
            run, source.info, loaded, RunOutcomes(run), problems, details, options.out, counts
        )
        run.finish(aborted, counts)
        return ImportReport(
            source.info,
            counts,
            files,
            ledger.path,
            run.id,
            to_send - _unfinished(states),
            aborted,
            notes(source.info, loaded, target),
            rewritten,
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
    client: LsqClient,
    mapping: MappingFile,
    options: RunOptions,
    target: Target,
    progress: Progress | None,
    stop: threading.Event | None,
) -> str | None:
    """Send every unsent row; returns why the run stopped part-way, or None."""
    stop = stop or threading.Event()
    try:
        send(
            run,
            client,
            send_settings(mapping),
            target=target,
            workers=options.workers,
            progress=progress,
            stop=stop,
        )
        if stop.is_set():
            # The console adds "run the same command again"; saying it here too repeated it.
            raise Interrupted("Interrupted (Ctrl-C); the requests already sent were recorded.")
    except (AbortedError, ConfigError) as exc:
        # A ConfigError here (the host answered with a redirect) comes once rows may have
        # been sent: the run stopped part-way (exit 3), it did not "do nothing" (exit 2).
        return client.settings.scrub(str(exc))
    return None


def _left_unchecked(counts: Counter[Outcome]) -> str | None:
    """Rows still unclear after the run (their look-ups failed) make it unfinished."""
    unclear = counts.get(Outcome.AMBIGUOUS, 0) + counts.get(Outcome.IN_FLIGHT, 0)
    if not unclear:
        return None
    return (
        f"{unclear} row(s) got no clear answer and LeadSquared's look-ups to check them "
        "failed; they were not sent again."
    )


def _unfinished(counts: Counter[Outcome]) -> int:
    return sum(n for state, n in counts.items() if not state.finished)


def _details(
    info: SourceInfo,
    mapping: MappingFile,
    target: Target,
    settings: Settings,
    options: RunOptions,
    ledger: Ledger,
    run: LedgerRun,
    aborted: str | None,
) -> list[tuple[str, str]]:
    details = [
        *source_details(info, mapping, target),
        ("Host", settings.host),
        ("Event code", str(mapping.event_code)),
        ("Target", target),
        ("Rate limit", f"{options.rate.calls} calls per {options.rate.seconds:g} s"),
        ("Ledger", f"{ledger.path} (run {run.id})"),
        ("Written", datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
    ]
    if aborted:
        details.append(("Stopped", aborted))
    return details
