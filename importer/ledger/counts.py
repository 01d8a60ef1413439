"""A run's rows counted by state: for its progress, its report and history.

A row whose key another run owns counts as ``already_imported`` while that key stands for
an opportunity (:data:`EXISTING`), and by the key's own state otherwise. The keys the run
holds are counted on its own index; only rows whose key another run holds are joined one
by one (joining a million rows took seconds on every call).
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
    """Rows of run ``run_id`` by state (unfinished states apart)."""
    own = db.rows("SELECT state, COUNT(*) FROM items WHERE run_id = ? GROUP BY state", (run_id,))
    counts = Counter({Outcome(state): int(n) for state, n in own})
    held = counts.total()
    found = db.one(
        "SELECT COUNT(*), COUNT(*) - COUNT(key) FROM run_rows WHERE run_id = ?", (run_id,)
    )
    rows, invalid = found if found else (0, 0)
    if invalid:
        counts[Outcome.INVALID] = int(invalid)
    if rows - invalid > held:
        others = db.rows(
            f"SELECT CASE WHEN i.state IN ({placeholders(EXISTING)}) THEN ? ELSE i.state END,"
            " COUNT(*) FROM run_rows r JOIN items i ON i.key = r.key"
            " WHERE r.run_id = ? AND i.run_id != r.run_id GROUP BY 1",
            (*EXISTING, Outcome.ALREADY_IMPORTED, run_id),
        )
        counts.update({Outcome(state): int(n) for state, n in others})
    return counts


def as_outcomes(states: Counter[Outcome]) -> Counter[Outcome]:
    """Rows by state -> rows by outcome, as the report shows them (unfinished = pending,
    except queued: LeadSquared has those)."""
    counts: Counter[Outcome] = Counter()
    for state, n in states.items():
        shown = state.finished or state is Outcome.QUEUED
        counts[state if shown else Outcome.PENDING] += n
    return counts


def outcome_counts(db: Database, run_id: int) -> Counter[Outcome]:
    return as_outcomes(state_counts(db, run_id))
