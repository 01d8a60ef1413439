"""Plain data passed between the stages of the pipeline.

reader -> mapping -> validation -> pipeline -> send (ledger) -> report

Every object here is a frozen dataclass (or an enum) so a stage can never change what an
earlier stage produced. Row numbers are always the number the user sees in the spreadsheet
(the header is row 1, the first data row is row 2).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Literal

JsonDict = dict[str, Any]

#: The endpoint family valid rows are sent through (see the README): LeadSquared's,
#: chosen with ``--target``, or Noojee Contact's, chosen by a mapping's ``destination: noojee``.
Target = Literal["bulk", "capture", "auto", "async", "noojee"]
TARGETS: tuple[Target, ...] = ("bulk", "capture", "auto", "async")


class Outcome(StrEnum):
    """Every state a source row can be in: on its way (pending, in_flight, ambiguous) or
    finished with its one outcome (promise 1). The ledger stores these values, progress
    and the report group by them, counts are keyed by them."""

    VALID = "valid"  # dry run only: would be sent
    INVALID = "invalid"  # the data's fault, found before sending; never sent
    CREATED = "created"  # opportunity created
    DUPLICATE = "duplicate"  # the account's duplicate rule fired; nothing new created
    PARTIAL = "partial"  # Capture Status 2: primary action done, secondary failed
    NEEDS_REVIEW = "needs_review"  # Capture Status 0 with RelatedProspectId null (seed 000)
    FAILED = "failed"  # LeadSquared refused the row, or the system failed for it
    PENDING = "pending"  # not sent yet (run stopped before reaching it)
    IN_FLIGHT = "in_flight"  # committed as being sent; its answer not recorded yet
    AMBIGUOUS = "ambiguous"  # sent, answer unclear: looked up before anything is resent
    ALREADY_IMPORTED = "already_imported"  # an earlier run created it; nothing was sent
    QUEUED = "queued"  # accepted by an asynchronous queue; its outcome is collected later
    UPDATED = "updated"  # an existing record was updated (Noojee update mode)
    UNDONE = "undone"  # created, then taken back by `lsq-import undo`

    @property
    def finished(self) -> bool:
        """A row in this state is never sent again."""
        return self not in _UNFINISHED

    @property
    def succeeded(self) -> bool:
        """The row's opportunity exists in LeadSquared as the row asked."""
        return self in _SUCCEEDED

    @property
    def to_fix(self) -> bool:
        """A person must correct the row before it can be imported (the fix file's rows)."""
        return self in _TO_FIX


_UNFINISHED = frozenset({Outcome.PENDING, Outcome.IN_FLIGHT, Outcome.AMBIGUOUS, Outcome.QUEUED})
_SUCCEEDED = frozenset(
    {
        Outcome.CREATED,
        Outcome.DUPLICATE,
        Outcome.PARTIAL,
        Outcome.ALREADY_IMPORTED,
        Outcome.UPDATED,
    }
)
# Exactly the rows a person must correct. Pending rows are left out (some may have reached
# LeadSquared already: only re-running the same command, which checks them first, sends
# them safely), and so are duplicates (the opportunity exists; nothing to correct).
_TO_FIX = frozenset({Outcome.INVALID, Outcome.FAILED, Outcome.NEEDS_REVIEW})

UNFINISHED: tuple[Outcome, ...] = (
    Outcome.PENDING,
    Outcome.IN_FLIGHT,
    Outcome.AMBIGUOUS,
    Outcome.QUEUED,
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a row cannot be imported, found by validation or told by the server.

    ``code`` is stable (tests and users filter on it); ``message`` says what to change;
    ``detail`` is LeadSquared's own words when the server refused the row.
    """

    sheet: str
    row: int
    column: str | None  # the spreadsheet column the user must fix
    field: str | None  # the LeadSquared schema name it maps to
    code: str
    message: str
    detail: str = ""  # LeadSquared's own exception text, when the server refused the row

    def to_dict(self) -> JsonDict:
        """The JSON shape of a problem (``--json``, the ledger)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: JsonDict) -> Problem:
        return cls(**data)


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
    ``yyyy-mm-dd hh:mm:ss``); empty values are left out; the mapping's constants are
    already in their place (built once, by :func:`importer.pipeline.opportunity_rows`).
    """

    sheet: str
    row: int
    search_value: str  # value of the mapping's SearchBy lead field
    lead: tuple[tuple[str, str], ...]  # LeadDetails attribute/value pairs
    fields: tuple[tuple[str, str], ...]  # opportunity Fields SchemaName/value pairs
    note: str | None = None  # OpportunityNote
    when: str | None = None  # OpportunityDateTime
    owner_email: str | None = None  # OpportunityOwnerEmail
    key: str = ""  # its idempotency key, set by the ledger (importer.send.identity)


@dataclass(frozen=True, slots=True)
class DialerLead:
    """A valid row as one Noojee Contact lead, ready to send (built by
    :func:`importer.send.noojee.leads.dialer_leads`, the dry run's and the import's step).

    ``fields`` is the flat ``{field: value}`` object Noojee takes, in the mapping's order:
    template field names and system fields (``njExternalLeadId``, ``njCallBackDate`` as
    ``yyyy/MM/dd HH:mm``, ...). ``identity`` says what makes two rows the same lead of the
    campaign (:mod:`importer.send.noojee.identity`); the ledger keys the row by it (and,
    for an update, by the values it sets).
    """

    sheet: str
    row: int
    fields: tuple[tuple[str, str], ...]
    external_id: str  # njExternalLeadId, "" when the row has none
    identity: str  # which lead of which campaign (rows with the same one are the same lead)
    update: bool = False  # sent to updateLeadFast (mode: update), else insertLeadFast
    key: str = ""  # its idempotency key, set by the ledger


#: A row the sender can send: a LeadSquared opportunity or a Noojee lead.
ReadyRow = OpportunityRow | DialerLead
