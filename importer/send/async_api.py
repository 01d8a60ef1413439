"""LeadSquared's async Capture API: its own host (``LSQ_ASYNC_HOST``, by default the twin
of ``LSQ_HOST``'s region, see :func:`importer.settings.async_host`) and the ``x-api-key``
header (``LSQ_API_KEY``) beside the usual keys::

    submit   POST {async-host}/opportunity/capture            the request's RequestID
    status   GET  {async-host}/opportunity/status?RequestId=  a TaskStatus; None if unknown
    metrics  GET  {async-host}/opportunity/capture/metrics    the queue's length and delay

Every call goes through an :class:`LsqClient` - its rate limiter, retries and reply
classification: submits through the client that paces every other call, polls and
metrics through the same one unless the account counts Status API calls apart
(``--status-rate``, :func:`async_api`). The key travels only in the headers of these
calls, and every message passes through :meth:`Settings.scrub` like the others.

A 404 to a status poll is taken to mean the server no longer knows the request [guess:
LeadSquared documents no such answer; the sandbox gives it for an unknown or expired
RequestId]. The host itself was checked by a metrics call (:func:`check_async`) before
any row was sent, so a 404 cannot be a wrong host there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from importer.errors import (
    Ambiguous,
    AuthError,
    ConfigError,
    RequestRejected,
    RetriesExhausted,
    RunRefused,
)
from importer.model import JsonDict
from importer.send.attempts import BeforeSend
from importer.send.preflight import not_reached
from importer.send.ratelimit import RateLimiter
from importer.send.transport import LsqClient
from importer.settings import Rate, async_host

CAPTURE = "/opportunity/capture"
STATUS = "/opportunity/status"
METRICS = "/opportunity/capture/metrics"
TaskState = Literal["queued", "success", "failure", "error"]


@dataclass(frozen=True, slots=True)
class TaskStatus:
    """One status poll's answer: ``status`` as LeadSquared said it (In-Queue, Success,
    FAILURE, ERROR), its ``reason``, and on success the synchronous Capture reply
    (``reply``; None when ``Message`` was missing or not JSON)."""

    status: str
    reason: str
    reply: JsonDict | None

    @property
    def state(self) -> TaskState:
        """Where the request is; anything not finished (In-Queue, a step LeadSquared may
        add, an unreadable answer) is still queued."""
        said = self.status.strip().casefold()
        if said in ("success", "failure", "error"):
            return said  # type: ignore[return-value]
        return "queued"


@dataclass(frozen=True, slots=True)
class QueueMetrics:
    """The queue as the metrics call tells it."""

    pending: int  # PendingMessages
    max_delay: float  # MaxDelayInSeconds: how long a request waits before it is processed
    per_minute: float | None = None  # ProcessingratePerMinute


class AsyncApi:
    """The three async endpoints. Thread-safe, like the clients it uses."""

    def __init__(self, writes: LsqClient, polls: LsqClient, host: str, api_key: str) -> None:
        self.writes, self.polls, self.host = writes, polls, host
        self._headers = {"x-api-key": api_key}

    def __repr__(self) -> str:
        return f"AsyncApi(host={self.host!r})"

    def submit(self, body: JsonDict, before_send: BeforeSend | None = None) -> str:
        """Queue one Capture request; its RequestID."""
        with self._auth():
            reply = self.writes.request(
                "POST", CAPTURE, body=body, write=True, before_send=before_send,
                host=self.host, headers=self._headers,
            )  # fmt: skip
        found = reply.body if isinstance(reply.body, dict) else {}
        request_id = found.get("RequestID") or found.get("RequestId")
        if not request_id:
            raise Ambiguous("the async capture reply had no RequestID")
        return str(request_id)

    def status(self, request_id: str) -> TaskStatus | None:
        """Where the request is now; None when the server does not know it (404)."""
        with self._auth():
            reply = self.polls.request(
                "GET", STATUS, params={"RequestId": request_id}, host=self.host,
                headers=self._headers, accept=(404,),
            )  # fmt: skip
        if reply.status == 404:
            return None
        return task_status(reply.body)

    def metrics(self) -> QueueMetrics:
        with self._auth():
            reply = self.polls.request("GET", METRICS, host=self.host, headers=self._headers)
        body = reply.body if isinstance(reply.body, dict) else {}
        rate = _number(body.get("ProcessingratePerMinute"))
        return QueueMetrics(
            int(_number(body.get("PendingMessages")) or 0),
            _number(body.get("MaxDelayInSeconds")) or 0.0,
            rate,
        )

    def server_now(self) -> float:
        return self.writes.server_now()

    @contextmanager
    def _auth(self) -> Iterator[None]:
        try:
            yield
        except AuthError:
            raise AuthError(
                "LeadSquared's async API refused the keys (HTTP 401). Check LSQ_API_KEY (the "
                "async API's key) as well as LSQ_ACCESS_KEY and LSQ_SECRET_KEY, and that "
                f"LSQ_ASYNC_HOST ({self.host}) is your account's region."
            ) from None


def task_status(body: Any) -> TaskStatus:
    """A status reply's ``TaskStatus``; ``Message`` is the sync reply as a JSON *string*."""
    task = body.get("TaskStatus") if isinstance(body, dict) else None
    if not isinstance(task, dict):
        return TaskStatus("", "the status reply had no TaskStatus", None)
    message = task.get("Message")
    if isinstance(message, str):
        try:
            message = json.loads(message)
        except ValueError:
            message = None
    reply = message if isinstance(message, dict) else None
    return TaskStatus(str(task.get("Status") or ""), str(task.get("StatusReason") or ""), reply)


@contextmanager
def async_api(client: LsqClient, status_rate: Rate | None = None) -> Iterator[AsyncApi]:
    """The async API over ``client``; with ``status_rate``, polls and metrics get a
    client of their own paced at that rate (for an account whose Status API calls do not
    count towards its limit)."""
    settings = client.settings
    if not settings.api_key:
        raise ConfigError(
            "LSQ_API_KEY not set: target async needs the key of LeadSquared's async API; put "
            "it in the environment or the config file."
        )
    host = async_host(settings)
    if status_rate is None:
        yield AsyncApi(client, client, host, settings.api_key)
        return
    with LsqClient(settings, RateLimiter(status_rate), retry=client.retry) as polls:
        yield AsyncApi(client, polls, host, settings.api_key)


def check_async(client: LsqClient, status_rate: Rate | None = None) -> QueueMetrics:
    """One metrics call before any row is loaded: are LSQ_API_KEY and LSQ_ASYNC_HOST set
    and right? A "no" means nothing was done: a ConfigError (exit 2) saying what to fix."""
    with async_api(client, status_rate) as api:
        try:
            return api.metrics()
        except AuthError as exc:
            raise ConfigError(str(exc)) from None
        except RetriesExhausted as exc:
            raise not_reached(api.host, "LSQ_ASYNC_HOST", exc) from None
        except (RunRefused, RequestRejected) as exc:
            raise ConfigError(
                f"{api.host} did not answer as LeadSquared's async API ({exc}); check "
                "LSQ_ASYNC_HOST (scheme and host only, e.g. "
                "https://asyncapi-in21.leadsquared.com)."
            ) from None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
