"""One call, paced by the rate limiter and tried again while its answer says to: the loop
every client's requests go through (LeadSquared's :class:`~importer.send.transport.LsqClient`,
Noojee's :class:`~importer.send.noojee.client.NoojeeClient`).

Each try first waits for the limiter. ``before_send`` runs once, after the limiter let the
first try go and right before it goes (the sender claims its rows there). A try answers
a value (done), or a :class:`TryAgain`: a rate-limit answer pauses every caller through
the limiter (bounded by ``max_throttles``), any other waits with backoff (bounded by
``attempts``); past a bound, ``exhausted`` builds the error raised.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import TypeVar

from importer.errors import RetriesExhausted
from importer.send.classify import TryAgain
from importer.send.ratelimit import RateLimiter
from importer.send.retry import RetryPolicy

log = logging.getLogger(__name__)

T = TypeVar("T")


def paced(
    attempt: Callable[[], T | TryAgain],
    *,
    limiter: RateLimiter,
    retry: RetryPolicy,
    exhausted: Callable[[TryAgain, int], RetriesExhausted],
    sleep: Callable[[float], None],
    rng: random.Random,
    before_send: Callable[[], None] | None = None,
) -> T:
    """``attempt()``'s first answer that is not a TryAgain."""
    failures = throttles = 0
    while True:
        limiter.acquire()
        if before_send is not None:
            before_send()
            before_send = None
        outcome = attempt()
        if not isinstance(outcome, TryAgain):
            return outcome
        if outcome.throttle:
            log.info("the rate limit was hit (%s); pausing all requests", outcome.reason)
            throttles += 1
            if throttles > retry.max_throttles:
                raise exhausted(outcome, throttles)
            limiter.throttled()
            continue
        failures += 1
        if failures >= retry.attempts:
            raise exhausted(outcome, failures)
        with limiter.activity.doing("retrying"):  # the progress display says so
            sleep(retry.backoff(failures, rng.random()))
