"""Which failures of one request are worth another try, and how long to wait first.

:mod:`importer.client` draws the whole tree; this module holds its pieces: the per-request
exceptions the sender handles, the verdict for a try that should be repeated, the test
for "nothing can have reached the server", and the backoff policy.

Waits use exponential backoff with *full jitter* (a random wait between 0 and the
exponential ceiling): when many workers fail together they come back spread out instead
of in one wave that fails again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError

# LeadSquared names validation errors MX…Exception; types that speak of the system are
# the server's own failure and worth retrying. [guess] — no list is published; the
# sandbox's injected 500 says MXUnhandledException.
_SYSTEM_ERROR = re.compile(
    r"internal|system|unknown|unhandled|unexpected|timeout|database|sql|unavailable|server",
    re.I,
)


class ClientError(Exception):
    """One request's outcome that the sender must handle; the run continues."""


class RequestRejected(ClientError):
    """LeadSquared refused this request's data; sending it again would fail again."""

    def __init__(self, status: int, exception_type: str | None, message: str) -> None:
        self.status = status
        self.exception_type = exception_type
        self.message = message
        kind = f", {exception_type}" if exception_type else ""
        super().__init__(f"LeadSquared refused the request (HTTP {status}{kind}): {message}")


class Ambiguous(ClientError):
    """A write was sent but its fate is unknown; reconcile before sending it again."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"No clear answer from LeadSquared ({reason}); it may have been applied")


@dataclass(frozen=True)
class TryAgain:
    """Why one try failed in a way worth repeating; ``throttle`` for a rate-limit reply."""

    reason: str
    throttle: bool = False


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


def is_validation_error(exception_type: str | None) -> bool:
    """An ``MX…`` exception about the data, not about LeadSquared's own health."""
    return bool(
        exception_type
        and exception_type.startswith("MX")
        and not _SYSTEM_ERROR.search(exception_type)
    )


def exception_of(body: Any, text: str) -> tuple[str | None, str]:
    """LeadSquared's ``ExceptionType`` and ``ExceptionMessage``, or the raw text."""
    if isinstance(body, dict):
        kind = body.get("ExceptionType")
        message = body.get("ExceptionMessage") or body.get("Message") or text
        return (str(kind) if kind else None), str(message)
    return None, text.strip()[:300] or "no details were given"


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
