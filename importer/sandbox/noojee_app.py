"""Noojee Contact's lead API, served by the sandbox beside LeadSquared's (same host and
port): ``POST /servicemanager/rest/CampaignAPI/insertLeadFast`` and ``…/updateLeadFast``,
plus ``GET /_sandbox/noojee/leads`` (the sandbox's own: every lead, for tests).

A request goes through, in order: the ``apiKey`` query parameter (else HTTP 401,
``{"code": 401, …}``) · the query string and the body (else 103) · the queue (109) · the
sandbox's ``--latency`` (held inside the queue slot, so slow requests fill the queue) · one
fault draw (noojee_faults) · the leads, in the batch mode (noojee_batch) checked by
noojee_rules · the reply ``{"code": N, "message": "…"}`` with HTTP 200 for 0, 500 for 103,
400 for every other code.
"""

from __future__ import annotations

import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from importer.sandbox import noojee_batch as batch
from importer.sandbox import noojee_codes as codes
from importer.sandbox.noojee_account import EXTERNAL_ID, load_noojee_account
from importer.sandbox.noojee_codes import NoojeeRefusal
from importer.sandbox.noojee_faults import NoojeeChaos, People
from importer.sandbox.noojee_queue import Queue
from importer.sandbox.noojee_rules import LeadContext
from importer.sandbox.noojee_state import NjLead, NoojeeStore
from importer.sandbox.noojee_stats import NoojeeStats
from importer.sandbox.options import SandboxOptions
from importer.sandbox.request import Request

_API = "/servicemanager/rest/campaignapi/"
ENDPOINTS = {_API + "insertleadfast": "insertLeadFast", _API + "updateleadfast": "updateLeadFast"}
LEADS_PATH = "/_sandbox/noojee/leads"


@dataclass(frozen=True)
class Answer:
    """What to send; ``drop`` closes the connection without a reply (after ``delay_s``)."""

    status: int
    body: Any = None
    drop: bool = False
    delay_s: float = 0.0


