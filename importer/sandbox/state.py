"""The sandbox's leads and opportunities, in SQLite: in memory by default, in a file with
``--state`` so a rehearsal survives a restart of the sandbox (and of the importer)."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from importer.sandbox.account import Account
from importer.sandbox.server_form import unique_key

_SCHEMA = """
CREATE TABLE IF NOT EXISTS leads (
    prospect_id TEXT PRIMARY KEY, fields TEXT NOT NULL, origin TEXT NOT NULL,
    created_on TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lead_keys (
    field TEXT NOT NULL, value TEXT NOT NULL, prospect_id TEXT NOT NULL,
    PRIMARY KEY (field, value));
CREATE TABLE IF NOT EXISTS opportunities (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, prospect_id TEXT,
    event_code INTEGER NOT NULL, fields TEXT NOT NULL, dup_key TEXT, note TEXT, owner TEXT,
    created_on TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS opp_by_lead ON opportunities (prospect_id, event_code, dup_key);
CREATE TABLE IF NOT EXISTS deleted_opportunities (
    id TEXT PRIMARY KEY, prospect_id TEXT, event_code INTEGER NOT NULL,
    deleted_on TEXT NOT NULL);
"""
_LEAD_IDS = uuid.UUID("5f1c7e0e-2b0b-4d6a-9a43-6c1d2a0e5a11")


@dataclass(frozen=True)
class Lead:
    prospect_id: str
    fields: Mapping[str, str]


@dataclass(frozen=True)
class Opportunity:
    id: str
    prospect_id: str | None  # None: created but not linked to its lead (seed 000)
    event_code: int
    fields: Mapping[str, str]
    dup_key: str | None
    note: str | None
    owner: str | None
    created_on: str


def now_text() -> str:
    """LeadSquared's date format: UTC ``yyyy-mm-dd hh:mm:ss``."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def new_id() -> str:
    return str(uuid.uuid4())


class Store:
    """All reads and writes go through one connection under one lock: a write endpoint
    holds ``lock`` across check-then-insert so two concurrent requests cannot both pass
    the duplicate rule."""

    def __init__(self, account: Account, path: Path | None = None) -> None:
        self.account = account
        self.lock = threading.RLock()
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        self._db.executescript(_SCHEMA)
        if path:
            self._db.execute("PRAGMA journal_mode=WAL")
        if self._count("SELECT COUNT(*) FROM leads") == 0:
            self._seed_leads()

    def close(self) -> None:
        with self.lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self.lock, self._db:
            yield self._db

    def reset(self) -> None:
        """Drop every opportunity and restore the account's own leads."""
        with self._write() as db:
            db.executescript(
                "DELETE FROM opportunities; DELETE FROM deleted_opportunities;"
                " DELETE FROM leads; DELETE FROM lead_keys;"
            )
        self._seed_leads()

    def _seed_leads(self) -> None:
        with self._write():
            for index, fields in enumerate(self.account.leads):
                # Stable ids: a lead keeps its ProspectId across resets and restarts.
                pid = str(uuid.uuid5(_LEAD_IDS, f"{self.account.name}/{index}"))
                self._insert_lead(pid, dict(fields), "account")

    def _insert_lead(self, pid: str, fields: dict[str, str], origin: str) -> None:
        self._db.execute(
            "INSERT INTO leads VALUES (?, ?, ?, ?)", (pid, json.dumps(fields), origin, now_text())
        )
        self._index_lead(pid, fields)

    def _index_lead(self, pid: str, fields: Mapping[str, str]) -> None:
        for unique in self.account.unique_lead_fields():
            value = fields.get(unique.schema)
            if value:
                self._db.execute(
                    "INSERT OR REPLACE INTO lead_keys VALUES (?, ?, ?)",
                    (unique.schema, unique_key(unique, value), pid),
                )

    def find_lead(self, schema: str, value: str) -> Lead | None:
        """Unique values match case-insensitively (emails above all), phones by digits."""
        key = unique_key(self.account.lead_field(schema), value)
        with self.lock:
            row = self._db.execute(
                "SELECT l.prospect_id, l.fields FROM lead_keys k JOIN leads l USING (prospect_id)"
                " WHERE k.field = ? AND k.value = ?",
                (schema, key),
            ).fetchone()
        return Lead(row[0], json.loads(row[1])) if row else None

    def lead_by_id(self, pid: str) -> Lead | None:
        with self.lock:
            row = self._db.execute(
                "SELECT fields FROM leads WHERE prospect_id = ?", (pid,)
            ).fetchone()
        return Lead(pid, json.loads(row[0])) if row else None

    def save_lead(
        self, lead: Lead | None, fields: Mapping[str, str], pid: str | None = None
    ) -> tuple[Lead, bool]:
        """Update ``lead`` with ``fields``, or create a new lead (with ``pid`` if given);
        returns (lead, created)."""
        with self._write():
            if lead is None:
                created = Lead(pid or new_id(), dict(fields))
                self._insert_lead(created.prospect_id, dict(fields), "capture")
                return created, True
            merged = {**lead.fields, **fields}
            self._db.execute(
                "UPDATE leads SET fields = ? WHERE prospect_id = ?",
                (json.dumps(merged), lead.prospect_id),
            )
            self._index_lead(lead.prospect_id, merged)
            return Lead(lead.prospect_id, merged), False

    def add_opportunity(self, opp: Opportunity) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO opportunities (id, prospect_id, event_code, fields, dup_key, note,"
                " owner, created_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    opp.id,
                    opp.prospect_id,
                    opp.event_code,
                    json.dumps(dict(opp.fields)),
                    opp.dup_key,
                    opp.note,
                    opp.owner,
                    opp.created_on,
                ),
            )

    def find_duplicate(self, pid: str, event_code: int, dup_key: str) -> str | None:
        with self.lock:
            row = self._db.execute(
                "SELECT id FROM opportunities WHERE prospect_id = ? AND event_code = ?"
                " AND dup_key = ? ORDER BY seq LIMIT 1",
                (pid, event_code, dup_key),
            ).fetchone()
        return str(row[0]) if row else None

    def opportunity(self, oid: str) -> Opportunity | None:
        with self.lock:
            row = self._db.execute("SELECT * FROM opportunities WHERE id = ?", (oid,)).fetchone()
        return _opportunity(row) if row else None

    def delete_opportunity(self, opp: Opportunity) -> None:
        """Remove it, and remember its id: a test can tell "deleted" from "never existed"."""
        with self._write() as db:
            db.execute("DELETE FROM opportunities WHERE id = ?", (opp.id,))
            db.execute(
                "INSERT OR REPLACE INTO deleted_opportunities VALUES (?, ?, ?, ?)",
                (opp.id, opp.prospect_id, opp.event_code, now_text()),
            )

    def opportunity_state(self, oid: str) -> str:
        """``live``, ``deleted`` or ``unknown`` (never created here)."""
        if self.opportunity(oid):
            return "live"
        with self.lock:
            row = self._db.execute(
                "SELECT 1 FROM deleted_opportunities WHERE id = ?", (oid,)
            ).fetchone()
        return "deleted" if row else "unknown"

    def opportunities_of(self, pid: str, event_code: int | None = None) -> list[Opportunity]:
        sql = "SELECT * FROM opportunities WHERE prospect_id = ?"
        args: tuple[Any, ...] = (pid,)
        if event_code is not None:
            sql, args = sql + " AND event_code = ?", (pid, event_code)
        with self.lock:
            rows = self._db.execute(sql + " ORDER BY seq", args).fetchall()
        return [_opportunity(row) for row in rows]

    def opportunities_per_lead(self) -> dict[str, int]:
        """Keyed by the lead's first unique value (its email, usually), else its id."""
        with self.lock:
            rows = self._db.execute(
                "SELECT l.prospect_id, l.fields, COUNT(*) FROM opportunities o"
                " JOIN leads l USING (prospect_id) GROUP BY l.prospect_id"
            ).fetchall()
        return {self._label(pid, json.loads(fields)): count for pid, fields, count in rows}

    def _label(self, pid: str, fields: Mapping[str, str]) -> str:
        uniques = (fields.get(u.schema) for u in self.account.unique_lead_fields())
        return next((v for v in uniques if v), pid)

    def counts(self) -> dict[str, int]:
        return {
            "total_opportunities": self._count("SELECT COUNT(*) FROM opportunities"),
            "orphaned_opportunities": self._count(
                "SELECT COUNT(*) FROM opportunities WHERE prospect_id IS NULL"
            ),
            "opportunities_deleted": self._count("SELECT COUNT(*) FROM deleted_opportunities"),
            "leads": self._count("SELECT COUNT(*) FROM leads"),
            "leads_created": self._count("SELECT COUNT(*) FROM leads WHERE origin = 'capture'"),
        }

    def _count(self, sql: str) -> int:
        with self.lock:
            return int(self._db.execute(sql).fetchone()[0])


def _opportunity(row: tuple[Any, ...]) -> Opportunity:
    _, oid, pid, code, fields, dup_key, note, owner, created_on = row
    return Opportunity(oid, pid, code, json.loads(fields), dup_key, note, owner, created_on)
