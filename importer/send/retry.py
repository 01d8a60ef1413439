"""How long to wait before another try of one request, and what a failed send tells.

:mod:`importer.send.classify` decides *whether* a reply is worth another try; this module
holds the budget and pacing of retries, the test for "nothing can have reached the
server", and the words for a send that got no HTTP answer.

Waits use exponential backoff with *full jitter* (a random wait between 0 and the
exponential ceiling): when many workers fail together they come back spread out instead
of in one wave that fails again.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from urllib3.exceptions import ConnectTimeoutError


@dataclass(frozen=True)
class RetryPolicy:
    """Budget and pacing of retries for one request.

    ``attempts`` counts every try of a transient failure, the first one included.
    ``max_throttles`` bounds the rate-limit replies one request may get: they do not use
    up ``attempts`` (the limiter already waited a full window) but must not loop forever.
    """

    attempts: int = 6
    base: float = 0.5  # seconds; the ceiling doubles with every failed try
    cap: float = 30.0  # no single wait is longer than this
    max_throttles: int = 20

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base < 0 or self.cap < 0 or self.max_throttles < 0:
            raise ValueError(f"nonsensical retry policy: {self}")

    def backoff(self, failures: int, fraction: float) -> float:
        """Seconds to wait after the ``failures``-th failed try (1-based).

        ``fraction`` is a uniform random number in [0, 1): passing it in keeps this pure
        and lets tests choose it.
        """
        ceiling = min(self.cap, self.base * 2.0 ** (failures - 1))
        return fraction * ceiling


def nothing_sent(exc: requests.RequestException) -> bool:
    """True when the connection never opened, so the server cannot have seen the call.

    requests wraps urllib3's errors (``ConnectionError(MaxRetryError(reason=...))``), so
    look through arguments, reasons and chained exceptions, a few levels deep.
    """
    todo: list[BaseException] = [exc]
    for _ in range(12):
        if not todo:
            break
        item = todo.pop()
        if isinstance(item, requests.ConnectTimeout | ConnectTimeoutError):
            return True  # urllib3's NewConnectionError is a ConnectTimeoutError too
        linked = (getattr(item, "reason", None), item.__cause__, item.__context__, *item.args)
        todo.extend(x for x in linked if isinstance(x, BaseException))
    return False


def describe(exc: requests.RequestException) -> str:
    """A failed send in words, without the URL or anything else from the request."""
    if isinstance(exc, requests.ReadTimeout):
        return "no answer within the read timeout"
    if nothing_sent(exc):
        return "could not connect to the host"
    return f"the connection broke ({type(exc).__name__})"
