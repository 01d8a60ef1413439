"""Following async requests to their end (target ``async``): every queued request is
polled with LeadSquared's Status API until it finishes, and every row sent whose
RequestID never arrived is looked up before anything is resent.

When each row is due comes from the queue's own delay, as its metrics tell it
(:mod:`importer.send.poll_schedule`). Due rows go out in batches from a small pool, each
call through the rate limiter, so polls and submits share the account's limit (unless
``--status-rate`` gives polls their own). What a poll says
(:mod:`importer.send.async_outcomes`):

    In-Queue                          polled again later (backoff)
    Success / FAILURE / ERROR         the row's outcome, committed
    unknown to the server (404),      ambiguous: looked up (importer.send.reconcile); found
    or a Success that cannot be read  -> its outcome, absent -> pending, to be sent again

The follower runs on its own thread beside the sender, which hands it each row the queue
accepted (:meth:`Follower.follow` commits the RequestID at once). It holds at most
:data:`MAX_OPEN` rows: beyond that, submitting waits for polls to catch up, so memory
stays flat however long the file, and rows left by an earlier run are read a page at a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from itertools import chain, groupby

from importer.errors import AbortedError, RetriesExhausted
from importer.ledger import LedgerRun
from importer.ledger.queued import QueuedRow, queued_rows, record_queued, sent_records
from importer.model import OpportunityRow, Outcome, RowOutcome
from importer.send.async_api import AsyncApi, QueueMetrics, TaskStatus
from importer.send.async_outcomes import finished_outcome, given_up
from importer.send.attempts import (
    Client,
    Queued,
    Step,
    Task,
    check_sent,
    opportunities,
    submit_async,
)
from importer.send.payloads import SendSettings
from importer.send.poll_schedule import Schedule, Waiting
from importer.send.queue_tally import QueueTally
from importer.send.sender import MAX_ATTEMPTS, MAX_LOOKUPS, Progress

MAX_POLL_FAILURES = 3  # polls of one request that failed after every retry: then stop
MAX_OPEN = 5_000  # rows followed at once (the sender waits beyond it)
REPORT_EVERY = 2.0  # seconds between two progress reports (each counts the ledger's rows)

PollResult = TaskStatus | None | RetriesExhausted


class Follower:
    """Follows one run's async requests (see the module docstring). ``poll=False``
    (``--no-wait``) settles the unclear rows but leaves queued requests to a later run."""

    def __init__(
        self,
        run: LedgerRun,
        api: AsyncApi,
        lookups: Client,
        settings: SendSettings,
        metrics: QueueMetrics,
        *,
        stop: threading.Event,
        progress: Progress | None = None,
        poll: bool = True,
        workers: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.run, self.api, self.lookups, self.settings = run, api, lookups, settings
        self.stop, self.progress, self.poll, self.clock = stop, progress, poll, clock
        self.workers = max(1, workers)
        self.fatal: BaseException | None = None
        self.submitted = 0
        self._schedule = Schedule(metrics, clock())
        self._cond = threading.Condition()
        self._backlog: Iterator[QueuedRow] = iter(())  # queued by earlier runs, unread
        self._backlog_done = True
        self._closing = False
        self._halt = threading.Event()  # the driver left with an error: stop following
        self._unfinished_at_start = 0
        self._reported = -REPORT_EVERY

    # -- what the sender calls (importer.send.sender.AsyncQueue) -----------------------

    def submit(self, row: OpportunityRow, before_send: Callable[[], None]) -> Step:
        """Submit one row; waits first while :data:`MAX_OPEN` rows are followed."""
        with self._cond:
            while self._schedule.open >= MAX_OPEN and not self._stopped():
                self._cond.wait(0.5)
        return submit_async(self.api, self.settings, row, before_send)

    def follow(self, queued: Sequence[Queued]) -> None:
        """Commit what the queue accepted (RequestID, state queued) or left unclear
        (ambiguous), at once; then follow it."""
        record_queued(self.run, [(q.row, q.request_id) for q in queued if q.request_id])
        for q in queued:
            if q.request_id is None:
                self.run.mark([q.row], Outcome.AMBIGUOUS, q.reason)
        now = self.clock()
        with self._cond:
            self.submitted += len(queued)
            for q in queued:
                if q.request_id is None or self.poll:
                    self._schedule.add(Waiting(q.row, q.request_id, now))
            self._cond.notify_all()
        self._report()  # "submitted N" shows while the first polls are not due yet

    # -- the driver's side ------------------------------------------------------------

    def resume(self) -> None:
        """Follow what earlier runs left: rows sent without a RequestID (looked up once
        the queue had time for them) and queued requests (polled, never resent)."""
        counts = self.run.state_counts()
        self._unfinished_at_start = sum(n for s, n in counts.items() if not s.finished)
        with self._cond:
            for entry in self.run.to_check():
                (row,) = opportunities((entry.row,))
                self._schedule.add(Waiting(row, None, self._since(entry.sent_at), entry.sent_at))
            if self.poll:
                self._backlog = chain.from_iterable(queued_rows(self.run))
                self._backlog_done = False
                self._read_backlog()

    @contextmanager
    def running(self) -> Iterator[Follower]:
        """The follower's thread, for the block; it stops when the block ends."""
        thread = threading.Thread(target=self._loop, name="follow", daemon=True)
        thread.start()
        try:
            yield self
        except BaseException:
            self._halt.set()
            raise
        finally:
            with self._cond:
                self._closing = True
                self._cond.notify_all()
            thread.join()
            self._report(force=True)

    def wait_unclear(self) -> None:
        """Until every unclear row is settled (or the run stops)."""
        self._wait_for(lambda: self._schedule.unclear == 0)

    def wait_all(self) -> None:
        """Until every row followed is settled (or the run stops)."""
        self._wait_for(self._idle)

    def _wait_for(self, done: Callable[[], bool]) -> None:
        with self._cond:
            while not (done() or self._stopped()):
                self._cond.wait(0.5)

    def _stopped(self) -> bool:
        return self.stop.is_set() or self._halt.is_set() or self.fatal is not None

    def _idle(self) -> bool:
        return self._schedule.open == 0 and self._backlog_done

    def _since(self, sent_at: float | None) -> float:
        """Our monotonic time when a row was sent at ``sent_at`` (the server's clock)."""
        now = self.clock()
        return now if sent_at is None else now - max(0.0, self.api.server_now() - sent_at)

    def _read_backlog(self) -> None:
        """Take rows queued by earlier runs in, up to half of :data:`MAX_OPEN`."""
        while not self._backlog_done and self._schedule.open < MAX_OPEN // 2:
            q = next(self._backlog, None)
            if q is None:
                self._backlog_done = True
            else:
                self._schedule.add(Waiting(q.row, q.request_id, self._since(q.sent_at), q.sent_at))

    # -- the follower's thread ------------------------------------------------------------

    def _loop(self) -> None:
        with ThreadPoolExecutor(self.workers, thread_name_prefix="poll") as pool:
            try:
                while not (self.stop.is_set() or self._halt.is_set()):
                    self._read_metrics()
                    with self._cond:
                        self._read_backlog()
                        now = self.clock()
                        batch = self._schedule.due(now, 4 * self.workers)
                        if not batch:
                            if self._closing and self._idle():
                                return
                            wait = self._schedule.next_due() - now
                            self._cond.wait(max(0.02, min(wait, 1.0)))
                            continue
                    self._work(pool, batch)
                    self._report()
            except BaseException as exc:  # the run stops; every row stays as committed
                self.fatal = exc
                self.stop.set()
            finally:
                with self._cond:
                    self._cond.notify_all()

    def _read_metrics(self) -> None:
        with self._cond:
            if not self._schedule.metrics_due(self.clock(), self.submitted):
                return
        asked, asked_clock = time.time(), self.clock()
        metrics = self.api.metrics()
        if self.api.polls is self.api.writes:  # remembered, so a resumed run respects it
            self.run.record([], [asked])
        with self._cond:
            self._schedule.read(metrics, asked_clock, self.submitted)

    def _work(self, pool: ThreadPoolExecutor, batch: list[Waiting]) -> None:
        """One batch: polls and look-ups at once (each through the limiter), then what
        they said, committed in one go - before the rows count as settled."""
        polls = [w for w in batch if w.request_id is not None]
        unclear = sorted((w for w in batch if w.request_id is None), key=_lead)
        groups = [list(g) for _, g in groupby(unclear, key=_lead)]
        answers = list(pool.map(self._poll, polls))
        steps = list(pool.map(self._look_up, groups))
        outcomes: list[RowOutcome] = []
        settled: list[Waiting] = []
        for waiting, (result, _) in zip(polls, answers, strict=True):
            outcomes += self._polled(waiting, result, settled)
        for group, step in zip(groups, steps, strict=True):
            outcomes += self._looked_up(group, step, settled)
        calls = [at for step in steps for at in step.lookups]
        if self.api.polls is self.api.writes:  # polls count towards the account's limit
            calls += [at for _, at in answers]
        if outcomes or calls:
            self.run.record(outcomes, calls)
        with self._cond:
            for waiting in settled:
                self._schedule.settled(waiting)
            self._cond.notify_all()

    def _poll(self, waiting: Waiting) -> tuple[PollResult, float]:
        asked = time.time()
        try:
            return self.api.status(str(waiting.request_id)), asked
        except RetriesExhausted as exc:
            return exc, asked

    def _look_up(self, group: list[Waiting]) -> Step:
        rows = tuple(w.row for w in group)
        sent = sent_records(self.run, rows)
        first_sent = tuple(sent[w.row.row].at if w.sent_at is None else w.sent_at for w in group)
        task = Task("reconcile", rows, first_sent)
        try:
            return check_sent(self.lookups, self.settings, task)
        except RetriesExhausted as exc:
            return Step(unchecked=rows, reason=str(exc))

    def _polled(
        self, waiting: Waiting, result: PollResult, settled: list[Waiting]
    ) -> list[RowOutcome]:
        """Apply one poll's answer; the outcome to commit, if the request finished."""
        schedule, now = self._schedule, self.clock()
        with self._cond:
            if isinstance(result, RetriesExhausted):
                if waiting.failures + 1 >= MAX_POLL_FAILURES:
                    raise AbortedError(
                        f"LeadSquared's Status API kept failing ({result}); the requests "
                        "already queued stay queued. Run the same command (or `lsq-import "
                        "status`) again later to collect their outcomes."
                    )
                failed = replace(waiting, failures=waiting.failures + 1)
                schedule.again(failed, now + schedule.first_wait())
                return []
            if result is not None and result.state == "queued":
                polls = waiting.polls + 1
                schedule.again(replace(waiting, polls=polls), now + schedule.backoff(polls))
                return []
            outcome = (
                None if result is None else finished_outcome(waiting.row, result, self.settings)
            )
            if outcome is not None:
                settled.append(waiting)
                return [outcome]
            # Unknown to the server, or a success whose reply cannot be read: look it up
            # now (it is no longer in the queue).
            why = "no longer knows" if result is None else "gave no readable reply for"
            reason = f"LeadSquared's Status API {why} request {waiting.request_id}"
            self.run.mark([waiting.row], Outcome.AMBIGUOUS, reason)
            schedule.settled(waiting)  # no longer a request to poll: a row to look up
            schedule.add(Waiting(waiting.row, None, now, waiting.sent_at), due=now)
            return []

    def _looked_up(
        self, group: list[Waiting], step: Step, settled: list[Waiting]
    ) -> list[RowOutcome]:
        """Apply one look-up: found rows get their outcome, absent ones go back to be
        sent (or give up after MAX_ATTEMPTS unclear sends), unchecked ones wait."""
        tries = {row: sent.unclear for row, sent in sent_records(self.run, step.resend).items()}
        resend = opportunities(step.resend)
        given = [given_up(r, tries[r.row]) for r in resend if tries[r.row] >= MAX_ATTEMPTS]
        self.run.mark([r for r in step.resend if tries[r.row] < MAX_ATTEMPTS], Outcome.PENDING)
        unchecked = {r.row for r in step.unchecked}
        schedule, now = self._schedule, self.clock()
        with self._cond:
            for waiting in group:
                if waiting.row.row in unchecked and waiting.failures + 1 < MAX_LOOKUPS:
                    failed = replace(waiting, failures=waiting.failures + 1)
                    schedule.again(failed, now + schedule.first_wait())
                else:  # settled; a row left unchecked stays ambiguous for the next run
                    settled.append(waiting)
        return [*step.outcomes, *given]

    def _report(self, force: bool = False) -> None:
        now = self.clock()
        if self.progress is None or (not force and now - self._reported < REPORT_EVERY):
            return
        self._reported = now
        counts = self.run.state_counts()
        left = sum(n for s, n in counts.items() if not s.finished)
        metrics = self._schedule.metrics
        tally = QueueTally(counts, self.submitted, metrics.pending, metrics.max_delay or None)
        self.progress(max(0, self._unfinished_at_start - left), tally)


def _lead(waiting: Waiting) -> str:
    return waiting.row.search_value
