"""The import: dry-run checks, the journal, sending, and the results workbook, in one call.

``run_import(path, mapping, settings, options)`` is what `lsq-import run` calls. Every row is
first checked by the same code as the dry run; valid rows go into the journal as ``pending``
and invalid ones as ``invalid`` (never sent). Running the same command again opens the same
journal: rows with a known outcome are never resent, and rows left in flight by a crash are
reconciled with LeadSquared before anything is resent.
"""

from __future__ import annotations

import hashlib
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Literal

from importer.client import LsqClient
from importer.config import Settings
from importer.dryrun import (
    checked_chunks,
    invalid_outcomes,
    notes,
    open_checked,
    results_input,
    source_details,
)
from importer.errors import AbortedError, Interrupted
from importer.journal import UNFINISHED, Journal
from importer.mapping import Mapping as MappingFile
from importer.model import Outcome, Problem
from importer.payloads import send_settings
from importer.ratelimit import Rate, RateLimiter
from importer.reader import Source, SourceInfo
from importer.report import ResultFiles, write_results
from importer.rows import opportunity_rows
from importer.sender import Progress, send

Target = Literal["bulk", "capture", "auto"]


@dataclass(frozen=True)
class RunOptions:
    out: Path  # the results workbook
    sheet: str | int | None = None
    header_row: int | None = None  # default: the mapping's header_row, else 1
    encoding: str | None = None  # CSV; default: guessed
    journal: Path | None = None  # default: beside the workbook
    fresh: bool = False  # forget an earlier journal and start over
    target: Target | None = None  # default: the mapping's
    rate: Rate = field(default_factory=lambda: Rate(25, 5.0))
    workers: int = 16  # requests in flight, to hide latency; the rate limit is the throttle


@dataclass(frozen=True)
class ImportReport:
    """The outcome of one `run`: counts by outcome over every row of the file."""

    source: SourceInfo
    counts: dict[str, int]  # outcome -> rows (created, duplicate, failed, invalid, ...)
    files: ResultFiles
    journal: Path
    sent_now: int  # rows that got an outcome in this invocation (0 on a finished re-run)
    aborted: str | None = None  # why the run stopped part-way, if it did
    notes: tuple[str, ...] = ()  # about the file and the mapping, for the admin to read

    @property
    def exit_code(self) -> int:
        if self.aborted:
            return 3
        return 0 if set(self.counts) <= {Outcome.CREATED.value} else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.source.path),
            "sheet": self.source.sheet,
            "counts": dict(sorted(self.counts.items())),
            "rows": sum(self.counts.values()),
            "sent_now": self.sent_now,
            "workbook": str(self.files.workbook),
            "fix_file": str(self.files.fix_file) if self.files.fix_file else None,
            "journal": str(self.journal),
            "aborted": self.aborted,
            "warnings": list(self.notes),
            "exit_code": self.exit_code,
        }


def journal_path(options: RunOptions) -> Path:
    return options.journal or options.out.with_suffix(".journal.sqlite")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_rows(source: Source, mapping: MappingFile, journal: Journal) -> list[Problem]:
    """Check every row and journal it: valid rows pending, invalid rows invalid."""
    problems: list[Problem] = []
    sheet = source.info.sheet
    for chunk in checked_chunks(source, mapping):
        journal.add_rows(opportunity_rows(chunk, mapping, sheet))
        journal.add_invalid(invalid_outcomes(chunk, sheet))
        problems.extend(chunk.problems)
    return problems


def run_import(
    path: str | Path,
    mapping: str | Path | MappingFile,
    settings: Settings,
    options: RunOptions,
    *,
    progress: Callable[[int], Progress] | None = None,
    stop: threading.Event | None = None,
) -> ImportReport:
    """Import ``path`` into the account of ``settings``; resumes an earlier run's journal.

    ``progress`` is called once with the number of rows to send and returns the callback
    the sender reports to. Setting ``stop`` (the CLI does on Ctrl-C) finishes the requests
    in flight and ends the run as aborted; the next run continues where it stopped.
    """
    source, loaded = open_checked(
        path, mapping, options.sheet, header_row=options.header_row, encoding=options.encoding
    )
    target: Target = options.target or loaded.target
    with Journal.open(
        journal_path(options),
        input_hash=file_sha256(source.info.path),
        mapping_digest=loaded.digest,
        host=settings.host,
        target=target,
        fresh=options.fresh,
    ) as journal:
        problems = load_rows(source, loaded, journal)
        to_send = _unfinished(journal)
        callback = progress(to_send) if progress else None
        aborted = send_all(journal, loaded, settings, options, target, callback, stop)
        outcomes = journal.outcomes()
        details = [
            *source_details(source.info, loaded),
            ("Host", settings.host),
            ("Target", target),
            ("Rate limit", f"{options.rate.calls} calls per {options.rate.seconds:g} s"),
            ("Journal", str(journal.path)),
            ("Written", datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
        ]
        if aborted:
            details.append(("Stopped", aborted))
        results = results_input(
            source.info,
            outcomes=outcomes,
            default=Outcome.PENDING,
            problems=problems,
            title="Import",
            details=details,
        )
        files = write_results(options.out, results)
        counts = _outcome_counts(outcomes.values())
        sent_now = to_send - _unfinished(journal)
        return ImportReport(
            source.info,
            counts,
            files,
            journal.path,
            sent_now,
            aborted,
            notes=notes(source.info, loaded),
        )


def send_all(
    journal: Journal,
    mapping: MappingFile,
    settings: Settings,
    options: RunOptions,
    target: Target,
    progress: Progress | None,
    stop: threading.Event | None,
) -> str | None:
    """Send every unfinished row; returns why the run stopped part-way, or None."""
    stop = stop or threading.Event()
    limiter = RateLimiter(options.rate)
    try:
        with LsqClient(settings, limiter, pool_size=options.workers) as client:
            send(
                journal,
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
    except AbortedError as exc:
        return settings.scrub(str(exc))
    return None


def _unfinished(journal: Journal) -> int:
    counts = journal.counts()
    return sum(counts.get(state, 0) for state in UNFINISHED)


def _outcome_counts(outcomes: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.outcome.value] = counts.get(outcome.outcome.value, 0) + 1
    return counts


@contextmanager
def stop_on_ctrl_c(stop: threading.Event, say: Callable[[str], None]) -> Iterator[None]:
    """First Ctrl-C: finish what is in flight, then stop. A second one stops at once."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        say("Stopping: finishing the requests in flight (Ctrl-C again to stop at once)...")

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def summary_counts(counts: Mapping[str, int]) -> str:
    order = [o.value for o in Outcome]
    return ", ".join(f"{counts[k]} {k}" for k in order if counts.get(k))
