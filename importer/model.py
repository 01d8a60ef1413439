"""Plain data passed between the stages of the pipeline.

reader -> mapping -> validation -> batching -> client -> journal -> report

Every object here is a frozen dataclass so a stage can never change what an earlier
stage produced. Row numbers are always the number the user sees in the spreadsheet
(the header is row 1, the first data row is row 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """The one outcome every source row ends with (promise 1)."""

    VALID = "valid"  # dry run only: would be sent
    INVALID = "invalid"  # the data's fault, found before sending; never sent
    CREATED = "created"  # opportunity created
    DUPLICATE = "duplicate"  # the account's duplicate rule fired; nothing new created
    PARTIAL = "partial"  # Capture Status 2: primary action done, secondary failed
    NEEDS_REVIEW = "needs_review"  # Capture Status 0 with RelatedProspectId null (seed 000)
    FAILED = "failed"  # LeadSquared refused the row, or the system failed for it
    PENDING = "pending"  # not sent yet (run stopped before reaching it)


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a row cannot be imported, found by validation or told by the server.

    ``code`` is stable (tests and users filter on it); ``message`` says what to change.
    """

    sheet: str
    row: int
    column: str | None  # the spreadsheet column the user must fix
    field: str | None  # the LeadSquared schema name it maps to
    code: str
    message: str
    detail: str = ""  # LeadSquared's own exception text, when the server refused the row


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """What happened to one source row, after the dry run or the import."""

    sheet: str
    row: int
    outcome: Outcome
    opportunity_id: str | None = None
    lead_id: str | None = None
    message: str = ""
    problems: tuple[Problem, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class OpportunityRow:
    """A valid, mapped row ready to be turned into a request body.

    Values are already normalised (trimmed, value-mapped, dates in UTC
    ``yyyy-mm-dd hh:mm:ss``); empty values are left out.
    """

    sheet: str
    row: int
    search_value: str  # value of the mapping's SearchBy lead field
    lead: tuple[tuple[str, str], ...]  # LeadDetails attribute/value pairs
    fields: tuple[tuple[str, str], ...]  # opportunity Fields SchemaName/value pairs
    note: str | None = None  # OpportunityNote
    when: str | None = None  # OpportunityDateTime
    owner_email: str | None = None  # OpportunityOwnerEmail
