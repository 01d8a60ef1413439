"""Sending: a run's unsent rows -> requests -> one committed outcome per row, exactly once.

One orchestrating thread decides what to send next; a thread pool does the HTTP (the rate
limiter in the client is the real throttle, the pool just hides network latency). What a
worker does is the destination's (its :class:`~importer.send.attempts.Workers`:
LeadSquared's from :func:`lsq_workers`, Noojee's from :mod:`importer.send.noojee.attempts`);
the orchestration is the same for all. For every request:

1. a worker waits for the rate limiter, then commits the request's rows ``in_flight`` in
   the ledger - an atomic claim of rows still pending - and sends them, so rows waiting
   for the limiter are never "maybe sent";
2. it turns the reply into a :class:`Step`;
3. the orchestrator commits the outcomes, marks unknown rows ``ambiguous`` and looks them
   up before anything is resent.

Rows caught ``in_flight``/``ambiguous`` by an earlier crash are looked up first. A set stop
flag submits nothing new, lets requests in flight finish and be recorded, and returns; a
run-stopping error (AuthError, RetriesExhausted, RunRefused) does the same and is raised.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from itertools import count, groupby
from typing import Protocol

from importer.errors import AbortedError, AuthError, Interrupted, RetriesExhausted, RunRefused
from importer.ledger import LedgerRun, SentRow
from importer.model import JsonDict, OpportunityRow, Outcome, Problem, ReadyRow, RowOutcome, Target
from importer.send.activity import Activity
from importer.send.attempts import (
    BeforeSend,
    Queued,
    Step,
    Task,
    TaskKind,
    Workers,
    check_sent,
    opportunities,
    send_bulk,
    send_capture,
)
from importer.send.outcomes import SERVER_ERROR
from importer.send.payloads import SendSettings
from importer.send.workloop import run_work

Progress = Callable[[int, Mapping[Outcome, int]], None]

BULK_LIMIT = 25  # LeadSquared's maximum items per bulk request
# A row whose sends ended this many times without a clear answer (each then checked and
# found absent) is given up as failed rather than looping forever against a server that
# keeps timing out. Only unclear answers count: in `auto`, a bulk send that routes the row
# to capture is a clear answer and must not use up the row's chances.
MAX_ATTEMPTS = 8
# A look-up LeadSquared refuses is tried again later, this many times in one run; the rows
# then stay ambiguous for the next run - never "absent".
MAX_LOOKUPS = 3
# Errors that prove the request was not applied: its rows go back to pending.
_NOT_APPLIED = (AuthError, RunRefused)


class SendClient(Protocol):
    """The parts of :class:`importer.send.transport.LsqClient` the sender uses."""

    def bulk_add(
        self, search_by: str, items: list[JsonDict], before_send: Callable[[], None] | None = None
    ) -> list[JsonDict]: ...
    def capture(
        self, body: JsonDict, before_send: Callable[[], None] | None = None
    ) -> JsonDict: ...
    def opportunities_by_unique_field(
        self, search_by: str, value: str, columns: Sequence[str] = ()
    ) -> list[JsonDict]: ...
    def server_now(self) -> float: ...

    @property
    def activity(self) -> Activity: ...


class AsyncQueue(Protocol):
    """Target ``async`` (:mod:`importer.send.follow`): submits one row to LeadSquared's
    queue, and takes over the rows it queued - their outcomes come later."""

    def submit(self, row: OpportunityRow, before_send: Callable[[], None]) -> Step: ...
    def follow(self, queued: Sequence[Queued]) -> None: ...


class ClaimLost(AbortedError):
    """A row was no longer pending when its request was about to go out: something else is
    sending this account's rows (the account lock should make this impossible)."""


def send(
    run: LedgerRun,
    client: SendClient,
    settings: SendSettings,
    *,
    target: Target,
    workers: int = 16,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    queue: AsyncQueue | None = None,
) -> Counter[Outcome]:
    """Send every unsent row of ``run`` to LeadSquared; returns the run's rows by state.

    Rows left unsent because ``stop`` was set stay ``pending`` (or ``ambiguous``) for the next
    run. AuthError / RetriesExhausted / RunRefused - and Interrupted for a Ctrl-C that
    arrives while waiting - are raised after the requests in flight are recorded. Target
    ``async`` needs the ``queue`` its rows go to.
    """
    if target == "async" and queue is None:
        raise ValueError("target async sends through a queue (importer.send.follow)")
    chosen = lsq_workers(client, settings, target, queue)
    return send_with(run, chosen, workers=workers, progress=progress, stop=stop)


