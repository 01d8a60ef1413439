"""Deleting opportunities one call each, exactly once: the sending half of `lsq-import undo`.

As in the import (:mod:`importer.send.sender`), a thread pool hides network latency and the
client's rate limiter is the real throttle. No look-up is needed: a delete is idempotent.
For each opportunity:

1. a worker waits for the limiter, then commits the delete as sent in the ledger (an atomic
   claim: only an opportunity the run still holds) and sends it;
2. the orchestrating thread records the answer: deleted -> ``undone``; LeadSquared's "no such
   opportunity" -> ``undone`` too (after an unclear answer or a crash it was our own earlier
   delete; with none before, something else deleted it: ``already_gone``); refused ->
   released with LeadSquared's words; no clear answer -> asked again, at most
   ``MAX_UNCLEAR`` times in one run, then left claimed for the next run to ask again.

A set stop flag submits nothing new, lets the deletes in flight finish and be recorded, and
returns; a run-stopping error (AuthError, RetriesExhausted, RunRefused — a type that does not
allow deletion is one) does the same, then is raised.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Protocol

from importer.errors import (
    Ambiguous,
    AuthError,
    ConfigError,
    Interrupted,
    RequestRejected,
    RunRefused,
)
from importer.model import JsonDict, Outcome, Problem
from importer.send.recognise import is_delete_not_allowed, is_opportunity_missing
from importer.send.sender import ClaimLost
from importer.send.workloop import run_work

Progress = Callable[[int, Mapping[Outcome, int]], None]
BeforeSend = Callable[[], None]

# A delete whose answer stays unclear this many times in one run is left for the next run
# (it stays claimed, so that run asks again) rather than asked forever.
MAX_UNCLEAR = 8
# What a deletion came to, when not plainly "deleted" (problem codes, in the README).
ALREADY_GONE = "already_gone"  # gone before the undo asked: deleted outside it
DELETE_FAILED = "delete_failed"  # LeadSquared refused to delete it
# Errors that prove the delete was not applied: it is released, to be asked again.
_NOT_APPLIED = (AuthError, RunRefused, ConfigError, ClaimLost)


class DeleteClient(Protocol):
    def delete_opportunity(
        self, opportunity_id: str, before_send: BeforeSend | None = None
    ) -> JsonDict: ...


class DeleteLedger(Protocol):
    """What the loop records (importer.ledger.undo.LedgerUndo)."""

    def claim(self, key: str) -> bool: ...
    def deleted(self, key: str, problems: Sequence[Problem] = ()) -> None: ...
    def unclear(self, key: str) -> None: ...
    def release(self, key: str, problems: Sequence[Problem] = ()) -> None: ...


@dataclass(frozen=True, slots=True)
class Deletion:
    """One opportunity to delete; ``unclear``: an earlier delete of it got no clear answer
    (or was caught in flight by a crash), so "no such opportunity" means ours went through."""

    key: str
    sheet: str
    row: int
    opportunity_id: str
    unclear: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """What one delete came to: ``deleted``, ``gone``, ``unclear`` or ``refused``."""

    deletion: Deletion
    kind: str
    said: str = ""  # LeadSquared's words (refused) or why the answer was unclear


def delete_all(
    ledger: DeleteLedger,
    client: DeleteClient,
    deletions: Iterable[Deletion],
    *,
    workers: int = 16,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> Counter[str]:
    """Delete every opportunity of ``deletions`` (read lazily); returns what came of them in
    this call: deleted, already_gone, failed, unclear (left to ask again next run)."""
    loop = _Loop(ledger, client, iter(deletions), progress, stop or threading.Event())
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="delete") as pool:
        loop.run(pool, max(1, workers))
    return loop.tally


class _Loop:
    def __init__(
        self,
        ledger: DeleteLedger,
        client: DeleteClient,
        todo: Iterator[Deletion],
        progress: Progress | None,
        stop: threading.Event,
    ) -> None:
        self.ledger, self.client, self.todo = ledger, client, todo
        self.progress, self.stop = progress, stop
        self.again: deque[Deletion] = deque()  # unclear ones, asked again first
        self.unclear: Counter[str] = Counter()
        self.tally: Counter[str] = Counter()
        self.shown: Counter[Outcome] = Counter()

    def run(self, pool: ThreadPoolExecutor, workers: int) -> None:
        run_work(self, pool, workers, self.stop, _interrupted)

    def next_unit(self) -> Deletion | None:
        return self.again.popleft() if self.again else next(self.todo, None)

    def work(self, deletion: Deletion) -> Answer:
        """Runs on a worker thread: the claim, then the call."""

        def claim() -> None:
            if not self.ledger.claim(deletion.key):
                raise ClaimLost(
                    "An opportunity was no longer this run's to delete: another process is "
                    "working on this account. Stop it, then run the same command again."
                )

        try:
            reply = self.client.delete_opportunity(deletion.opportunity_id, claim)
        except Ambiguous as exc:
            return Answer(deletion, "unclear", exc.reason)
        except RequestRejected as exc:
            if is_opportunity_missing(exc.exception_type, exc.message):
                return Answer(deletion, "gone", exc.message)
            if is_delete_not_allowed(exc.exception_type, exc.message):
                raise RunRefused(
                    f"LeadSquared does not allow deleting these opportunities: {exc.message}"
                ) from None
            said = f"{exc.exception_type}: {exc.message}" if exc.exception_type else exc.message
            return Answer(deletion, "refused", said)
        if confirmed(reply):
            return Answer(deletion, "deleted")
        said = json.dumps(reply, ensure_ascii=False)[:300]
        return Answer(deletion, "refused", f"the reply did not confirm it: {said}")

    def finish(self, deletion: Deletion, future: Future[Answer]) -> BaseException | None:
        """Record one answer; return an error that must stop the run, if any."""
        try:
            answer = future.result()
        except _NOT_APPLIED as exc:
            self.ledger.release(deletion.key)  # proven not applied: asked again next time
            return exc
        except Exception as exc:  # RetriesExhausted and the unforeseen: maybe applied
            self.ledger.unclear(deletion.key)
            self.tally["unclear"] += 1
            return exc
        self._record(answer)
        return None

    def _record(self, answer: Answer) -> None:
        deletion = answer.deletion
        if answer.kind == "deleted" or (answer.kind == "gone" and deletion.unclear):
            self.ledger.deleted(deletion.key)
            self._count("deleted", Outcome.UNDONE)
        elif answer.kind == "gone":
            self.ledger.deleted(deletion.key, [_already_gone(deletion)])
            self._count(ALREADY_GONE, Outcome.UNDONE)
        elif answer.kind == "refused":
            self.ledger.release(deletion.key, [_refused(deletion, answer.said)])
            self._count("failed", Outcome.FAILED)
        else:
            self.ledger.unclear(deletion.key)
            self.unclear[deletion.key] += 1
            if self.unclear[deletion.key] < MAX_UNCLEAR:
                self.again.append(replace(deletion, unclear=True))
            else:
                self._count("unclear", Outcome.AMBIGUOUS)

    def _count(self, what: str, shown: Outcome) -> None:
        self.tally[what] += 1
        self.shown[shown] += 1
        if self.progress is not None:
            self.progress(sum(self.shown.values()), self.shown)


def confirmed(reply: JsonDict) -> bool:
    """``{"Status":"Success","Message":{"IsSuccessful":true}}``, the documented success."""
    message = reply.get("Message")
    if isinstance(message, dict) and "IsSuccessful" in message:
        return message["IsSuccessful"] is True
    return str(reply.get("Status", "")).casefold() == "success"


def _already_gone(deletion: Deletion) -> Problem:
    message = (
        f"Row {deletion.row}: opportunity {deletion.opportunity_id} was already gone from "
        "LeadSquared (deleted outside this undo); nothing was deleted."
    )
    return Problem(deletion.sheet, deletion.row, None, None, ALREADY_GONE, message)


def _refused(deletion: Deletion, said: str) -> Problem:
    message = (
        f"Row {deletion.row}: LeadSquared refused to delete opportunity "
        f"{deletion.opportunity_id}: {said}. Run the undo again later, or delete it by hand."
    )
    return Problem(deletion.sheet, deletion.row, None, None, DELETE_FAILED, message, said)


def _interrupted() -> Interrupted:
    return Interrupted(
        "Interrupted: the deletes already sent were finished and recorded. "
        "Run the same command again to continue where it stopped."
    )
