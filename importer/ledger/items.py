"""One run's rows in the account's ledger: what each source row is (a key to send, or an
invalid row), and each key's state, from pending to its outcome.

A key is the opportunity's identity (:func:`importer.send.identity.idempotency_key`), so a
key created by any earlier run is never sent again, whatever file, sheet or ``--out`` the
row comes from: such a row's outcome is ``already_imported``. A key claims its way out one
atomic step at a time: pending -> in_flight (committed right before its request goes out)
-> its outcome, or ambiguous (checked with LeadSquared before anything is resent).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from importer.ledger import runs
from importer.ledger.adding import add_chunk
from importer.ledger.calls import record_call
from importer.ledger.codec import problems_from_json, problems_to_json, row_from_json
from importer.ledger.counts import EXISTING, as_outcomes, state_counts
from importer.ledger.db import Database, placeholders
from importer.ledger.runs import RunSpec, now_text
from importer.model import DialerLead, JsonDict, Outcome, ReadyRow, RowOutcome
from importer.send.identity import idempotency_key
from importer.send.noojee.identity import dialer_key
from importer.send.payloads import SendSettings

if TYPE_CHECKING:
    from importer.pipeline import Prepared

PAGE_ROWS = 5_000
_UNCLEAR_MESSAGE = (
    "Sent, but LeadSquared's answer never arrived; run the same command again and it will "
    "be checked before anything is resent."
)


@dataclass(frozen=True, slots=True)
class SentRow:
    """A row caught on its way by a crash or an unclear answer: to be looked up first."""

    row: ReadyRow
    state: Outcome
    sent_at: float | None  # the server's clock when it was last sent (epoch seconds)
    unclear: int  # unclear answers so far


class LedgerRun:
    """The ledger as one run sees it. Thread-safe (see :class:`Database`)."""

    def __init__(self, db: Database, run_id: int, host: str, spec: RunSpec) -> None:
        self.db, self.id, self.host, self.spec = db, run_id, host, spec

    # -- loading the file's rows ------------------------------------------------------

    def add(self, part: Prepared, settings: SendSettings) -> list[ReadyRow]:
        """Record a chunk's rows and return its valid rows with their keys; rows this run
        already holds (a resumed run) stay as they are. A row whose key another row of this
        run already has is that row's duplicate (see :mod:`importer.ledger.adding`)."""
        keyed = [replace(row, key=self.key_of(row, settings)) for row in part.ready]
        with self.db.tx() as tx:
            add_chunk(tx, self.id, keyed, part.invalid)
        return keyed

    @property
    def loaded(self) -> bool:
        """Every row of the file is recorded (a run continued after its rows were loaded:
        reading the file again would change nothing)."""
        return runs.is_loaded(self.db, self.id)

    def all_rows_added(self) -> None:
        runs.mark_loaded(self.db, self.id)

    def key_of(self, row: ReadyRow, settings: SendSettings) -> str:
        if isinstance(row, DialerLead):
            key = dialer_key(self.host, row)
        else:
            key = idempotency_key(self.host, row, settings)
        if self.spec.allow_resend:  # a deliberate resend is a new opportunity of its own
            key = hashlib.sha256(f"{key}/resend/{self.id}".encode()).hexdigest()
        return key

    # -- what the sender reads ----------------------------------------------------------

    def to_check(self) -> list[SentRow]:
        """Rows caught in flight or ambiguous: each is looked up before anything is resent."""
        cursor = self.db.rows(
            "SELECT payload, state, sent_at, unclear FROM items"
            " WHERE run_id = ? AND state IN (?, ?) ORDER BY row",
            (self.id, Outcome.IN_FLIGHT, Outcome.AMBIGUOUS),
        )
        return [SentRow(row_from_json(p), Outcome(s), t, max(u, 1)) for p, s, t, u in cursor]

    def pending(self, page: int = PAGE_ROWS) -> Iterator[list[ReadyRow]]:
        """The rows still to send, in spreadsheet order, a page at a time (memory stays
        flat however long the file)."""
        for found in self.pages_in(Outcome.PENDING, "payload", page):
            yield [row_from_json(payload) for _, payload in found]

    def pages_in(
        self, state: Outcome, columns: str, page: int = PAGE_ROWS
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The run's items in ``state``, in spreadsheet order, a page at a time: each its
        row number, then ``columns`` (a constant list of the items table's columns). Paged
        by row number, not OFFSET, so each page costs the same however long the file."""
        last = 0
        while True:
            found = self.db.rows(
                f"SELECT row, {columns} FROM items WHERE run_id = ? AND state = ? AND row > ?"
                " ORDER BY row LIMIT ?",
                (self.id, state, last, page),
            )
            if not found:
                return
            last = int(found[-1][0])
            yield found

    # -- what the sender writes ---------------------------------------------------------

    def claim(
        self,
        rows: Sequence[ReadyRow],
        batch_id: str,
        sent_at: float,
        route: str | None = None,
    ) -> list[int]:
        """Move ``rows`` to in_flight, each only if it is still pending (one atomic step),
        right before their request goes out; returns the row numbers claimed. ``route`` is
        the endpoint they go through (an undo lists the leads that capture may create)."""
        keys = [row.key for row in rows]
        with self.db.tx() as tx:
            # "+run_id", "+state": found by key, never by scanning the run's pending rows.
            claimed = tx.execute(
                "UPDATE items SET state = ?, batch_id = ?, sent_at = ?,"
                " attempts = attempts + 1, route = COALESCE(?, route)"
                f" WHERE key IN ({placeholders(keys)}) AND +run_id = ? AND +state = ?"
                " RETURNING row",
                (Outcome.IN_FLIGHT, batch_id, sent_at, route, *keys, self.id, Outcome.PENDING),
            ).fetchall()
            record_call(tx)
        return sorted(row for (row,) in claimed)

    def mark(self, rows: Iterable[ReadyRow], state: Outcome, message: str = "") -> None:
        """Move rows back to pending (to send) or to ambiguous (to look up)."""
        if state not in (Outcome.PENDING, Outcome.AMBIGUOUS):
            raise ValueError(f"mark() is for pending/ambiguous, not {state!r}")
        unclear = 1 if state is Outcome.AMBIGUOUS else 0
        self.db.many(
            "UPDATE items SET state = ?, message = ?, unclear = unclear + ?"
            " WHERE key = ? AND run_id = ?",
            ((state, message, unclear, row.key, self.id) for row in rows),
        )

    def record(self, outcomes: Iterable[RowOutcome], lookups: Sequence[float] = ()) -> None:
        """Commit the outcomes of sent rows, and the times of any look-ups made for them."""
        finished = now_text()
        with self.db.tx() as tx:
            tx.executemany(
                "UPDATE items SET state = ?, opportunity_id = ?, lead_id = ?, message = ?,"
                " problems = ?, finished_at = ? WHERE run_id = ? AND key ="
                " (SELECT key FROM run_rows WHERE run_id = ? AND row = ?)",
                (
                    (
                        o.outcome,
                        o.opportunity_id,
                        o.lead_id,
                        o.message,
                        problems_to_json(o.problems),
                        finished,
                        self.id,
                        self.id,
                        o.row,
                    )
                    for o in outcomes
                ),
            )
            for at in lookups:
                record_call(tx, at)

    # -- the run as a whole -------------------------------------------------------------

    def finish(self, aborted: str | None, counts: Counter[Outcome]) -> None:
        runs.finish(self.db, self.id, runs.STOPPED if aborted else runs.FINISHED, counts)

    def results_record(self) -> JsonDict:
        """What was written for this run last time (see importer.results)."""
        return runs.results_digest(self.db, self.id)

    def save_results_record(self, record: JsonDict) -> None:
        runs.save_results_digest(self.db, self.id, record)

    # -- what the report reads ----------------------------------------------------------

    def state_counts(self) -> Counter[Outcome]:
        """Rows of this run by state (unfinished states apart)."""
        return state_counts(self.db, self.id)

    def outcome_counts(self) -> Counter[Outcome]:
        """Rows of this run by outcome, as the report shows them (unfinished = pending,
        except queued)."""
        return as_outcomes(self.state_counts())

    def outcomes_from(self, first_row: int, limit: int) -> list[RowOutcome]:
        """The outcomes of this run's rows from ``first_row`` on, in row order."""
        found = self.db.rows(
            "SELECT r.row, r.key, r.problems, i.state, i.run_id, i.opportunity_id, i.lead_id,"
            " i.message, i.problems, i.finished_at, i.row, o.file FROM run_rows r"
            " LEFT JOIN items i ON i.key = r.key LEFT JOIN runs o ON o.id = i.run_id"
            " WHERE r.run_id = ? AND r.row >= ? ORDER BY r.row LIMIT ?",
            (self.id, first_row, limit),
        )
        return [self._outcome(*record) for record in found]

    def _outcome(
        self,
        row: int,
        key: str | None,
        invalid: str | None,
        state: str,
        owner: int,
        opportunity_id: str | None,
        lead_id: str | None,
        message: str,
        problems: str,
        finished_at: str | None,
        owner_row: int,
        owner_file: str | None,
    ) -> RowOutcome:
        sheet = self.spec.sheet
        if key is None:
            found = problems_from_json(invalid)
            text = "; ".join(p.message for p in found)
            return RowOutcome(sheet, row, Outcome.INVALID, message=text, problems=found)
        outcome = Outcome(state)
        if owner != self.id and outcome in EXISTING:
            where = f"{owner_file}, row {owner_row}" if owner_file else f"run {owner}"
            said = (
                f"Row {row}: already imported on {finished_at} UTC from "
                f"{where} (run {owner}); nothing was sent."
            )
            return RowOutcome(sheet, row, Outcome.ALREADY_IMPORTED, opportunity_id, lead_id, said)
        if outcome is Outcome.QUEUED:
            return RowOutcome(sheet, row, outcome, message=message)
        if not outcome.finished:
            said = _UNCLEAR_MESSAGE if outcome is not Outcome.PENDING else message
            return RowOutcome(sheet, row, Outcome.PENDING, message=said)
        found = problems_from_json(problems)
        return RowOutcome(sheet, row, outcome, opportunity_id, lead_id, message, found)