def send_with(
    run: LedgerRun,
    chosen: Workers,
    *,
    workers: int = 16,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> Counter[Outcome]:
    """:func:`send` for any destination: its ``chosen`` workers, ``workers`` at once."""
    state = _Run(run, chosen, progress, stop or threading.Event())
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="send") as pool:
        state.loop(pool, max(1, workers))
    return run.state_counts()


def lsq_workers(
    client: SendClient, settings: SendSettings, target: Target, queue: AsyncQueue | None = None
) -> Workers:
    """LeadSquared's workers: bulk requests of 25 (``auto``: routing rows whose lead is
    missing to capture), captures of one, or (``async``) one row at a time into ``queue``;
    and look-ups of one lead's rows."""
    kind: TaskKind = "capture" if target == "capture" else "async" if target == "async" else "bulk"

    def write(task: Task, claim: BeforeSend) -> Step:
        rows = opportunities(task.rows)
        if task.kind == "capture":
            return send_capture(client, settings, rows[0], claim)
        if task.kind == "async" and queue is not None:
            return queue.submit(rows[0], claim)
        return send_bulk(client, settings, rows, target == "auto", claim)

    def lead_of(row: ReadyRow) -> str:
        return opportunities((row,))[0].search_value

    return Workers(
        batch=1 if kind != "bulk" else BULK_LIMIT,
        kind=kind,
        write=write,
        check=lambda task: check_sent(client, settings, task, auto=target == "auto"),
        check_key=lead_of,
        now=client.server_now,
        activity=client.activity,
        follow=queue.follow if queue is not None else None,
    )


