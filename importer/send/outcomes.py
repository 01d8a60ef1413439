"""LeadSquared replies -> one :class:`RowOutcome` per row, with messages an admin can act on.

Bulk replies are tied to rows by ``RowNumber`` only (promise 1): :func:`match_items` refuses to
guess when a reply's row numbers are missing, repeated or out of range - those rows become
*ambiguous* and the sender reconciles them against the server.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from importer.model import JsonDict, OpportunityRow, Outcome, Problem, RowOutcome
from importer.send.payloads import SendSettings
from importer.send.recognise import is_lead_missing

DUPLICATE = "MXDuplicateEntryException"

# The stable problem codes of rows LeadSquared did not take (documented in the README).
LEAD_NOT_FOUND = "lead_not_found"  # no lead has the row's SearchBy value
REJECTED_VALUE = "rejected_value"  # LeadSquared refused a value it named
REJECTED = "rejected"  # refused, for a reason that names no field
NO_REASON = "no_reason_given"  # not created, and LeadSquared said nothing about why
SERVER_ERROR = "server_error"  # LeadSquared kept failing for this row
DUPLICATE_CODE = "duplicate"  # the account's duplicate rule: the opportunity exists
NEEDS_REVIEW = "needs_review"  # saved in part; a person must look
PARTIAL = "partial"  # saved; LeadSquared's follow-up activity failed

# Field names inside LeadSquared messages: "Field name : 'mx_Custom_19' ...",
# "Attribute(s) does not exist - X,Y", or a bare schema name like mx_Custom_2 / Status.
_QUOTED = re.compile(r"'([A-Za-z_][A-Za-z0-9_]*)'")
_ATTRS = re.compile(r"does not exist\s*-\s*([A-Za-z0-9_, ]+)")
_SCHEMA = re.compile(r"\b(mx_[A-Za-z0-9_]+)\b")
_REQUEST_ROW = re.compile(r"^Row \d+:\s*")


@dataclass(frozen=True, slots=True)
class Matched:
    """A bulk reply split by request position (0-based): items found, and positions without
    a trustworthy item."""

    items: dict[int, JsonDict]
    ambiguous: frozenset[int]


def match_items(count: int, response: Sequence[Any]) -> Matched:
    """Tie each reply item to its request position by ``RowNumber`` (1-based), never by order.

    A position with no item or with two items is ambiguous. An item whose RowNumber fits no
    position means the reply cannot be trusted at all, so every position is ambiguous.
    """
    numbers = [_row_number(item) for item in response]
    if any(n is None or not 1 <= n <= count for n in numbers):
        return Matched({}, frozenset(range(count)))
    seen = Counter(numbers)
    items = {
        n - 1: item
        for n, item in zip(numbers, response, strict=True)
        if n is not None and seen[n] == 1
    }
    return Matched(items, frozenset(set(range(count)) - items.keys()))


def _row_number(item: Any) -> int | None:
    if not isinstance(item, dict):
        return None
    value = item.get("RowNumber")
    # bool is an int in Python; a True RowNumber is a malformed reply, not row 1.
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def bulk_outcome(row: OpportunityRow, item: JsonDict, settings: SendSettings) -> RowOutcome:
    """The outcome of one matched bulk reply item."""
    opportunity_id = _text(item.get("ProspectOpportunityId"))
    if item.get("OpportunityCreated") is True and opportunity_id:
        return _created(row, opportunity_id, _text(item.get("RelatedProspectId")))
    exception_type = _text(item.get("ExceptionType"))
    if exception_type == DUPLICATE or item.get("ConflictedOpportunityId"):
        return _duplicate(row, _text(item.get("ConflictedOpportunityId")))
    said = _text(item.get("ExceptionMessage"))
    if exception_type is None and said is None:
        # Not created and no reason given: the shape is a guess, so keep the raw item.
        raw = json.dumps(item, ensure_ascii=False)
        return failed(row, None, f"LeadSquared did not create it and said: {raw}", settings)
    return failed(row, exception_type, said or "", settings)


def capture_outcome(row: OpportunityRow, reply: JsonDict, settings: SendSettings) -> RowOutcome:
    """The outcome of one Capture Opportunities reply (Status 0 / 1 / 2)."""
    status = reply.get("Status")
    lead_id = _text(reply.get("RelatedProspectId"))
    if status == 1 or (status not in (0, 2) and reply.get("ExceptionType")):
        said = _text(reply.get("ExceptionMessage")) or "Capture answered Status 1 (failure)"
        return failed(row, _text(reply.get("ExceptionType")), said, settings)
    if _is_duplicate_capture(reply):
        return _duplicate(row, _text(reply.get("ConflictedOpportunityId")), lead_id)
    created_id = _text(reply.get("CreatedOpportunityId"))
    if status == 0 and lead_id is None:
        return _needs_review(row, created_id, settings)
    if status == 2:
        said = _text(reply.get("ExceptionMessage")) or "the follow-up activity failed"
        message = (
            f"Row {row.row}: the opportunity was saved but LeadSquared's second step failed "
            f"({said}). Check the lead's activity history in LeadSquared."
        )
        problem = _problem(row, PARTIAL, message, said)
        return RowOutcome(
            row.sheet, row.row, Outcome.PARTIAL, created_id, lead_id, message, (problem,)
        )
    if status == 0 and created_id:
        return _created(row, created_id, lead_id)
    raw = json.dumps(reply, ensure_ascii=False)
    return failed(row, None, f"unexpected reply from LeadSquared: {raw}", settings)


def _is_duplicate_capture(reply: JsonDict) -> bool:
    if reply.get("ConflictedOpportunityId"):
        return True
    details = reply.get("AdditionalDetails") or []
    return any(isinstance(d, dict) and d.get("PostDeDupActionPerformed") == 3 for d in details)


def _created(row: OpportunityRow, opportunity_id: str, lead_id: str | None) -> RowOutcome:
    return RowOutcome(row.sheet, row.row, Outcome.CREATED, opportunity_id, lead_id)


def _duplicate(
    row: OpportunityRow, existing_id: str | None, lead_id: str | None = None
) -> RowOutcome:
    message = (
        f"Row {row.row}: this lead already has the same opportunity"
        + (f" ({existing_id})" if existing_id else "")
        + "; nothing new was created."
    )
    problem = _problem(row, DUPLICATE_CODE, message, "")
    return RowOutcome(
        row.sheet, row.row, Outcome.DUPLICATE, existing_id, lead_id, message, (problem,)
    )


def _needs_review(
    row: OpportunityRow, opportunity_id: str | None, settings: SendSettings
) -> RowOutcome:
    """Status 0 with no lead id (seed 000): an invalid field value stopped the link."""
    names = [settings.column_of(name) or name for name, _ in row.fields]
    message = (
        f"Row {row.row}: the lead was created but the opportunity was not linked to it - "
        f"check the values of {', '.join(names) or 'the opportunity columns'} "
        "against the options set up in LeadSquared, then fix the opportunity there."
    )
    problem = _problem(row, NEEDS_REVIEW, message, "Capture: Status 0, RelatedProspectId null")
    return RowOutcome(
        row.sheet, row.row, Outcome.NEEDS_REVIEW, opportunity_id, None, message, (problem,)
    )


def failed(
    row: OpportunityRow, exception_type: str | None, server_message: str, settings: SendSettings
) -> RowOutcome:
    """A refused row: the message names the row and, when the server named a field, its
    column, and says what to do; the problem's code is one of the stable codes above and
    LeadSquared's own words are its ``detail``."""
    known = [name for name, _ in (*row.fields, *row.lead, *settings.columns)]
    # A "Row N:" from the server counts positions in one request, not spreadsheet rows.
    said = _REQUEST_ROW.sub("", server_message.strip())
    detail = f"{exception_type}: {said}" if exception_type else said
    if is_lead_missing(exception_type, said):
        message = (
            f"Row {row.row}: no lead in LeadSquared has {settings.search_by} "
            f"'{row.search_value}'. Create the lead first, or import with target 'capture' "
            "or 'auto', which create missing leads."
        )
        problem = Problem(row.sheet, row.row, settings.column_of(settings.search_by),
                          settings.search_by, LEAD_NOT_FOUND, message, detail)  # fmt: skip
        return RowOutcome(row.sheet, row.row, Outcome.FAILED, message=message, problems=(problem,))
    field = field_named_in(said, known)
    column = settings.column_of(field) if field else None
    code = REJECTED_VALUE if field else (REJECTED if exception_type else NO_REASON)
    message = f"Row {row.row}: LeadSquared refused this opportunity: {said} "
    message += _advice(field, column)
    problem = Problem(row.sheet, row.row, column, field, code, message, detail)
    return RowOutcome(row.sheet, row.row, Outcome.FAILED, message=message, problems=(problem,))


def _advice(field: str | None, column: str | None) -> str:
    if column:
        return f"Fix column '{column}' ({field}) in this row and import it again."
    if field:
        return f"Fix the value sent as {field} in this row and import it again."
    return "Fix the row and import it again."


def _problem(row: OpportunityRow, code: str, message: str, detail: str) -> Problem:
    return Problem(row.sheet, row.row, None, None, code, message, detail)


def field_named_in(message: str, known: Iterable[str] = ()) -> str | None:
    """The schema name a LeadSquared message is about: a quoted or listed name that is one
    of ``known`` first (a quoted *value* like 'Astrology' must not win), else any mx_ name,
    else the first quoted or listed word."""
    wanted = {name.casefold(): name for name in known}
    candidates = [m.group(1) for m in _QUOTED.finditer(message)]
    for listed in _ATTRS.finditer(message):
        candidates = [n.strip() for n in listed.group(1).split(",")] + candidates
    for name in candidates:
        if name.casefold() in wanted:
            return name
    schema = _SCHEMA.search(message)
    if schema:
        return schema.group(1)
    return candidates[0] if candidates else None


def _text(value: Any) -> str | None:
    """A reply value as text; None, "" and JSON null all mean absent."""
    if value is None or value == "":
        return None
    return str(value)
