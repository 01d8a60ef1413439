"""The async Capture API: a request is queued, processed after ``async_delay`` seconds by
the same code as the sync Capture, and its outcome polled with ``/opportunity/status``."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from importer.sandbox.endpoints_write import capture
from importer.sandbox.replies import ApiError, invalid_input
from importer.sandbox.request import Request
from importer.sandbox.state import new_id

if TYPE_CHECKING:
    from importer.sandbox.app import Sandbox


@dataclass
class Job:
    request_id: str
    body: bytes
    due: float
    status: str = "In-Queue"
    reason: str = "Request is in queue"
    message: str | None = None
    done_at: float = field(default=0.0)


class AsyncQueue:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}

    def clear(self) -> None:
        with self._lock:
            self._jobs.clear()

    def add(self, body: bytes, delay: float) -> Job:
        job = Job(new_id(), body, time.monotonic() + delay)
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
            return [j for j in self._jobs.values() if j.status in ("In-Queue", "Processing")]


def process_due(app: Sandbox) -> None:
    """Called before every request: the sandbox has no worker thread to keep it simple."""
    for job in app.jobs.due():
        _process(app, job)


def _process(app: Sandbox, job: Job) -> None:
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
    job = app.jobs.add(req.body, app.options.async_delay)
    return {"Status": "Request accepted successfully", "RequestID": job.request_id}


def capture_status(app: Sandbox, req: Request) -> Any:
    request_id = req.param("RequestId") or ""
    job = app.jobs.get(request_id)
    if job is None:
        raise invalid_input(f"No request has the RequestId '{request_id}'.")
    in_queue = job.status in ("In-Queue", "Processing")
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
    now = time.monotonic()
    oldest = max((now - (j.due - app.options.async_delay) for j in pending), default=0.0)
    return {
        "PendingMessages": len(pending),
        "MaxDelayInSeconds": round(oldest),
        "ProcessingratePerMinute": 600,
    }
