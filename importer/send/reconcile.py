"""Reconciliation: did a request whose answer was lost create the row's opportunity?

After a timeout, a reset or a crash the server may or may not have applied a write. Resending
blindly could create the opportunity twice (promise 2), so the sender first asks LeadSquared
for the lead's opportunities of the event code and looks for one with the row's values - on the
mapping's duplicate key, or on every mapped opportunity field when there is no key:

* found, created after the row was sent (less a few seconds of clock slack) -> ``created``;
* found, created before -> ``duplicate`` (it existed already; nothing new);
* proven absent -> the row is sent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from importer.model import JsonDict, OpportunityRow, Outcome, RowOutcome
from importer.send.payloads import SendSettings

# Our clock and LeadSquared's differ, and CreatedOn is to the second: an opportunity created
# up to this many seconds "before" our send still counts as created by it.
CLOCK_SLACK_S = 5.0


class Lookup(Protocol):
    def opportunities_by_unique_field(
        self, search_by: str, value: str, event_code: int
    ) -> list[JsonDict]: ...


@dataclass(frozen=True, slots=True)
class Reconciled:
    """Rows whose opportunity was found (with their outcome) and rows proven absent."""

    outcomes: tuple[RowOutcome, ...]
    absent: tuple[OpportunityRow, ...]


def reconcile(
    rows: Sequence[OpportunityRow],
    sent_at: Sequence[float | None],
    opportunities: Sequence[JsonDict],
    settings: SendSettings,
) -> Reconciled:
    """Match rows of one lead against that lead's opportunities. Each opportunity accounts for
    at most one row, so two identical rows never both claim the same one."""
    claimed: set[str] = set()
    outcomes: list[RowOutcome] = []
    absent: list[OpportunityRow] = []
    for row, since in zip(rows, sent_at, strict=True):
        found = _first_match(row, opportunities, settings, claimed)
        if found is None:
            absent.append(row)
            continue
        claimed.add(_id(found))
        outcomes.append(_outcome(row, found, since))
    return Reconciled(tuple(outcomes), tuple(absent))


def key_fields(row: OpportunityRow, settings: SendSettings) -> dict[str, str]:
    """The values that identify the row's opportunity, by lower-cased schema name."""
    values = {name.casefold(): value for name, value in row.fields}
    names = [n.casefold() for n in settings.duplicate_key] or list(values)
    return {name: values.get(name, "") for name in names}


def _first_match(
    row: OpportunityRow,
    opportunities: Sequence[JsonDict],
    settings: SendSettings,
    claimed: set[str],
) -> JsonDict | None:
    wanted = key_fields(row, settings)
    for opportunity in opportunities:
        if _id(opportunity) in claimed or not _of_type(opportunity, settings.event_code):
            continue
        have = _fields(opportunity)
        if all(_same(value, have.get(name, "")) for name, value in wanted.items()):
            return opportunity
    return None


def _of_type(opportunity: JsonDict, event_code: int) -> bool:
    """False only when the opportunity says it is of another type (a look-up that ignores
    the type filter must not match another type's opportunity with the same values)."""
    code = opportunity.get("OpportunityEventCode", opportunity.get("EventCode"))
    return code is None or str(code) == str(event_code)


def _outcome(row: OpportunityRow, found: JsonDict, since: float | None) -> RowOutcome:
    created = _created_on(found)
    lead_id = _text(found.get("RelatedProspectId"))
    # A CreatedOn equal to the row's own OpportunityDateTime is the date we sent, not the
    # moment it was saved, so it cannot tell "ours" from "older"; we sent it, so it is ours.
    told_by_us = row.when is not None and _text(found.get("CreatedOn")) == row.when
    ours = since is None or created is None or told_by_us or created >= since - CLOCK_SLACK_S
    if ours:
        return RowOutcome(row.sheet, row.row, Outcome.CREATED, _id(found), lead_id)
    message = (
        f"Row {row.row}: this lead already had the same opportunity ({_id(found)}), "
        "created before this import; nothing new was created."
    )
    return RowOutcome(row.sheet, row.row, Outcome.DUPLICATE, _id(found), lead_id, message)


def _fields(opportunity: JsonDict) -> dict[str, str]:
    """An opportunity's field values by lower-cased schema name, whether the reply gives
    ``Fields`` as a mapping or as a list of ``{SchemaName, Value}``, or as top-level keys."""
    raw = opportunity.get("Fields")
    if isinstance(raw, dict):
        pairs = list(raw.items())
    elif isinstance(raw, list):
        pairs = [(f.get("SchemaName"), f.get("Value")) for f in raw if isinstance(f, dict)]
    else:
        pairs = list(opportunity.items())
    return {str(k).casefold(): _text(v) or "" for k, v in pairs if k is not None}


def _same(ours: str, theirs: str) -> bool:
    """Equal as LeadSquared would store them: case and surrounding spaces aside, and numbers
    by value (a Number field may come back as "50000.0")."""
    a, b = ours.strip().casefold(), theirs.strip().casefold()
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def _id(opportunity: JsonDict) -> str:
    for key in ("ProspectOpportunityId", "OpportunityId", "Id"):
        if opportunity.get(key):
            return str(opportunity[key])
    return ""


def _created_on(opportunity: JsonDict) -> float | None:
    """CreatedOn (UTC ``yyyy-mm-dd hh:mm:ss``) as epoch seconds; None when absent/unreadable."""
    text = _text(opportunity.get("CreatedOn"))
    if text is None:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text[:26], fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    return None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
