"""Noojee Contact as a run's destination (see :mod:`importer.send.destination`)."""

from __future__ import annotations

import threading

from importer.errors import Ambiguous, AuthError, ConfigError, RetriesExhausted, RunRefused
from importer.ledger import LedgerRun
from importer.mapping.noojee import NoojeeSection
from importer.model import Outcome
from importer.send.noojee.attempts import noojee_workers
from importer.send.noojee.client import NoojeeClient
from importer.send.noojee.replies import Context
from importer.send.noojee.settings import NoojeeSettings
from importer.send.payloads import SendSettings
from importer.send.preflight import not_reached
from importer.send.ratelimit import RateLimiter
from importer.send.sender import Progress, send_with


class NoojeeDestination:
    """A Noojee campaign: the key in the query string, at most ``concurrency`` requests
    in flight (the mapping's, or ``--workers`` when lower)."""

    server = "Noojee"

    def __init__(
        self,
        settings: NoojeeSettings,
        section: NoojeeSection,
        send: SendSettings,
        limiter: RateLimiter,
        workers: int,
    ) -> None:
        self.host = settings.host
        self.section = section
        self.concurrency = max(1, min(workers, section.concurrency))
        self.goal = Outcome.UPDATED if section.update else Outcome.CREATED
        self.context = Context(section, send.columns)
        self.client = NoojeeClient(settings, section, limiter, pool_size=self.concurrency)
        self.activity = limiter.activity
        self.per_call = section.batch_size

    def check(self) -> None:
        """Send an empty list of leads: it changes nothing, and tells whether the key and
        the host are right. (Noojee documents no read call; what it answers to an empty
        list is a guess, so only a refusal of the key or of the host counts.)"""
        try:
            self.client.send([])
        except (AuthError, RunRefused) as exc:
            raise ConfigError(str(exc)) from None
        except RetriesExhausted as exc:
            raise not_reached(self.host, "NOOJEE_HOST", exc) from None
        except Ambiguous:  # e.g. 103 "no leads": the key and the host were accepted
            return

    def send(self, run: LedgerRun, progress: Progress | None, stop: threading.Event) -> None:
        chosen = noojee_workers(self.client, self.context)
        send_with(run, chosen, workers=self.concurrency, progress=progress, stop=stop)

    def scrub(self, text: str) -> str:
        return self.client.settings.scrub(text)

    def details(self) -> list[tuple[str, str]]:
        s = self.section
        allow = "true" if s.allow_duplicates else "false"
        return [
            ("Host", self.host),
            (
                "Noojee campaign",
                f"{s.campaign_id} (template {s.template_id}, allocation {s.allocation_id})",
            ),
            ("Mode", f"{s.mode}, allow_duplicates: {allow}"),
            ("Requests", f"{s.batch_size} leads each, {self.concurrency} at once"),
        ]

    def close(self) -> None:
        self.client.close()
