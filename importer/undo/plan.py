"""What an undo does with each row of the run it takes back — one rule, used by the preview,
by the deletion loop (which rows to delete) and by the results workbook.

Only an opportunity the run itself created is deleted: a key the run owns in state
``created`` or ``partial`` (Capture created it; only its follow-up activity failed), with the
opportunity's ID. Every other row that stands for an opportunity is *kept*, with a reason
(the stable codes below); rows of the run that created nothing (invalid, or refused by
LeadSquared) are not the undo's business at all. Leads are never deleted: a row that went
through Capture (which creates the lead when none matches) lists its lead as kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from importer.ledger import LedgerUndo, RunInfo, UndoItem
from importer.ledger.codec import opportunity_from_json
from importer.ledger.undo import DELETABLE
from importer.model import Outcome, Problem, RowOutcome
from importer.send.delete import ALREADY_GONE, DELETE_FAILED

# Why an opportunity is kept (problem codes, documented in the README).
EXISTED_BEFORE = "existed_before"  # duplicate: the lead had it before the import
OTHER_RUN = "created_by_another_run"  # already_imported: an earlier run created it
NOT_SURE_WHOSE = "not_sure_whose"  # needs_review: maybe the row's, maybe an older one
NOT_DELETABLE = "delete_not_allowed"  # the opportunity type does not allow deletion
NOT_CHECKED = "not_checked"  # the import never learnt whether it was created
NO_ID = "no_opportunity_id"  # LeadSquared gave no ID for it
LEAD_KEPT = "lead_kept"  # the row's lead went through Capture; leads are never deleted

# Kept for a reason that leaves this run's own opportunity in LeadSquared: the undo did not
# do all it was asked (exit 1). The others were never this run's to take back.
LEFT_BEHIND = frozenset({NOT_SURE_WHOSE, NOT_DELETABLE, NOT_CHECKED, NO_ID})
_UNCLEAR = (Outcome.AMBIGUOUS, Outcome.IN_FLIGHT, Outcome.QUEUED)
_LEAD_STATES = (*DELETABLE, Outcome.NEEDS_REVIEW, Outcome.UNDONE)


class Fate(StrEnum):
    DELETE = "delete"  # the run created it: to delete
    UNCLEAR = "unclear"  # its delete went out and no answer was recorded: asked again
    FAILED = "failed"  # LeadSquared refused to delete it last time: asked again
    DELETED = "deleted"  # gone: deleted by an undo (or found gone)
    KEPT = "kept"  # never deleted: see its problem

    @property
    def to_send(self) -> bool:
        return self in (Fate.DELETE, Fate.UNCLEAR, Fate.FAILED)


@dataclass(frozen=True)
class OpportunityType:
    """The run's opportunity type, as GetOpportunityTypeMetadata describes it."""

    event_code: int
    name: str
    can_delete: bool


@dataclass(frozen=True, slots=True)
class Judged:
    """One row of the run as the undo sees it."""

    item: UndoItem
    fate: Fate
    reason: Problem | None = None  # why kept, why it failed, or how it ended if unusual
    lead: Problem | None = None  # its lead, kept (Capture may have created it)

    @property
    def row(self) -> int:
        return self.item.row

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for p in (self.reason, self.lead) if p is not None)


def judged_rows(undo: LedgerUndo, kind: OpportunityType, after_row: int = 0) -> Iterator[Judged]:
    """The run's rows that stand for an opportunity, judged, in row order (read from the
    ledger a page at a time: memory stays flat)."""
    for page in undo.items(after_row):
        for item in page:
            judged = judge(item, undo.run, kind)
            if judged is not None:
                yield judged


def judge(item: UndoItem, run: RunInfo, kind: OpportunityType) -> Judged | None:
    """What the undo of ``run`` does with ``item``; None when the row created nothing."""
    if item.owner != run.id:
        if item.state not in (*DELETABLE, Outcome.DUPLICATE, Outcome.NEEDS_REVIEW):
            return None  # not created, or already taken back by that run's own undo
        why = (
            f"run {item.owner} created it, not run {run.id}; undo run {item.owner} to take it back"
        )
        return Judged(item, Fate.KEPT, _problem(item, run, OTHER_RUN, why))
    lead = _lead_problem(item, run)
    if item.state is Outcome.UNDONE:
        gone = next((p for p in item.problems if p.code == ALREADY_GONE), None)
        return Judged(item, Fate.DELETED, gone, lead)
    if item.state in DELETABLE:
        fate, reason = _deletable(item, run, kind)
        return Judged(item, fate, reason, lead)
    kept = _kept_reason(item)
    if kept is None:
        return None
    return Judged(item, Fate.KEPT, _problem(item, run, *kept), lead)


