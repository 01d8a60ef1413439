"""The leads in the Noojee campaigns, in SQLite: in memory by default, in the ``--state``
file (tables ``nj_*``, beside LeadSquared's) so a rehearsal survives a restart.

A request runs inside :meth:`NoojeeStore.request`: every lead it applies is visible to the
next lead of the same request (a phone inserted by lead 1 makes lead 2 a duplicate), and
an all-or-nothing refusal rolls the whole request back."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importer.sandbox.noojee_account import (
    DISPOSITION,
    EXTERNAL_ID,
    NoojeeAccount,
    SeedLead,
    phone_digits,
)
from importer.sandbox.state import now_text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS nj_leads (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, campaign_id INTEGER NOT NULL, external_id TEXT,
    fields TEXT NOT NULL, disposition TEXT, editing INTEGER NOT NULL, origin TEXT NOT NULL,
    created_on TEXT NOT NULL, updated_on TEXT);
CREATE INDEX IF NOT EXISTS nj_by_external_id ON nj_leads (campaign_id, external_id);
CREATE TABLE IF NOT EXISTS nj_phones (
    campaign_id INTEGER NOT NULL, phone TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS nj_by_phone ON nj_phones (campaign_id, phone);
"""


@dataclass(frozen=True)
class NjLead:
    seq: int
    campaign_id: int
    external_id: str | None
    fields: Mapping[str, str]  # as last sent; njDisposition is kept in ``disposition``
    disposition: str | None
    editing: bool  # the account marks it as open in a person's screen
    origin: str  # "account" (seeded) or "insert"


class _Rollback(Exception):
    """Raised inside :meth:`NoojeeStore.request` to undo everything it wrote."""


class NoojeeStore:
    def __init__(self, account: NoojeeAccount, path: Path | None = None) -> None:
        self.account = account
        self.lock = threading.RLock()
        # A connection of its own (even on the --state file): LeadSquared's Store keeps its
        # connection private, and SQLite serialises the two writers on the file.
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        self._db.executescript(_SCHEMA)
        if self._count("SELECT COUNT(*) FROM nj_leads") == 0:
            self._seed()

    def close(self) -> None:
        with self.lock:
            self._db.close()

    def reset(self) -> None:
        """Back to the account's own leads."""
        with self.lock, self._db:
            self._db.executescript("DELETE FROM nj_leads; DELETE FROM nj_phones;")
        self._seed()

    def _seed(self) -> None:
        with self.lock, self._db:
            for lead in self.account.leads:
                self._insert_seed(lead)

    def _insert_seed(self, lead: SeedLead) -> None:
        fields = dict(lead.fields)
        disposition = fields.pop(DISPOSITION, None) or None
        self.insert(lead.campaign_id, fields, disposition, "account", lead.editing)

    @contextmanager
    def request(self) -> Iterator[_Rollback]:
        """One request's writes, committed together; ``raise`` the yielded exception
        (or any other) to roll them all back. Holds the lock throughout."""
        rollback = _Rollback()
        with self.lock:
            try:
                with self._db:
                    yield rollback
            except _Rollback:
                pass

    def by_external_id(self, campaign_id: int, external_id: str) -> list[NjLead]:
        with self.lock:
            rows = self._db.execute(
                "SELECT * FROM nj_leads WHERE campaign_id = ? AND external_id = ? ORDER BY seq",
                (campaign_id, external_id),
            ).fetchall()
        return [_lead(row) for row in rows]

    def phone_owners(self, campaign_id: int, phones: frozenset[str]) -> set[int]:
        """The leads of the campaign holding any of these numbers (phone_digits)."""
        if not phones:
            return set()
        marks = ",".join("?" * len(phones))
        with self.lock:
            rows = self._db.execute(
                f"SELECT seq FROM nj_phones WHERE campaign_id = ? AND phone IN ({marks})",
                (campaign_id, *sorted(phones)),
            ).fetchall()
        return {int(row[0]) for row in rows}

    def insert(
        self,
        campaign_id: int,
        fields: Mapping[str, str],
        disposition: str | None,
        origin: str = "insert",
        editing: bool = False,
    ) -> int:
        with self.lock:
            cursor = self._db.execute(
                "INSERT INTO nj_leads (campaign_id, external_id, fields, disposition, editing,"
                " origin, created_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    campaign_id,
                    _external_id(fields),
                    json.dumps(dict(fields)),
                    disposition,
                    int(editing),
                    origin,
                    now_text(),
                ),
            )
            seq = int(cursor.lastrowid or 0)
            self._index_phones(campaign_id, seq, fields)
        return seq

    def update(self, lead: NjLead, fields: Mapping[str, str], disposition: str | None) -> None:
        """Replace the lead's fields (already merged by the caller) and disposition."""
        with self.lock:
            self._db.execute(
                "UPDATE nj_leads SET fields = ?, disposition = ?, updated_on = ? WHERE seq = ?",
                (json.dumps(dict(fields)), disposition, now_text(), lead.seq),
            )
            self._db.execute("DELETE FROM nj_phones WHERE seq = ?", (lead.seq,))
            self._index_phones(lead.campaign_id, lead.seq, fields)

    def _index_phones(self, campaign_id: int, seq: int, fields: Mapping[str, str]) -> None:
        campaign = next(c for c in self.account.campaigns if c.id == campaign_id)
        phones = {phone_digits(fields.get(name, "")) for name in campaign.phone_fields}
        for phone in phones - {""}:
            self._db.execute("INSERT INTO nj_phones VALUES (?, ?, ?)", (campaign_id, phone, seq))

    def leads(self) -> list[NjLead]:
        with self.lock:
            rows = self._db.execute("SELECT * FROM nj_leads ORDER BY seq").fetchall()
        return [_lead(row) for row in rows]

    def count_per_campaign(self) -> dict[str, int]:
        with self.lock:
            rows = self._db.execute(
                "SELECT campaign_id, COUNT(*) FROM nj_leads GROUP BY campaign_id"
            ).fetchall()
        return {str(campaign): int(count) for campaign, count in rows}

    def _count(self, sql: str) -> int:
        with self.lock:
            return int(self._db.execute(sql).fetchone()[0])


def _external_id(fields: Mapping[str, str]) -> str | None:
    return fields.get(EXTERNAL_ID) or None


def _lead(row: tuple[Any, ...]) -> NjLead:
    seq, campaign_id, external_id, fields, disposition, editing, origin = row[:7]
    return NjLead(
        seq, campaign_id, external_id, json.loads(fields), disposition, bool(editing), origin
    )
