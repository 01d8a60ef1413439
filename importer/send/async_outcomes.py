"""A finished async request -> the row's one outcome, in words an admin can act on.

``Success`` carries the synchronous Capture reply, so it is judged exactly as a Capture
reply is (:func:`importer.send.outcomes.capture_outcome`: created, duplicate, partial,
needs_review, failed). ``FAILURE`` is LeadSquared refusing the row (its validation errors
are never retried by the queue); ``ERROR`` is LeadSquared giving up on a system error
after its own retries - the row's data may be fine.
"""

from __future__ import annotations

import re

from importer.model import OpportunityRow, Outcome, Problem, RowOutcome
from importer.send.async_api import TaskStatus
from importer.send.outcomes import SERVER_ERROR, capture_outcome, failed
from importer.send.payloads import SendSettings

# "MXInvalidInputException: Invalid value ..." -> the type and LeadSquared's words. [guess]
_TYPED = re.compile(r"^\s*(MX[A-Za-z]+Exception)\s*[:-]\s*(.*)$", re.S)


def finished_outcome(
    row: OpportunityRow, task: TaskStatus, settings: SendSettings
) -> RowOutcome | None:
    """The outcome of a finished request (``task.state`` not ``queued``); None when it
    succeeded but its reply cannot be read, so only a look-up can tell what was saved."""
    if task.state == "success":
        return None if task.reply is None else capture_outcome(row, task.reply, settings)
    if task.state == "failure":
        typed = _TYPED.match(task.reason)
        kind, said = (typed.group(1), typed.group(2)) if typed else (None, task.reason)
        return failed(row, kind, said or "the async request failed (no reason given)", settings)
    return system_error(row, task.reason)


def system_error(row: OpportunityRow, reason: str) -> RowOutcome:
    """``ERROR``: LeadSquared's queue gave up after retrying a failure of its own."""
    said = reason.strip() or "no reason given"
    message = (
        f"Row {row.row}: LeadSquared's queue gave up on this row after its own retries "
        f"(a system error on LeadSquared's side: {said}). The row itself may be fine: "
        "import it again later (it is in the fix file)."
    )
    problem = Problem(row.sheet, row.row, None, None, SERVER_ERROR, message, f"ERROR: {said}")
    return RowOutcome(row.sheet, row.row, Outcome.FAILED, message=message, problems=(problem,))


def given_up(row: OpportunityRow, times: int) -> RowOutcome:
    """A row sent ``times`` times without a clear answer, each time looked up and absent."""
    message = (
        f"Row {row.row}: sent {times} times without a clear answer from LeadSquared's async "
        "API (it was looked up each time and not found). Send it again later from the fix "
        "file: running the same command again does not resend it."
    )
    problem = Problem(row.sheet, row.row, None, None, SERVER_ERROR, message)
    return RowOutcome(row.sheet, row.row, Outcome.FAILED, message=message, problems=(problem,))