class Noojee:
    def __init__(self, options: SandboxOptions) -> None:
        self._config_lock = threading.Lock()
        self.options = options
        self.account = load_noojee_account(options.noojee_account)
        self.store = NoojeeStore(self.account, options.state)
        self.queue = Queue(options.noojee_max_concurrent, options.noojee_queue_s)
        self.chaos = NoojeeChaos(options)
        self.people = People()
        self.stats = NoojeeStats()

    @staticmethod
    def serves(path: str) -> bool:
        """``path`` lower-cased, without a trailing slash."""
        return path in ENDPOINTS or path == LEADS_PATH

    def configure(self, options: SandboxOptions) -> None:
        """Swap the options; the leads survive unless the account or state file changes."""
        with self._config_lock:
            old, self.options = self.options, options
            if (old.noojee_account, old.state) != (options.noojee_account, options.state):
                self.account = load_noojee_account(options.noojee_account)
                self.store.close()
                self.store = NoojeeStore(self.account, options.state)
                self.people.clear()
            if (old.noojee_max_concurrent, old.noojee_queue_s) != (
                options.noojee_max_concurrent,
                options.noojee_queue_s,
            ):
                self.queue = Queue(options.noojee_max_concurrent, options.noojee_queue_s)
            self.chaos = NoojeeChaos(options)

    def reset(self) -> None:
        """Back to the account's own leads; no counters, conflicts or queued requests."""
        self.store.reset()
        self.stats.clear()
        self.people.clear()
        self.chaos = NoojeeChaos(self.options)
        self.queue = Queue(self.options.noojee_max_concurrent, self.options.noojee_queue_s)

    def close(self) -> None:
        self.store.close()

    def snapshot(self) -> dict[str, Any]:
        """The ``noojee`` key of ``GET /_sandbox/stats`` (see NoojeeStats.events)."""
        per_campaign = self.store.count_per_campaign()
        return {
            **self.stats.snapshot(),
            "leads": sum(per_campaign.values()),
            "leads_per_campaign": per_campaign,
            "batch_mode": self.options.noojee_batch,
            "max_concurrent": self.options.noojee_max_concurrent,
        }

    def leads(self) -> list[dict[str, Any]]:
        """Every lead of every campaign, oldest first (``GET /_sandbox/noojee/leads``)."""
        return [
            {
                "campaign_id": lead.campaign_id,
                "njExternalLeadId": lead.external_id,
                "njDisposition": lead.disposition,
                "fields": dict(lead.fields),
                "origin": lead.origin,
                "editing": lead.editing,
            }
            for lead in self.store.leads()
        ]

    def handle(self, path: str, req: Request, delay: Callable[[], float]) -> Answer:
        """Never raises: an error inside the sandbox is a 103 with HTTP 500."""
        if path == LEADS_PATH:
            return Answer(200, {"leads": self.leads()})
        if req.method != "POST":
            return Answer(405, codes.body(codes.EXCEPTION, f"{ENDPOINTS[path]} takes POST"))
        self.stats.call(ENDPOINTS[path])
        if req.param("apiKey") != self.account.api_key:
            self.stats.event("http_401")
            return Answer(401, dict(codes.UNAUTHORISED_BODY))
        try:
            with self.stats.in_flight():
                return self._serve(req, path.endswith("updateleadfast"), delay)
        except NoojeeRefusal as refusal:
            return self._reply(refusal.code, codes.body(refusal.code, refusal.detail))
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            detail = f"sandbox internal error: {type(exc).__name__}: {exc}"
            return self._reply(codes.EXCEPTION, codes.body(codes.EXCEPTION, detail))

    def _serve(self, req: Request, update: bool, delay: Callable[[], float]) -> Answer:
        # One consistent set for the whole request, even if the sandbox is reconfigured.
        options, queue, chaos = self.options, self.queue, self.chaos
        ctx = batch.campaign_context(self.account, self.store, req, self._editing(chaos))
        leads = batch.parse_leads(req)
        ids = [lead.get(EXTERNAL_ID, "").strip() for lead in leads]
        self.stats.event("resends_of_conflicted", self.people.resent(ctx.campaign.id, ids))
        with queue.slot():
            time.sleep(delay())
            fault = chaos.draw_fault()
            if fault:
                self.stats.fault(fault)
            if fault == "busy":
                raise NoojeeRefusal(codes.TOO_MANY_CONCURRENT)
            if fault == "500":
                raise NoojeeRefusal(codes.EXCEPTION)
            if fault == "reset":
                return Answer(0, drop=True)
            outcome = batch.run(ctx, leads, update, options.noojee_batch)
        self._count(outcome)
        if fault == "applied500":
            raise NoojeeRefusal(codes.EXCEPTION)
        if fault == "ambiguous":
            return Answer(0, drop=True, delay_s=options.ambiguous_delay)
        self._tell(ctx, leads, outcome, options.noojee_batch)
        return self._reply(outcome.code, outcome.body)

    def _editing(self, chaos: NoojeeChaos) -> Callable[[NjLead], bool]:
        return lambda lead: self.people.is_editing(lead, chaos)

    def _count(self, outcome: batch.Outcome) -> None:
        inserted = [w for w in outcome.applied if w.lead is None]
        self.stats.event("leads_created", len(inserted))
        self.stats.event("duplicates_created", sum(w.duplicate for w in inserted))
        self.stats.event("leads_updated", len(outcome.applied) - len(inserted))
        blocked = (codes.DUPLICATE, codes.DUPLICATE_EXTERNAL_ID)
        self.stats.event("duplicates_blocked", sum(v.code in blocked for v in outcome.verdicts))

    def _tell(
        self, ctx: LeadContext, leads: list[dict[str, str]], outcome: batch.Outcome, mode: str
    ) -> None:
        """Remember the leads this reply pins a 110 on (see noojee_faults.People)."""
        if mode != "per_lead" and len(leads) > 1:
            return  # one code for many leads: the client cannot know which conflicted
        for lead, verdict in zip(leads, outcome.verdicts, strict=False):
            if verdict.code == codes.CONFLICT:
                self.people.tell(ctx.campaign.id, lead.get(EXTERNAL_ID, "").strip())

    def _reply(self, code: int, body: dict[str, Any]) -> Answer:
        self.stats.code(code)
        return Answer(codes.http_status(code), body)