def _deletable(item: UndoItem, run: RunInfo, kind: OpportunityType) -> tuple[Fate, Problem | None]:
    if not kind.can_delete:
        why = (
            f"opportunities of type '{kind.name}' (event code {kind.event_code}) cannot be "
            "deleted: 'Allow Delete' is off in the type's configuration in LeadSquared "
            "(Settings > Opportunities > Opportunity Types); turn it on, then undo again"
        )
        return Fate.KEPT, _problem(item, run, NOT_DELETABLE, why)
    if item.opportunity_id is None:
        why = "LeadSquared gave no ID for this opportunity; find and delete it by hand"
        return Fate.KEPT, _problem(item, run, NO_ID, why)
    if item.delete_sent:
        return Fate.UNCLEAR, None
    failed = next((p for p in item.problems if p.code == DELETE_FAILED), None)
    return (Fate.FAILED, failed) if failed else (Fate.DELETE, None)


def _kept_reason(item: UndoItem) -> tuple[str, str] | None:
    if item.state is Outcome.DUPLICATE:
        return EXISTED_BEFORE, (
            "this lead already had this opportunity before the import (LeadSquared's duplicate "
            "rule), so it is not this run's to take back"
        )
    if item.state is Outcome.NEEDS_REVIEW:
        return NOT_SURE_WHOSE, (
            "the import could not tell whether this opportunity is the row's or an older one; "
            "check the lead's opportunities in LeadSquared and delete it by hand if it should go"
        )
    if item.state in _UNCLEAR:
        return NOT_CHECKED, (
            "the import never learnt whether LeadSquared created it; to include it, run the "
            "import's command again first (it checks such rows), then undo again"
        )
    return None  # failed, pending, updated: nothing was created


def _problem(item: UndoItem, run: RunInfo, code: str, why: str) -> Problem:
    which = f" {item.opportunity_id}" if item.opportunity_id else ""
    message = f"Row {item.row}: opportunity{which} not deleted: {why}."
    return Problem(run.sheet, item.row, None, None, code, message)


def _lead_problem(item: UndoItem, run: RunInfo) -> Problem | None:
    """The row's lead, if Capture may have created it (the undo leaves it alone)."""
    through_capture = item.route == "capture" or (item.route is None and run.target != "bulk")
    if not (item.lead_id and through_capture and item.state in _LEAD_STATES):
        return None
    row = opportunity_from_json(item.payload)
    message = (
        f"Row {item.row}: lead {item.lead_id} ({row.search_value}) went through Capture, which "
        "creates the lead when none matches; it is kept: lsq-import never deletes leads "
        "(deleting a lead needs LeadSquared support to enable it, and it hard-deletes "
        "everything attached to the lead). Delete it in LeadSquared if it should go."
    )
    return Problem(run.sheet, item.row, None, None, LEAD_KEPT, message)


def row_outcome(judged: Judged, run: RunInfo) -> RowOutcome:
    """The row as the undo's results workbook shows it."""
    item = judged.item
    shown, message = _shown(judged, run.id)
    return RowOutcome(
        run.sheet, item.row, shown, item.opportunity_id, item.lead_id, message, judged.problems
    )


def _shown(judged: Judged, run_id: int) -> tuple[Outcome, str]:
    item = judged.item
    again = f"run `lsq-import undo {run_id} --yes` again"
    if judged.fate is Fate.DELETED:
        return Outcome.UNDONE, ""
    if judged.fate is Fate.DELETE:
        return Outcome.PENDING, f"Row {item.row}: not deleted yet; {again} to continue."
    if judged.fate is Fate.UNCLEAR:
        said = f"Row {item.row}: its delete got no clear answer; {again} (it asks again)."
        return Outcome.AMBIGUOUS, said
    message = judged.reason.message if judged.reason else ""
    if judged.fate is Fate.FAILED:
        return Outcome.FAILED, message
    if item.owner != run_id:
        return Outcome.ALREADY_IMPORTED, message
    return (Outcome.AMBIGUOUS if item.state in _UNCLEAR else item.state), message
