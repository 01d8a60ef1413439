"""An undo in numbers: how many opportunities are left to delete, how many are gone, which
are kept and why, and the leads left alone — counted over the run's rows in one pass, with
the kept rows and leads listed (the first ``LISTED`` of each) for the preview."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from importer.ledger import LedgerUndo, UndoItem
from importer.ledger.codec import opportunity_from_json
from importer.model import Problem
from importer.send.delete import ALREADY_GONE
from importer.settings import Rate
from importer.undo.plan import LEFT_BEHIND, Fate, OpportunityType, judged_rows

LISTED = 500  # kept rows and leads the summary names one by one; the workbook has them all


@dataclass(frozen=True)
class KeptLead:
    """A lead a row of the run went through Capture with (Capture may have created it)."""

    row: int
    lead_id: str
    lead: str  # the row's SearchBy value (its e-mail address, usually)
    message: str  # why it is kept


@dataclass(frozen=True)
class UndoSummary:
    """The state of an undo, read from the ledger (before, or after, deleting)."""

    rows: int  # rows of the run
    to_delete: int  # opportunities still to delete (including those to ask again)
    unclear: int  # of which: a delete went out and its answer is unknown
    failed: int  # of which: LeadSquared refused to delete them last time
    deleted: int  # opportunities gone (deleted by an undo, or found gone)
    already_gone: int  # of which: gone before the undo asked
    kept: Mapping[str, int]  # opportunities never deleted, by reason code
    leads: int  # leads left alone (they went through Capture)
    nothing: int  # rows that created nothing (invalid, or refused by LeadSquared)
    refusals: tuple[Problem, ...] = field(default=())  # kept rows, the first LISTED
    kept_leads: tuple[KeptLead, ...] = field(default=())  # the leads, the first LISTED

    @property
    def left_behind(self) -> int:
        """This run's own opportunities the undo cannot take back (not counting failures)."""
        return sum(n for code, n in self.kept.items() if code in LEFT_BEHIND)

    def to_dict(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "to_delete": self.to_delete,
            "unclear": self.unclear,
            "failed": self.failed,
            "deleted": self.deleted,
            "already_gone": self.already_gone,
            "kept": dict(sorted(self.kept.items())),
            "leads_kept": self.leads,
            "nothing_to_undo": self.nothing,
            "refusals": [p.to_dict() for p in self.refusals],
            "leads": [
                {"row": k.row, "lead_id": k.lead_id, "lead": k.lead} for k in self.kept_leads
            ],
        }


def summarise(undo: LedgerUndo, kind: OpportunityType) -> UndoSummary:
    fates: Counter[Fate] = Counter()
    kept: Counter[str] = Counter()
    refusals: list[Problem] = []
    leads: list[KeptLead] = []
    gone = lead_count = 0
    for judged in judged_rows(undo, kind):
        fates[judged.fate] += 1
        reason = judged.reason
        if judged.fate is Fate.KEPT and reason is not None:
            kept[reason.code] += 1
            if len(refusals) < LISTED:
                refusals.append(reason)
        gone += reason is not None and reason.code == ALREADY_GONE
        if judged.lead is not None:
            lead_count += 1
            if len(leads) < LISTED:
                leads.append(_kept_lead(judged.lead, judged.item))
    rows = undo.row_count()
    return UndoSummary(
        rows=rows,
        to_delete=sum(n for fate, n in fates.items() if fate.to_send),
        unclear=fates[Fate.UNCLEAR],
        failed=fates[Fate.FAILED],
        deleted=fates[Fate.DELETED],
        already_gone=gone,
        kept=dict(kept),
        leads=lead_count,
        nothing=rows - sum(fates.values()),
        refusals=tuple(refusals),
        kept_leads=tuple(leads),
    )


def _kept_lead(problem: Problem, item: UndoItem) -> KeptLead:
    lead = opportunity_from_json(item.payload).search_value
    return KeptLead(item.row, item.lead_id or "", lead, problem.message)


def seconds_at(rate: Rate, calls: int) -> float:
    """How long ``calls`` take at the account's rate limit (the limit is the ceiling)."""
    return calls * rate.seconds / rate.calls


def duration(seconds: float) -> str:
    """ "about 58 s", "about 12 min", "about 2 h 5 min"."""
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {minutes} min"
    return f"about {minutes // 60} h {minutes % 60} min"
