"""Seeded misbehaviour of the Noojee side, and the people editing leads (code 110).

Faults (``noojee_faults``, one draw per insert/update request that passed auth, the query
string and the queue; streams of their own, so Noojee calls never change which
LeadSquared calls fail):

    busy        109 TIMEOUT_TOO_MANY_CONCURRENT_REQUESTS at once; nothing applied
    500         HTTP 500, code 103; nothing applied
    applied500  the request is applied as usual, then HTTP 500, code 103
    reset       the connection is reset; nothing applied
    ambiguous   the request is applied, the reply waits ``ambiguous_delay`` seconds and
                the connection is dropped

Conflicts (``noojee_conflict``: the probability, drawn once per lead of an update that
passed every other check, that a person has the lead open). A lead once found open stays
open until ``/_sandbox/reset`` (the person is still there): every later update of it
answers 110 again, and nothing is overwritten. Leads marked ``editing: true`` in the
account are open from the start.
"""

from __future__ import annotations

import random
import threading

from importer.sandbox.noojee_state import NjLead
from importer.sandbox.options import NOOJEE_FAULT_KINDS, SandboxOptions, parse_faults

LeadKey = tuple[int, str]  # (campaign id, njExternalLeadId)


class NoojeeChaos:
    def __init__(self, options: SandboxOptions) -> None:
        self._faults = parse_faults(options.noojee_faults, NOOJEE_FAULT_KINDS)
        self._conflict = options.noojee_conflict
        self._fault_rng = random.Random(f"noojee-faults/{options.seed}")
        self._conflict_rng = random.Random(f"noojee-conflict/{options.seed}")
        self._lock = threading.Lock()

    def draw_fault(self) -> str | None:
        with self._lock:
            roll = self._fault_rng.random()
        for kind, probability in self._faults.items():
            if roll < probability:
                return kind
            roll -= probability
        return None

    def draw_conflict(self) -> bool:
        if not self._conflict:
            return False
        with self._lock:
            return self._conflict_rng.random() < self._conflict


class People:
    """Which leads a person is editing, and which 110s the client was told about.

    A client is *told* that a lead conflicted when a reply pins the 110 on it: its own
    entry in a ``per_lead`` reply, or a 110 answering a request that held only that lead.
    Every later request holding that lead's external id counts as a resend.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._editing: set[LeadKey] = set()
        self._told: set[LeadKey] = set()

    def clear(self) -> None:
        with self._lock:
            self._editing.clear()
            self._told.clear()

    def is_editing(self, lead: NjLead, chaos: NoojeeChaos) -> bool:
        key = (lead.campaign_id, lead.external_id or "")
        with self._lock:
            if lead.editing or key in self._editing:
                return True
        if chaos.draw_conflict():
            with self._lock:
                self._editing.add(key)
            return True
        return False

    def tell(self, campaign_id: int, external_id: str) -> None:
        with self._lock:
            self._told.add((campaign_id, external_id))

    def resent(self, campaign_id: int, external_ids: list[str]) -> int:
        """How many of these leads the client was already told conflicted."""
        with self._lock:
            return sum((campaign_id, e) in self._told for e in external_ids if e)
