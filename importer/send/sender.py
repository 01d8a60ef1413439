"""Sending: the journal's unfinished rows -> requests -> one committed outcome per row.

One orchestrating thread owns the journal; a thread pool only does HTTP (the rate limiter in
the client is the real throttle, the pool just hides network latency). For every request:

1. the rows are committed ``in_flight`` with a batch id and the send time;
2. a worker sends it and turns the reply into a :class:`Step` (pure: outcomes, rows whose
   fate is unknown, follow-up tasks);
3. the orchestrator commits the outcomes, marks unknown rows ``ambiguous`` and queues them
   for reconciliation, and queues follow-ups (bisected halves, capture for missing leads).

Rows caught ``in_flight``/``ambiguous`` by an earlier crash are reconciled before anything
is resent, so nothing is created twice. A set stop flag submits nothing new, lets requests in
flight finish and be recorded, and returns; a run-stopping error (AuthError,
RetriesExhausted) does the same and is then raised.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from itertools import count, groupby
from typing import Literal, Protocol

from importer.errors import AbortedError, Ambiguous, Interrupted, RequestRejected
from importer.journal import AMBIGUOUS, PENDING, Journal, JournalRow
from importer.model import JsonDict, OpportunityRow, Outcome, RowOutcome, Target
from importer.send.outcomes import (
    bulk_outcome,
    capture_outcome,
    failed,
    is_lead_missing,
    match_items,
)
from importer.send.payloads import SendSettings, bulk_item, capture_body
from importer.send.reconcile import Reconciled, reconcile

Progress = Callable[[int, Mapping[Outcome, int]], None]

BULK_LIMIT = 25  # LeadSquared's maximum items per bulk request
# A row whose sends ended this many times without a clear answer (each then checked and
# found absent) is given up as failed rather than looping forever against a server that
# keeps timing out. Only unclear answers count: in `auto`, a bulk send that routes the row
# to capture is a clear answer and must not use up the row's chances.
MAX_ATTEMPTS = 6


class SendClient(Protocol):
    """The parts of :class:`importer.send.transport.LsqClient` the sender uses."""

    def bulk_add(self, search_by: str, items: list[JsonDict]) -> list[JsonDict]: ...
    def capture(self, body: JsonDict) -> JsonDict: ...
    def opportunities_by_unique_field(
        self, search_by: str, value: str, event_code: int
    ) -> list[JsonDict]: ...


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work for a worker: a bulk request, a capture, or a reconciliation of the
    rows of one lead (``sent_at`` then gives each row's last send time)."""

    kind: Literal["bulk", "capture", "reconcile"]
    rows: tuple[OpportunityRow, ...]
    sent_at: tuple[float | None, ...] = ()


@dataclass(frozen=True, slots=True)
class Step:
    """What a worker learnt: final outcomes, rows whose fate is unknown, work to do next,
    and rows proven absent by reconciliation (to be sent again)."""

    outcomes: tuple[RowOutcome, ...] = ()
    ambiguous: tuple[OpportunityRow, ...] = ()
    reason: str = ""
    then: tuple[Task, ...] = ()
    resend: tuple[OpportunityRow, ...] = ()


def send_bulk(
    client: SendClient, settings: SendSettings, rows: tuple[OpportunityRow, ...], auto: bool
) -> Step:
    """One bulk request. A refusal of the whole request is bisected to find the bad item;
    with ``auto``, rows whose lead does not exist are handed to capture."""
    try:
        reply = client.bulk_add(settings.search_by, [bulk_item(r, settings) for r in rows])
    except RequestRejected as exc:
        if len(rows) == 1:
            return Step(outcomes=(_rejected(rows[0], exc, settings),))
        half = len(rows) // 2
        return Step(then=(Task("bulk", rows[:half]), Task("bulk", rows[half:])))
    except Ambiguous as exc:
        return Step(ambiguous=rows, reason=str(exc))
    matched = match_items(len(rows), reply)
    outcomes: list[RowOutcome] = []
    then: list[Task] = []
    for index, item in sorted(matched.items.items()):
        if auto and is_lead_missing(item):
            then.append(Task("capture", (rows[index],)))
        else:
            outcomes.append(bulk_outcome(rows[index], item, settings))
    unknown = tuple(rows[i] for i in sorted(matched.ambiguous))
    reason = "the reply did not account for these rows by RowNumber" if unknown else ""
    return Step(tuple(outcomes), unknown, reason, tuple(then))


