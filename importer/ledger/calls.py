"""The account's recent API calls, whoever made them (an import, an undo, a run killed a
moment ago): a new process seeds its rate limiter with them, so it never bursts past the
limit right after another one stopped."""

from __future__ import annotations

import sqlite3
import time

from importer.ledger.db import Database


def record_call(tx: sqlite3.Connection, at: float | None = None) -> None:
    """Count one call, inside the caller's transaction (the claim that precedes it)."""
    tx.execute("INSERT INTO calls VALUES (?)", (time.time() if at is None else at,))


def forget_calls_before(db: Database, seconds_ago: float) -> None:
    """Drop calls older than ``seconds_ago``: the log would grow by a row per request."""
    with db.tx() as tx:
        tx.execute("DELETE FROM calls WHERE at < ?", (time.time() - seconds_ago,))


def recent_calls(db: Database, seconds: float) -> list[float]:
    """Wall-clock start times of the account's calls in the last ``seconds``."""
    since = time.time() - seconds
    return [float(at) for (at,) in db.rows("SELECT at FROM calls WHERE at > ?", (since,))]
