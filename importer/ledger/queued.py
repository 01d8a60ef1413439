"""Rows in LeadSquared's async queue (target ``async``), as the ledger keeps them.

An accepted request's ``RequestID`` is committed with its row's state ``queued`` as soon as
the reply arrives, so a run killed at any moment later polls that request instead of
sending the row again. A row sent whose RequestID never arrived stays ``in_flight`` (or is
marked ``ambiguous``): it is looked up before anything is resent::

    pending -> in_flight --RequestID--> queued --status--> its outcome
                   |                       `--unknown to the server--> ambiguous
                   `--no clear answer--> ambiguous --look-up--> its outcome, or pending

``queued`` is not finished, and it is never sent again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from importer.ledger.codec import opportunity_from_json
from importer.ledger.db import Database, placeholders
from importer.ledger.items import PAGE_ROWS, LedgerRun
from importer.ledger.runs import RunSpec
from importer.model import OpportunityRow, Outcome, ReadyRow

# States of a row of an async run that still waits for LeadSquared's queue or a look-up.
_WAITING = (Outcome.QUEUED, Outcome.IN_FLIGHT, Outcome.AMBIGUOUS)


@dataclass(frozen=True, slots=True)
class QueuedRow:
    """A row LeadSquared's queue accepted: the request to poll, and when it was sent (the
    server's clock, epoch seconds)."""

    row: OpportunityRow
    request_id: str
    sent_at: float | None


@dataclass(frozen=True, slots=True)
class WaitingRun:
    """An async run with rows still waiting, as `lsq-import status` continues it: the
    run's spec (its file, sheet, mapping, target) and the workbook it last wrote."""

    run_id: int
    spec: RunSpec
    workbook: Path | None


def queued_message(request_id: str) -> str:
    return (
        f"Accepted by LeadSquared's queue (request {request_id}); its outcome is collected by "
        "`lsq-import status` or by running the same command again."
    )


def record_queued(run: LedgerRun, accepted: Iterable[tuple[OpportunityRow, str]]) -> None:
    """Commit each accepted row's RequestID, state ``queued`` (one durable transaction).
    Only a row in flight moves: one that already has an outcome is never taken back."""
    run.db.many(
        "UPDATE items SET state = ?, request_id = ?, message = ?"
        " WHERE key = ? AND run_id = ? AND state = ?",
        (
            (Outcome.QUEUED, rid, queued_message(rid), row.key, run.id, Outcome.IN_FLIGHT)
            for row, rid in accepted
        ),
    )


def queued_rows(run: LedgerRun, page: int = PAGE_ROWS) -> Iterator[list[QueuedRow]]:
    """The run's queued rows in row order, a page at a time."""
    for found in run.pages_in(Outcome.QUEUED, "payload, request_id, sent_at", page):
        yield [QueuedRow(opportunity_from_json(p), str(rid), sent) for _, p, rid, sent in found]


@dataclass(frozen=True, slots=True)
class Sent:
    """When a row was last sent (the server's clock), and how many of its sends got no
    clear answer."""

    at: float | None
    unclear: int


def sent_records(run: LedgerRun, rows: Sequence[ReadyRow]) -> dict[int, Sent]:
    """Row -> :class:`Sent`, for rows of this run."""
    found: dict[int, Sent] = {}
    for row in rows:
        record = run.db.one(
            "SELECT sent_at, unclear FROM items WHERE key = ? AND run_id = ?", (row.key, run.id)
        )
        found[row.row] = Sent(record[0], int(record[1])) if record else Sent(None, 0)
    return found


def waiting_runs(db: Database) -> list[WaitingRun]:
    """The account's async runs with rows queued or unclear, oldest first."""
    found = db.rows(
        "SELECT r.id, r.identity, r.file, r.file_sha256, r.sheet, r.mapping, r.mapping_digest,"
        " r.event_code, r.results FROM runs r WHERE r.target = 'async' AND EXISTS"
        f" (SELECT 1 FROM items i WHERE i.run_id = r.id AND i.state IN ({placeholders(_WAITING)}))"
        " ORDER BY r.id",
        _WAITING,
    )
    return [_waiting(*record) for record in found]


def _waiting(
    run_id: int,
    identity: str,
    file: str,
    sha: str,
    sheet: str,
    mapping: str,
    digest: str,
    event_code: int,
    results: str,
) -> WaitingRun:
    written = json.loads(results or "{}").get("workbook")
    out = Path(written) if written else None
    spec = RunSpec(Path(file), sha, sheet, Path(mapping), digest, "async", int(event_code), out=out)
    if spec.identity != identity:  # the only other part of the identity: --allow-resend
        spec = replace(spec, allow_resend=True)
    return WaitingRun(int(run_id), spec, out)