def send_capture(client: SendClient, settings: SendSettings, row: OpportunityRow) -> Step:
    """One Capture Opportunities request for one row."""
    try:
        reply = client.capture(capture_body(row, settings))
    except RequestRejected as exc:
        return Step(outcomes=(_rejected(row, exc, settings),))
    except Ambiguous as exc:
        return Step(ambiguous=(row,), reason=str(exc))
    return Step(outcomes=(capture_outcome(row, reply, settings),))


def check_sent(client: SendClient, settings: SendSettings, task: Task) -> Step:
    """Reconcile the rows of one lead: outcomes for rows found, the rest to be resent."""
    try:
        found = client.opportunities_by_unique_field(
            settings.search_by, task.rows[0].search_value, settings.event_code
        )
    except RequestRejected:
        # The lead itself does not exist (yet), so neither can its opportunity.
        found = []
    result: Reconciled = reconcile(task.rows, task.sent_at, found, settings)
    return Step(outcomes=result.outcomes, resend=result.absent)


def _rejected(row: OpportunityRow, exc: RequestRejected, settings: SendSettings) -> RowOutcome:
    code = exc.exception_type or f"HTTP {exc.status}"
    return failed(row, code, exc.message, settings)


def send(
    journal: Journal,
    client: SendClient,
    settings: SendSettings,
    *,
    target: Target,
    workers: int = 16,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> dict[Outcome, int]:
    """Send every unfinished row of ``journal``; returns the journal's counts by state.

    Rows left unsent because ``stop`` was set stay ``pending`` (or ``ambiguous``) for the next
    run. AuthError / RetriesExhausted - and Interrupted for a Ctrl-C that arrives while
    waiting - are raised after the requests in flight are recorded.
    """
    run = _Run(journal, client, settings, target, progress, stop or threading.Event())
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="send") as pool:
        run.loop(pool, max(1, workers))
    return journal.counts()


