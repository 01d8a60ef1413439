"""Reconciliation: did a request whose answer was unclear create the row's opportunity?

After a timeout, a reset, a 5xx or a crash the server may or may not have applied a write.
Resending blindly could create the opportunity twice (promise 2), so the sender first reads
the lead's opportunities (every page) and matches them on the row's identity fields
(:mod:`importer.send.identity`), compared as LeadSquared stores values
(:func:`~importer.send.identity.canonical`). A row is resent only when every opportunity
of the lead is proven different; otherwise:

* one match created since the row was first sent -> ``created`` (this import made it);
* matches, all created before -> ``duplicate`` (the lead had it already; nothing new);
* several made since it was first sent, a match whose creation time is unknown, or one that
  could only be compared on some of the fields -> ``needs_review``, never resent.

"Since it was first sent" compares LeadSquared's own clocks: ``CreatedOn`` with the send
time read from the server's ``Date`` header (see :class:`~importer.send.transport.LsqClient`),
so a wrong clock on this machine cannot turn an old opportunity into "created".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from importer.mapping.model import LEAD_PREFIX
from importer.model import JsonDict, OpportunityRow, Outcome, RowOutcome
from importer.send.identity import canonical, identity_values
from importer.send.payloads import SendSettings

# CreatedOn is to the second and the Date header too: an opportunity stamped up to this
# many seconds before the send still counts as made by it.
CLOCK_SLACK_S = 2.0
_ID_KEYS = ("OpportunityId", "ProspectOpportunityId", "OpportunityID", "Id")
_EVENT_KEYS = ("OpportunityEvent", "OpportunityEventCode", "EventCode")


@dataclass(frozen=True, slots=True)
class Reconciled:
    """Rows whose opportunity was found or cannot be told apart (with their outcome), and
    rows proven absent (to be sent again)."""

    outcomes: tuple[RowOutcome, ...]
    absent: tuple[OpportunityRow, ...]


@dataclass(frozen=True, slots=True)
class _Match:
    opportunity: JsonDict
    certain: bool  # every identifying field could be compared


def lookup_columns(rows: Iterable[OpportunityRow], settings: SendSettings) -> list[str]:
    """The columns a look-up must return to compare ``rows``: their identity fields."""
    names = {
        name.removeprefix(LEAD_PREFIX) for row in rows for name, _ in identity_values(row, settings)
    }
    return sorted(names, key=str.casefold)


def reconcile(
    rows: Sequence[OpportunityRow],
    first_sent: Sequence[float | None],
    opportunities: Sequence[JsonDict],
    settings: SendSettings,
) -> Reconciled:
    """Match rows of one lead against that lead's opportunities. Each opportunity accounts
    for at most one row, so two rows never both claim the same one."""
    claimed: set[str] = set()
    outcomes: list[RowOutcome] = []
    absent: list[OpportunityRow] = []
    for row, since in zip(rows, first_sent, strict=True):
        matches = [
            m
            for m in (_match(row, o, settings) for o in opportunities if _id(o) not in claimed)
            if m is not None
        ]
        if not matches:
            absent.append(row)
            continue
        outcome = _judge(row, matches, since)
        claimed.add(outcome.opportunity_id or "")
        outcomes.append(outcome)
    return Reconciled(tuple(outcomes), tuple(absent))


def _match(row: OpportunityRow, found: JsonDict, settings: SendSettings) -> _Match | None:
    """``found`` as a match of ``row``: None when a field proves it is another one."""
    have = _values(found)
    event = next((found[k] for k in _EVENT_KEYS if found.get(k) not in (None, "")), None)
    if event is not None and canonical(str(event)) != canonical(str(settings.event_code)):
        return None
    certain = event is not None
    for name, value in identity_values(row, settings):
        theirs = have.get(name.removeprefix(LEAD_PREFIX))
        if theirs is None:
            certain = False  # the look-up did not return this field: it cannot prove a match
        elif canonical(theirs) != canonical(value):
            return None
    return _Match(found, certain)


def _judge(row: OpportunityRow, matches: list[_Match], since: float | None) -> RowOutcome:
    certain = [m.opportunity for m in matches if m.certain]
    if len(certain) < len(matches) or since is None:
        return _review(row, [m.opportunity for m in matches], "could not be compared in full")
    ours = [o for o in certain if _made_since(row, o, since)]
    unknown = [o for o in certain if _created_on(o) is None]
    if unknown:
        return _review(row, unknown, "has no creation time, so who created it is unknown")
    if len(ours) == 1:
        found = ours[0]
        return RowOutcome(row.sheet, row.row, Outcome.CREATED, _id(found), _lead_id(found))
    if ours:
        return _review(row, ours, "was created more than once since this row was first sent")
    found = certain[0]
    message = (
        f"Row {row.row}: this lead already had the same opportunity ({_id(found)}), created "
        "before this import; nothing new was created."
    )
    return RowOutcome(row.sheet, row.row, Outcome.DUPLICATE, _id(found), _lead_id(found), message)


def _made_since(row: OpportunityRow, found: JsonDict, since: float) -> bool:
    created = _created_on(found)
    if created is None:
        return False
    # A CreatedOn equal to the row's own OpportunityDateTime is the date we sent, not the
    # moment it was saved; we sent it, so it is ours.
    told_by_us = row.when is not None and canonical(str(found.get("CreatedOn"))) == canonical(
        row.when
    )
    return told_by_us or created >= since - CLOCK_SLACK_S


def _review(row: OpportunityRow, found: list[JsonDict], why: str) -> RowOutcome:
    ids = ", ".join(_id(o) or "(no id)" for o in found)
    message = (
        f"Row {row.row}: LeadSquared's answer to this row never arrived, and an opportunity "
        f"like it ({ids}) {why}; it was not sent again. Check the lead's opportunities in "
        "LeadSquared and keep exactly one."
    )
    first = found[0]
    return RowOutcome(
        row.sheet, row.row, Outcome.NEEDS_REVIEW, _id(first), _lead_id(first), message
    )


def _values(opportunity: JsonDict) -> dict[str, str]:
    """An opportunity's values by case-folded name: top-level keys (LeadSquared's flat
    items), plus ``Fields`` given as a mapping or as a list of ``{SchemaName, Value}``."""
    pairs: list[tuple[Any, Any]] = list(opportunity.items())
    raw = opportunity.get("Fields")
    if isinstance(raw, dict):
        pairs += list(raw.items())
    elif isinstance(raw, list):
        pairs += [(f.get("SchemaName"), f.get("Value")) for f in raw if isinstance(f, dict)]
    return {
        str(k).casefold(): "" if v is None else str(v)
        for k, v in pairs
        if k is not None and not isinstance(v, dict | list)
    }


def _id(opportunity: JsonDict) -> str:
    return next((str(opportunity[k]) for k in _ID_KEYS if opportunity.get(k)), "")


def _lead_id(opportunity: JsonDict) -> str | None:
    value = opportunity.get("RelatedProspectId") or opportunity.get("ProspectID")
    return str(value) if value else None


def _created_on(opportunity: JsonDict) -> float | None:
    """CreatedOn (UTC ``yyyy-mm-dd hh:mm:ss``) as epoch seconds; None when absent/unreadable."""
    text = opportunity.get("CreatedOn")
    if not text:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(str(text)[:26], fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    return None
