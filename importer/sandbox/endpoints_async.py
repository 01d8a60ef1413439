"""The async Capture API: a request is queued, processed after a delay (``async_delay``,
``2s±1s`` draws each request's delay from a seeded uniform spread) by the same code as the
sync Capture, and its outcome polled with ``/opportunity/status``.

The sandbox's choices where LeadSquared documents nothing: a RequestId the sandbox does not
know — never issued, or finished more than ``async_ttl`` seconds ago — is HTTP 404 with
LeadSquared's error body; ``MaxDelayInSeconds`` is the longest queue delay among the requests
still queued, rounded up to whole seconds (0 when none is); ``ERROR`` (the fault
``async_error``) writes nothing."""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from importer.sandbox.endpoints_write import capture
from importer.sandbox.replies import INVALID_INPUT, ApiError, Rejection, invalid_input
from importer.sandbox.request import Request
from importer.sandbox.state import new_id

if TYPE_CHECKING:
    from importer.sandbox.app import Sandbox

_QUEUED = ("In-Queue", "Processing")


@dataclass
class Job:
    request_id: str
    body: bytes
    queued_at: float
    due: float
    status: str = "In-Queue"
    reason: str = "Request is in queue"
    message: str | None = None
    done_at: float = 0.0

    @property
    def delay(self) -> float:
        return self.due - self.queued_at


class AsyncQueue:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        # Held while due jobs are processed: a request arriving meanwhile waits, so it
        # never sees a due job half done (a look-up would find nothing and resend).
        self.processing = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._jobs.clear()

    def add(self, body: bytes, delay: float) -> Job:
        now = time.monotonic()
        job = Job(new_id(), body, now, now + delay)
        with self._lock:
            self._jobs[job.request_id] = job
        return job

    def get(self, request_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(request_id)

    def due(self) -> list[Job]:
        """Jobs whose time has come; each is handed out once."""
        now = time.monotonic()
        with self._lock:
            ready = [j for j in self._jobs.values() if j.status == "In-Queue" and j.due <= now]
            for job in ready:
                job.status = "Processing"
        return ready

    def pending(self) -> list[Job]:
        with self._lock:
            return [j for j in self._jobs.values() if j.status in _QUEUED]

    def forget_finished(self, ttl: float) -> None:
        """Drop jobs that finished more than ``ttl`` seconds ago."""
        cutoff = time.monotonic() - ttl
        with self._lock:
            old = [k for k, j in self._jobs.items() if j.status not in _QUEUED]
            for key in old:
                if self._jobs[key].done_at <= cutoff:
                    del self._jobs[key]


def process_due(app: Sandbox) -> None:
    """Called before every request: the sandbox has no worker thread to keep it simple.
    Every job due when a request arrives is done before that request is answered."""
    with app.jobs.processing:
        for job in app.jobs.due():
            _process(app, job)
    if app.options.async_ttl is not None:
        app.jobs.forget_finished(app.options.async_ttl)


def _process(app: Sandbox, job: Job) -> None:
    fault = app.chaos.draw_fault("job")
    if fault:
        app.stats.fault(fault)
        job.status, job.reason = "ERROR", "Request failed after internal retries: system error."
        job.done_at = time.monotonic()
        return
    try:
        reply = capture(app, Request("POST", "/opportunity/capture", body=job.body))
    except ApiError as exc:  # MX errors are never retried by LeadSquared: FAILURE
        job.status, job.reason = "FAILURE", exc.rejection.message
    except Exception as exc:  # the sandbox's own failure: ERROR, like a system error
        job.status, job.reason = "ERROR", f"{type(exc).__name__}: {exc}"
    else:
        if reply["Status"] == 1:
            job.status, job.reason = "FAILURE", str(reply["ExceptionMessage"])
        else:
            job.status, job.reason = "Success", "Request was successfully completed"
            job.message = json.dumps(reply, separators=(",", ":"))
    job.done_at = time.monotonic()


def async_capture(app: Sandbox, req: Request) -> Any:
    if not isinstance(req.json(), dict):
        raise invalid_input("The body must be a JSON object with LeadDetails and Opportunity.")
    job = app.jobs.add(req.body, app.chaos.queue_delay())
    return {"Status": "Request accepted successfully", "RequestID": job.request_id}


def capture_status(app: Sandbox, req: Request) -> Any:
    request_id = req.param("RequestId") or ""
    job = app.jobs.get(request_id)
    if job is None:
        message = f"No request has the RequestId '{request_id}' (unknown or expired)."
        raise ApiError(Rejection(INVALID_INPUT, message), 404)
    in_queue = job.status in _QUEUED
    return {
        "RequestId": job.request_id,
        "TaskStatus": {
            "TaskType": "Opportunity Capture",
            "Status": "In-Queue" if in_queue else job.status,
            "StatusReason": job.reason,
            "TaskCurrentStep": "In-Process-Queue" if in_queue else None,
            "TaskLastStep": "In-Queue" if in_queue else "In-Process-Queue",
            "RequestBody": job.body.decode("utf-8", "replace"),
            "Message": job.message,
        },
    }


def capture_metrics(app: Sandbox, req: Request) -> Any:
    pending = app.jobs.pending()
    return {
        "PendingMessages": len(pending),
        "MaxDelayInSeconds": math.ceil(max((j.delay for j in pending), default=0.0)),
        "ProcessingratePerMinute": 600,
    }