class _Run:
    """The orchestrating thread's state for one ``send`` call."""

    def __init__(
        self,
        run: LedgerRun,
        workers: Workers,
        progress: Progress | None,
        stop: threading.Event,
    ) -> None:
        self.run, self.workers = run, workers
        self.progress, self.stop = progress, stop
        self.pending: deque[ReadyRow] = deque()
        self.pages: Iterator[list[ReadyRow]] = run.pending()
        self.tasks: deque[Task] = deque()
        self.first_sent: dict[int, float | None] = {}
        self.unclear: dict[int, int] = {}  # unclear answers per row
        self.last_unclear: dict[int, str] = {}  # the latest of them, in words
        self.lookups: Counter[int] = Counter()  # refused look-ups per row in this run
        # Rows a crash left in flight are looked up first; once resent they are pending
        # again, and the pages (read in row order later) must not bring them a second time.
        self.caught: set[int] = set()
        self.tally = Counter({s: n for s, n in run.state_counts().items() if s.finished})
        self.done = 0
        # Workers name their batches: itertools.count is safe to share between threads
        # (a generator is not).
        self.batch_prefix, self.batch_numbers = uuid.uuid4().hex[:8], count(1)
        self._resume(run.to_check())

    def _resume(self, caught: list[SentRow]) -> None:
        self.caught = {entry.row.row for entry in caught}
        for entry in caught:
            self.first_sent[entry.row.row] = entry.sent_at
            self.unclear[entry.row.row] = entry.unclear
        self._queue_checks(entry.row for entry in caught)
        self.workers.activity.checking(len(caught))

    def loop(self, pool: ThreadPoolExecutor, workers: int) -> None:
        run_work(self, pool, workers, self.stop, _interrupted)

    def finish(self, task: Task, future: Future[Step]) -> BaseException | None:
        """Apply a worker's step; return an error that must stop the run, if any."""
        try:
            self._apply(future.result())
        except _NOT_APPLIED as exc:
            if task.kind != "reconcile":
                self.run.mark(task.rows, Outcome.PENDING)  # proven not applied
            return exc
        except RetriesExhausted as exc:
            if task.kind != "reconcile":
                self.run.mark(task.rows, Outcome.AMBIGUOUS, str(exc))
            return exc
        except Exception as exc:  # raised once the work in flight is recorded
            return exc
        return None

    def next_unit(self) -> Task | None:
        """Look-ups and bisected halves first (they unblock rows), then new batches."""
        if self.tasks:
            return self.tasks.popleft()
        size = self.workers.batch
        while len(self.pending) < size:
            page = next(self.pages, None)
            if page is None:
                break
            self.pending.extend(row for row in page if row.row not in self.caught)
        if not self.pending:
            return None
        rows = tuple(self.pending.popleft() for _ in range(min(size, len(self.pending))))
        return Task(self.workers.kind, rows)

    def work(self, task: Task) -> Step:
        """Runs on a worker thread: the claim, HTTP and pure reply handling."""
        if task.kind == "reconcile":
            return self.workers.check(task)
        return self.workers.write(task, self._claimer(task.rows, task.kind))

    def _claimer(self, rows: tuple[ReadyRow, ...], route: str) -> Callable[[], None]:
        def claim() -> None:
            sent_at = self.workers.now()
            batch = f"{self.batch_prefix}-{next(self.batch_numbers)}"
            claimed = self.run.claim(rows, batch, sent_at, route)
            if len(claimed) != len(rows):
                raise ClaimLost(
                    "Some rows were no longer waiting to be sent: another process is sending "
                    "into this account. Stop it, then run the same command again."
                )
            for row in rows:
                self.first_sent.setdefault(row.row, sent_at)

        return claim

    def _apply(self, step: Step) -> None:
        """Commit what a worker learnt, then queue whatever must happen next."""
        # Rows to send again (through bulk, or through capture once a look-up found no lead)
        # that already ran out of unclear answers are given up.
        again = [*step.resend, *(r for t in step.then for r in t.rows)]
        given_up = [r for r in again if self.unclear.get(r.row, 0) >= MAX_ATTEMPTS]
        outcomes = list(step.outcomes) + [self._give_up(r) for r in given_up]
        if outcomes or step.lookups:
            self.run.record(outcomes, step.lookups)
        if step.queued and self.workers.follow is not None:
            self.workers.follow(step.queued)  # commits each RequestID before the next step
        if step.ambiguous:
            for row in step.ambiguous:
                self.unclear[row.row] = self.unclear.get(row.row, 0) + 1
                self.last_unclear[row.row] = step.reason
            self.run.mark(step.ambiguous, Outcome.AMBIGUOUS, step.reason)
            self._queue_checks(step.ambiguous)
        self._recheck(step.unchecked)
        resend = [r for r in step.resend if r not in given_up]
        then = [replace(t, rows=kept) for t in step.then if (kept := _without(t.rows, given_up))]
        followers = [r for t in then for r in t.rows]
        if resend or followers:
            self.run.mark(resend + followers, Outcome.PENDING)
        self.pending.extendleft(reversed(resend))
        self.tasks.extend(then)
        self._count(outcomes)

    def _recheck(self, rows: Sequence[ReadyRow]) -> None:
        """A refused look-up proves nothing: look again later, a few times, then leave the
        rows ambiguous for the next run."""
        again = []
        for row in rows:
            self.lookups[row.row] += 1
            if self.lookups[row.row] < MAX_LOOKUPS:
                again.append(row)
        self._queue_checks(again, last=True)

    def _count(self, outcomes: Sequence[RowOutcome]) -> None:
        self.workers.activity.checking(
            sum(len(t.rows) for t in self.tasks if t.kind == "reconcile")
        )
        self.done += len(outcomes)
        for outcome in outcomes:  # done with: memory stays flat however many rows are sent
            self.first_sent.pop(outcome.row, None)
            self.last_unclear.pop(outcome.row, None)
        self.tally.update(o.outcome for o in outcomes)
        if self.progress is not None and outcomes:
            self.progress(self.done, self.tally)

    def _queue_checks(self, rows: Iterable[ReadyRow], *, last: bool = False) -> None:
        """One look-up per lead: its rows share it. ``last``: after everything queued."""
        lead = self.workers.check_key
        by_lead = sorted(rows, key=lambda r: (lead(r), r.row))
        for _, group in groupby(by_lead, key=lead):
            batch = tuple(group)
            task = Task("reconcile", batch, tuple(self.first_sent.get(r.row) for r in batch))
            if last:
                self.tasks.append(task)
            else:
                self.tasks.appendleft(task)

    def _give_up(self, row: ReadyRow) -> RowOutcome:
        message = (
            f"Row {row.row}: sent {self.unclear.get(row.row, 0)} times without a clear answer "
            f"from {self.workers.server} (it was checked each time and not created). Send it "
            "again later from the fix file: running the same command again does not resend it."
        )
        last = self.last_unclear.get(row.row, "")
        problem = Problem(row.sheet, row.row, None, None, SERVER_ERROR, message, last)
        return RowOutcome(row.sheet, row.row, Outcome.FAILED, message=message, problems=(problem,))


def _interrupted() -> Interrupted:
    return Interrupted(
        "Interrupted: the requests already sent were finished and recorded. "
        "Run the same command again to continue where it stopped."
    )


def _without(rows: tuple[ReadyRow, ...], dropped: Sequence[ReadyRow]) -> tuple[ReadyRow, ...]:
    return tuple(r for r in rows if r not in dropped)