class _Run:
    """The orchestrating thread's state for one ``send`` call."""

    def __init__(
        self,
        journal: Journal,
        client: SendClient,
        settings: SendSettings,
        target: Target,
        progress: Progress | None,
        stop: threading.Event,
    ) -> None:
        self.journal, self.client, self.settings = journal, client, settings
        self.target, self.progress, self.stop = target, progress, stop
        self.pending: deque[OpportunityRow] = deque()
        self.tasks: deque[Task] = deque()
        self.sent_at: dict[int, float | None] = {}
        self.unclear: dict[int, int] = {}  # unclear answers per row in this run
        self.done = 0
        self.batch_ids = (f"{uuid.uuid4().hex[:8]}-{n}" for n in count(1))
        self._load(journal.unfinished())

    def _load(self, rows: list[JournalRow]) -> None:
        for entry in rows:
            self.sent_at[entry.row.row] = entry.sent_at
            if entry.state != PENDING:  # caught in flight or ambiguous by a crash
                self.unclear[entry.row.row] = 1
            if entry.state == PENDING:
                self.pending.append(entry.row)
        self._queue_checks([e.row for e in rows if e.state != PENDING])

    def loop(self, pool: ThreadPoolExecutor, workers: int) -> None:
        running: dict[Future[Step], Task] = {}
        fatal: BaseException | None = None
        while True:
            while fatal is None and not self.stop.is_set() and len(running) < workers:
                task = self._next_task()
                if task is None:
                    break
                running[pool.submit(self._work, task)] = task
            if not running:
                break
            try:
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                # A first Ctrl-C acts like the stop flag (the caller learns it as
                # Interrupted); one after the stop was asked for means "stop at once".
                if self.stop.is_set():
                    raise
                self.stop.set()
                fatal = fatal or Interrupted(
                    "Interrupted: the requests already sent were finished and recorded. "
                    "Run the same command again to continue where it stopped."
                )
                continue
            for future in finished:
                task = running.pop(future)
                try:
                    self._apply(future.result())
                except AbortedError as exc:
                    # The client only gives up on failures it knows were not applied, so
                    # these rows go back to pending instead of needing a check next time.
                    if task.kind != "reconcile":
                        self.journal.mark(task.rows, PENDING)
                    fatal = fatal or exc
                except Exception as exc:  # raised once the work in flight is recorded
                    fatal = fatal or exc
        if fatal is not None:
            raise fatal

    def _next_task(self) -> Task | None:
        """Reconciliations and bisected halves first (they unblock rows), then new batches."""
        if self.tasks:
            task = self.tasks.popleft()
        elif self.pending:
            size = 1 if self.target == "capture" else BULK_LIMIT
            rows = tuple(self.pending.popleft() for _ in range(min(size, len(self.pending))))
            task = Task("capture" if self.target == "capture" else "bulk", rows)
        else:
            return None
        if task.kind != "reconcile":
            sent_at = self.journal.mark_in_flight(task.rows, next(self.batch_ids))
            for row in task.rows:
                self.sent_at[row.row] = sent_at
        return task

    def _work(self, task: Task) -> Step:
        """Runs on a worker thread: HTTP and pure reply handling only, no journal writes."""
        if task.kind == "reconcile":
            return check_sent(self.client, self.settings, task)
        if task.kind == "capture":
            return send_capture(self.client, self.settings, task.rows[0])
        return send_bulk(self.client, self.settings, task.rows, self.target == "auto")

    def _apply(self, step: Step) -> None:
        """Commit what a worker learnt, then queue whatever must happen next."""
        given_up = [r for r in step.resend if self.unclear.get(r.row, 0) >= MAX_ATTEMPTS]
        outcomes = list(step.outcomes) + [self._give_up(r) for r in given_up]
        if outcomes:
            self.journal.record(outcomes)
        if step.ambiguous:
            for row in step.ambiguous:
                self.unclear[row.row] = self.unclear.get(row.row, 0) + 1
            self.journal.mark(step.ambiguous, AMBIGUOUS, step.reason)
            self._queue_checks(step.ambiguous)
        resend = [r for r in step.resend if r not in given_up]
        followers = [r for t in step.then for r in t.rows]
        if resend or followers:
            self.journal.mark(resend + followers, PENDING)
        self.pending.extendleft(reversed(resend))
        self.tasks.extend(step.then)
        self.done += len(outcomes)
        if self.progress is not None and outcomes:
            self.progress(self.done, self.journal.counts())

    def _queue_checks(self, rows: Iterable[OpportunityRow]) -> None:
        """One reconciliation per lead: its rows share a single look-up."""
        by_lead = sorted(rows, key=lambda r: (r.search_value, r.row))
        for _, group in groupby(by_lead, key=lambda r: r.search_value):
            batch = tuple(group)
            self.tasks.append(
                Task("reconcile", batch, tuple(self.sent_at.get(r.row) for r in batch))
            )

    def _give_up(self, row: OpportunityRow) -> RowOutcome:
        message = (
            f"Row {row.row}: sent {self.unclear.get(row.row, 0)} times without a clear answer "
            "from LeadSquared (it was checked each time and not created). Run the import "
            "again later."
        )
        return RowOutcome(row.sheet, row.row, Outcome.FAILED, message=message)
