"""Where a run's rows go, as :func:`importer.run.run_import` sees it: LeadSquared (bulk,
capture, auto) or Noojee Contact (a mapping's ``destination: noojee``). The run itself -
the ledger, loading the rows, the orchestrator, the results - is the same for all; a
destination brings its settings, one check before any row is loaded, its worker functions
(:class:`~importer.send.attempts.Workers`) and what the results say about it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from importer.errors import ConfigError
from importer.ledger import LedgerRun
from importer.mapping import Mapping
from importer.model import Outcome, Target
from importer.send import sender
from importer.send.activity import Activity
from importer.send.async_api import async_api, check_async
from importer.send.async_send import send_async
from importer.send.noojee.settings import NoojeeSettings, load_noojee_settings
from importer.send.payloads import SendSettings
from importer.send.preflight import check_account
from importer.send.ratelimit import RateLimiter
from importer.send.sender import Progress
from importer.send.transport import LsqClient
from importer.settings import Settings, load_settings

if TYPE_CHECKING:
    from importer.run import RunOptions

AnySettings = Settings | NoojeeSettings


class Destination(Protocol):
    host: str  # the account: its ledger, and the results' "Host"
    goal: Outcome  # what a row that went well is (the results' headline)
    server: str  # who answers: its own words head the Problems sheet's detail column
    per_call: int  # rows a new request takes (the plan's count of calls)
    activity: Activity  # what the send stage is doing, for the progress display

    def check(self) -> None:
        """One call before any row is loaded; ConfigError (exit 2) when it fails."""

    def send(self, run: LedgerRun, progress: Progress | None, stop: threading.Event) -> None:
        """Send every unsent row of ``run``; AbortedError when the run must stop."""

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
    options: RunOptions,
) -> Destination:
    """The mapping's destination (``send``: its request settings, the pipeline's seam),
    its client open (close it)."""
    if mapping.noojee is not None:
        if not isinstance(settings, NoojeeSettings):
            raise ConfigError(
                f"{mapping.path.name} sends to Noojee Contact: load its settings with "
                "load_noojee_settings() (NOOJEE_HOST, NOOJEE_API_KEY)."
            )
        from importer.send.noojee.destination import NoojeeDestination

        return NoojeeDestination(settings, mapping.noojee, send, limiter, options.workers)
    if not isinstance(settings, Settings):
        raise ConfigError(
            f"{mapping.path.name} sends to LeadSquared: load its settings with load_settings() "
            "(LSQ_HOST, LSQ_ACCESS_KEY, LSQ_SECRET_KEY)."
        )
    return LsqDestination(settings, mapping, send, target, limiter, options)


class LsqDestination:
    """LeadSquared: its keys in headers, the opportunity type (and for target async, the
    async API) checked first."""

    goal = Outcome.CREATED
    server = "LeadSquared"

    def __init__(
        self,
        settings: Settings,
        mapping: Mapping,
        send: SendSettings,
        target: Target,
        limiter: RateLimiter,
        options: RunOptions,
    ) -> None:
        self.host = settings.host
        self.mapping, self.settings, self.target, self.options = mapping, send, target, options
        self.client = LsqClient(settings, limiter, pool_size=options.workers)
        self.activity = self.client.activity
        self.per_call = 1 if target in ("capture", "async") else sender.BULK_LIMIT

    def check(self) -> None:
        check_account(self.client, self.mapping)
        if self.target == "async":
            check_async(self.client, self.options.status_rate)

    def send(self, run: LedgerRun, progress: Progress | None, stop: threading.Event) -> None:
        options = self.options
        if self.target != "async":
            sender.send(
                run,
                self.client,
                self.settings,
                target=self.target,
                workers=options.workers,
                progress=progress,
                stop=stop,
            )
            return
        with async_api(self.client, options.status_rate) as api:
            send_async(
                run, self.client, api, self.settings, api.metrics(), workers=options.workers,
                progress=progress, stop=stop, wait=options.wait_for_queue, submit=options.submit,
            )  # fmt: skip

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
