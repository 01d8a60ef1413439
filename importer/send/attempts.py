"""One unit of work of the sender, as a worker thread does it: a bulk request, a capture, or
a look-up of the rows of one lead - and what came of it, as a pure :class:`Step`.

Workers do HTTP and read replies; they never decide what happens next (the orchestrator in
:mod:`importer.send.sender` does), so every rule about a reply lives here, testable alone.
A destination hands the orchestrator its :class:`Workers`; LeadSquared's are built by
:func:`importer.send.sender.lsq_workers` from the functions below, Noojee's live in
:mod:`importer.send.noojee.attempts`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from importer.errors import Ambiguous, RequestRejected, RunRefused
from importer.model import JsonDict, OpportunityRow, ReadyRow, RowOutcome
from importer.send.activity import Activity
from importer.send.outcomes import bulk_outcome, capture_outcome, failed, match_items
from importer.send.payloads import SendSettings, bulk_item, capture_body
from importer.send.recognise import is_lead_missing, is_whole_request_refusal
from importer.send.reconcile import lookup_columns, reconcile

BeforeSend = Callable[[], None]
_Row = TypeVar("_Row", bound=ReadyRow)


class Client(Protocol):
    def bulk_add(
        self, search_by: str, items: list[JsonDict], before_send: BeforeSend | None = None
    ) -> list[JsonDict]: ...
    def capture(self, body: JsonDict, before_send: BeforeSend | None = None) -> JsonDict: ...
    def opportunities_by_unique_field(
        self, search_by: str, value: str, columns: Sequence[str] = ()
    ) -> list[JsonDict]: ...


TaskKind = Literal["bulk", "capture", "async", "reconcile"]


@dataclass(frozen=True, slots=True)
class Task:
    """A bulk request, a capture (sync or async), or a look-up of the rows of one lead
    (``first_sent`` then gives each row's first send time, on the server's clock).
    ``refused``: the rows were in a bigger request refused because of one of them (Noojee:
    a server might have saved the rows before that one)."""

    kind: TaskKind
    rows: tuple[ReadyRow, ...]
    first_sent: tuple[float | None, ...] = ()
    refused: bool = False


class AsyncSubmit(Protocol):
    def submit(self, body: JsonDict, before_send: BeforeSend | None = None) -> str: ...


@dataclass(frozen=True, slots=True)
class Queued:
    """A row handed to LeadSquared's async queue: accepted as ``request_id``, or sent
    without a clear answer (``request_id`` None, ``reason`` why) - its outcome is collected
    later (:mod:`importer.send.follow`), never by sending it again."""

    row: OpportunityRow
    request_id: str | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Step:
    """What a worker learnt: final outcomes; rows whose fate is unknown (``ambiguous``,
    with ``reason``); work to do next (``then``); rows proven absent by a look-up
    (``resend``); rows a failed look-up could not check (``unchecked``); when look-ups
    were made (``lookups``, our wall clock, for the rate limit of a resumed run); rows
    handed to the async queue (``queued``)."""

    outcomes: tuple[RowOutcome, ...] = ()
    ambiguous: tuple[ReadyRow, ...] = ()
    reason: str = ""
    then: tuple[Task, ...] = ()
    resend: tuple[ReadyRow, ...] = ()
    unchecked: tuple[ReadyRow, ...] = ()
    lookups: tuple[float, ...] = ()
    queued: tuple[Queued, ...] = ()


@dataclass(frozen=True, slots=True)
class Workers:
    """What the orchestrator needs of a destination: the shape of a new request, the
    worker functions (run on a worker thread) and how rows are looked up together."""

    batch: int  # rows per new request
    kind: TaskKind  # the kind of a new request
    write: Callable[[Task, BeforeSend], Step]  # one write; calls before_send as it goes
    check: Callable[[Task], Step]  # rows whose write had no clear answer ("reconcile")
    check_key: Callable[[ReadyRow], str]  # rows with the same key are checked together
    now: Callable[[], float]  # the server's clock: each row's first send time
    activity: Activity  # what the client is doing, for the progress display
    server: str = "LeadSquared"  # named in messages
    # Target async: takes over the rows a step queued (their outcomes come later).
    follow: Callable[[Sequence[Queued]], None] | None = None


def opportunities(rows: Sequence[ReadyRow]) -> tuple[OpportunityRow, ...]:
    """``rows`` as LeadSquared rows."""
    return rows_of(OpportunityRow, rows, "LeadSquared")


def rows_of(kind: type[_Row], rows: Sequence[ReadyRow], destination: str) -> tuple[_Row, ...]:
    """``rows`` as rows of ``kind``: a run sends to one destination only, so another kind
    here is a bug, not the data's fault."""
    found = tuple(row for row in rows if isinstance(row, kind))
    if len(found) != len(rows):
        raise TypeError(f"a {destination} worker was given a row of another destination")
    return found


