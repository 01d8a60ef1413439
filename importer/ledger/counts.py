"""A run's rows counted by state, in one query: for its progress, its report and history.

A row whose key another run owns counts as ``already_imported`` while that key stands for
an opportunity (:data:`EXISTING`), and by the key's own state otherwise.
"""

from __future__ import annotations

from collections import Counter

from importer.ledger.db import Database, placeholders
from importer.model import Outcome

# States in which a key already stands for an opportunity in LeadSquared (a lead in Noojee).
EXISTING = (
    Outcome.CREATED,
    Outcome.DUPLICATE,
    Outcome.PARTIAL,
    Outcome.NEEDS_REVIEW,
    Outcome.UPDATED,
)


def state_counts(db: Database, run_id: int) -> Counter[Outcome]:
    """Rows of run ``run_id`` by state (unfinished states apart), one query."""
    found = db.rows(
        "SELECT CASE WHEN r.key IS NULL THEN ? WHEN i.run_id = r.run_id THEN i.state"
        f" WHEN i.state IN ({placeholders(EXISTING)}) THEN ? ELSE i.state END, COUNT(*)"
        " FROM run_rows r LEFT JOIN items i ON i.key = r.key WHERE r.run_id = ? GROUP BY 1",
        (Outcome.INVALID, *EXISTING, Outcome.ALREADY_IMPORTED, run_id),
    )
    return Counter({Outcome(state): int(n) for state, n in found})


def outcome_counts(db: Database, run_id: int) -> Counter[Outcome]:
    """Rows of run ``run_id`` by outcome, as the report shows them (unfinished = pending,
    except queued: LeadSquared has those)."""
    counts: Counter[Outcome] = Counter()
    for state, n in state_counts(db, run_id).items():
        shown = state.finished or state is Outcome.QUEUED
        counts[state if shown else Outcome.PENDING] += n
    return counts
