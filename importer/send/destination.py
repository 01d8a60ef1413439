"""Where a run's rows go, as :func:`importer.run.run_import` sees it: LeadSquared (bulk,
capture, auto) or Noojee Contact (a mapping's ``destination: noojee``). The run itself -
the ledger, loading the rows, the orchestrator, the results - is the same for all; a
destination brings its settings, one check before any row is loaded, its worker functions
(:class:`~importer.send.attempts.Workers`) and what the results say about it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from importer.errors import ConfigError
from importer.mapping import Mapping
from importer.model import Outcome, Target
from importer.send.attempts import Workers
from importer.send.noojee.settings import NoojeeSettings, load_noojee_settings
from importer.send.payloads import SendSettings
from importer.send.preflight import check_account
from importer.send.ratelimit import RateLimiter
from importer.send.sender import lsq_workers
from importer.send.transport import LsqClient
from importer.settings import Settings, load_settings

AnySettings = Settings | NoojeeSettings


class Destination(Protocol):
    host: str  # the account: its ledger, and the results' "Host"
    concurrency: int  # requests in flight at most
    goal: Outcome  # what a row that went well is (the results' headline)

    def check(self) -> None:
        """One call before any row is loaded; ConfigError (exit 2) when it fails."""

    def workers(self) -> Workers: ...

    def scrub(self, text: str) -> str:
        """``text`` without any of the destination's secrets."""

    def details(self) -> list[tuple[str, str]]:
        """Lines of the results' Summary about the destination."""

    def close(self) -> None: ...


def load_destination_settings(mapping: Mapping, config: Path | None) -> AnySettings:
    """The connection settings the mapping's destination needs (environment or ``config``)."""
    return load_noojee_settings(config) if mapping.noojee else load_settings(config)


def ledger_prefix(mapping: Mapping) -> str:
    """The ledger file's name prefix: a Noojee server keeps a ledger of its own."""
    return "noojee-" if mapping.noojee else ""


def connect(
    settings: AnySettings,
    mapping: Mapping,
    send: SendSettings,
    target: Target,
    limiter: RateLimiter,
    workers: int,
) -> Destination:
    """The mapping's destination, its client open (close it)."""
    if mapping.noojee is not None:
        if not isinstance(settings, NoojeeSettings):
            raise ConfigError(
                f"{mapping.path.name} sends to Noojee Contact: load its settings with "
                "load_noojee_settings() (NOOJEE_HOST, NOOJEE_API_KEY)."
            )
        from importer.send.noojee.destination import NoojeeDestination

        return NoojeeDestination(settings, mapping.noojee, send, limiter, workers)
    if not isinstance(settings, Settings):
        raise ConfigError(
            f"{mapping.path.name} sends to LeadSquared: load its settings with load_settings() "
            "(LSQ_HOST, LSQ_ACCESS_KEY, LSQ_SECRET_KEY)."
        )
    return LsqDestination(settings, mapping, send, target, limiter, workers)


class LsqDestination:
    """LeadSquared: its keys in headers, the opportunity type checked first."""

    goal = Outcome.CREATED

    def __init__(
        self,
        settings: Settings,
        mapping: Mapping,
        send: SendSettings,
        target: Target,
        limiter: RateLimiter,
        workers: int,
    ) -> None:
        self.host = settings.host
        self.concurrency = workers
        self.mapping, self.send, self.target = mapping, send, target
        self.client = LsqClient(settings, limiter, pool_size=workers)

    def check(self) -> None:
        check_account(self.client, self.mapping)

    def workers(self) -> Workers:
        return lsq_workers(self.client, self.send, self.target)

    def scrub(self, text: str) -> str:
        return self.client.settings.scrub(text)

    def details(self) -> list[tuple[str, str]]:
        return [
            ("Host", self.host),
            ("Event code", str(self.mapping.event_code)),
            ("Target", self.target),
        ]

    def close(self) -> None:
        self.client.close()
