"""The import: dry-run checks, the journal, sending, and the results workbook, in one call.

``run_import(path, mapping, settings, options)`` is what `lsq-import run` calls. Every row is
first checked by the same code as the dry run; valid rows go into the journal as ``pending``
and invalid ones as ``invalid`` (never sent). Running the same command again opens the same
journal: rows with a known outcome are never resent, and rows left in flight by a crash are
reconciled with LeadSquared before anything is resent.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from importer.errors import AbortedError, ConfigError, Interrupted
from importer.journal import Journal
from importer.mapping import Mapping as MappingFile
from importer.model import UNFINISHED, JsonDict, Outcome, Problem, RowOutcome, Target
from importer.pipeline import (
    notes,
    open_checked,
    prepared_chunks,
    results_input,
    send_settings,
    source_details,
)
from importer.reader import Source, SourceInfo
from importer.report import ResultFiles, write_results
from importer.send import LsqClient, send
from importer.send.ratelimit import RateLimiter
from importer.send.sender import Progress
from importer.settings import Rate, Settings


@dataclass(frozen=True)
class RunOptions:
    out: Path  # the results workbook
    sheet: str | int | None = None
    journal: Path | None = None  # default: beside the workbook
    fresh: bool = False  # forget an earlier journal and start over
    target: Target | None = None  # default: the mapping's
    rate: Rate = field(default_factory=lambda: Rate(25, 5.0))
    workers: int = 16  # requests in flight, to hide latency; the rate limit is the throttle


@dataclass(frozen=True)
class ImportReport:
    """The outcome of one `run`: counts by outcome over every row of the file."""

    source: SourceInfo
    counts: Mapping[Outcome, int]  # rows by outcome (created, duplicate, failed, invalid, ...)
    files: ResultFiles
    journal: Path
    sent_now: int  # rows that got an outcome in this invocation (0 on a finished re-run)
    aborted: str | None = None  # why the run stopped part-way, if it did
    notes: tuple[str, ...] = ()  # about the file and the mapping, for the admin to read

    @property
    def exit_code(self) -> int:
        if self.aborted:
            return 3
        return 0 if set(self.counts) <= {Outcome.CREATED} else 1

    def to_dict(self) -> JsonDict:
        return {
            "file": str(self.source.path),
            "sheet": self.source.sheet,
            "counts": {str(k): n for k, n in sorted(self.counts.items())},
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


def load_rows(
    source: Source, mapping: MappingFile, target: Target, journal: Journal
) -> list[Problem]:
    """Check every row and journal it: valid rows pending, invalid rows invalid."""
    problems: list[Problem] = []
    for part in prepared_chunks(source, mapping, target):
        journal.add_rows(part.ready)
        journal.add_invalid(part.invalid)
        problems.extend(part.problems)
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
    source, loaded = open_checked(path, mapping, options.sheet)
    target: Target = options.target or loaded.target
    with Journal.open(
        journal_path(options),
        input_hash=file_sha256(source.info.path),
        mapping_digest=loaded.digest,
        host=settings.host,
        target=target,
        fresh=options.fresh,
    ) as journal:
        problems = load_rows(source, loaded, target, journal)
        to_send = _unfinished(journal)
        callback = progress(to_send) if progress else None
        aborted = send_all(journal, loaded, settings, options, target, callback, stop)
        outcomes = journal.outcomes()
        details = [
            *source_details(source.info, loaded, target),
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
            notes=notes(source.info, loaded, target),
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
    except (AbortedError, ConfigError) as exc:
        # A ConfigError here (the host answered with a redirect) comes once rows may have
        # been sent: the run stopped part-way (exit 3), it did not "do nothing" (exit 2).
        return settings.scrub(str(exc))
    return None


def _unfinished(journal: Journal) -> int:
    counts = journal.counts()
    return sum(counts.get(state, 0) for state in UNFINISHED)


def _outcome_counts(outcomes: Iterable[RowOutcome]) -> Counter[Outcome]:
    return Counter(outcome.outcome for outcome in outcomes)