def send_bulk(
    client: Client,
    settings: SendSettings,
    rows: tuple[OpportunityRow, ...],
    auto: bool,
    before_send: BeforeSend | None = None,
) -> Step:
    """One bulk request. A refusal that one item can cause is bisected to find the bad
    item; with ``auto``, rows whose lead does not exist are handed to capture."""
    try:
        reply = client.bulk_add(
            settings.search_by, [bulk_item(r, settings) for r in rows], before_send
        )
    except RequestRejected as exc:
        _stop_if_whole_request(exc)
        if len(rows) == 1:
            return Step(outcomes=(_rejected(rows[0], exc, settings),))
        half = len(rows) // 2
        return Step(then=(Task("bulk", rows[:half]), Task("bulk", rows[half:])))
    except Ambiguous as exc:
        return Step(ambiguous=rows, reason=str(exc))
    matched = match_items(len(rows), reply)
    outcomes: list[RowOutcome] = []
    then: list[Task] = []
    for index, item in sorted(matched.items.items()):
        if auto and _lead_missing(item):
            then.append(Task("capture", (rows[index],)))
        else:
            outcomes.append(bulk_outcome(rows[index], item, settings))
    unknown = tuple(rows[i] for i in sorted(matched.ambiguous))
    reason = "the reply did not account for these rows by RowNumber" if unknown else ""
    return Step(tuple(outcomes), unknown, reason, tuple(then))


def send_capture(
    client: Client,
    settings: SendSettings,
    row: OpportunityRow,
    before_send: BeforeSend | None = None,
) -> Step:
    """One Capture Opportunities request for one row."""
    try:
        reply = client.capture(capture_body(row, settings), before_send)
    except RequestRejected as exc:
        _stop_if_whole_request(exc)
        return Step(outcomes=(_rejected(row, exc, settings),))
    except Ambiguous as exc:
        return Step(ambiguous=(row,), reason=str(exc))
    return Step(outcomes=(capture_outcome(row, reply, settings),))


def submit_async(
    client: AsyncSubmit,
    settings: SendSettings,
    row: OpportunityRow,
    before_send: BeforeSend | None = None,
) -> Step:
    """One async Capture request for one row: the same body as Capture, queued."""
    try:
        request_id = client.submit(capture_body(row, settings), before_send)
    except RequestRejected as exc:
        _stop_if_whole_request(exc)
        return Step(outcomes=(_rejected(row, exc, settings),))
    except Ambiguous as exc:
        return Step(queued=(Queued(row, None, str(exc)),))
    return Step(queued=(Queued(row, request_id),))


def check_sent(client: Client, settings: SendSettings, task: Task, auto: bool = False) -> Step:
    """Look up the rows of one lead: outcomes for rows found (or that cannot be told
    apart), the rest proven absent and to be resent. A look-up LeadSquared refuses proves
    nothing - unless it says the lead itself does not exist; with ``auto`` such rows then
    go through capture, as a bulk reply saying so would have sent them."""
    rows = opportunities(task.rows)
    columns = lookup_columns(rows, settings)
    value = rows[0].search_value
    asked = time.time()
    try:
        found = client.opportunities_by_unique_field(settings.search_by, value, columns)
    except RequestRejected as exc:
        if not is_lead_missing(exc.exception_type, exc.message):
            return Step(unchecked=rows, reason=str(exc), lookups=(asked,))
        if auto:  # resent through bulk, the row would never learn that its lead is missing
            return Step(then=tuple(Task("capture", (r,)) for r in rows), lookups=(asked,))
        found = []  # no such lead, so no opportunity of it either
    result = reconcile(rows, task.first_sent, found, settings)
    return Step(outcomes=result.outcomes, resend=result.absent, lookups=(asked,))


def _lead_missing(item: JsonDict) -> bool:
    """A bulk item that failed only because the row's lead does not exist."""
    if item.get("OpportunityCreated") is True:
        return False
    return is_lead_missing(_text(item.get("ExceptionType")), _text(item.get("ExceptionMessage")))


def _stop_if_whole_request(exc: RequestRejected) -> None:
    if is_whole_request_refusal(exc.status, exc.exception_type, exc.message):
        raise RunRefused(
            f"LeadSquared refused the request itself, not one of its rows: {exc.message}. "
            "Nothing of it was applied; fix the mapping (search_by, event_code) or the "
            "settings, then run the same command again."
        )


def _rejected(row: OpportunityRow, exc: RequestRejected, settings: SendSettings) -> RowOutcome:
    return failed(row, exc.exception_type, exc.message, settings)


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
