"""The two write endpoints: Add Opportunities in Bulk (onto existing leads, ≤25 a call)
and Capture (one opportunity; creates or updates its lead)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from importer.sandbox.account import OpportunityType
from importer.sandbox.leads import lead_query
from importer.sandbox.replies import (
    DUPLICATE,
    INVALID_INPUT,
    Rejection,
    exception_fields,
    lead_not_found,
)
from importer.sandbox.replies import invalid_input as _invalid
from importer.sandbox.request import Request
from importer.sandbox.rules import check_fields
from importer.sandbox.server_form import datetime_form, stored_values
from importer.sandbox.state import Lead, Opportunity, new_id, now_text

if TYPE_CHECKING:
    from importer.sandbox.app import Sandbox

MAX_BULK = 25


@dataclass(frozen=True)
class Planned:
    """One item's fate before anything is written (so all-or-nothing can refuse it all)."""

    reply: dict[str, Any]
    opportunity: Opportunity | None = None
    duplicate: bool = False  # created although the duplicate rule matched (rule off)


def bulk_add(app: Sandbox, req: Request) -> Any:
    items = req.json()
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _invalid("The request body must be a JSON array of opportunities.")
    if len(items) > MAX_BULK:
        raise _invalid(f"At most {MAX_BULK} opportunities can be added in one request.")
    if any(_both_flags(item) for item in items):
        raise _invalid("OverwriteFields and UpdateEmptyFields cannot both be true.")
    search = app.account.lead_field(req.param("SearchBy") or "")
    if search is None or not search.unique:
        raise _invalid(f"SearchBy '{req.param('SearchBy')}' is not a unique lead field.")
    with app.store.lock:
        plans: list[Planned] = []
        for row, item in enumerate(items, start=1):
            plans.append(_plan_item(app, search.schema, item, row, plans))
        _refuse_all_if_needed(app, plans)
        for plan in plans:
            _write(app, plan)
    replies = [plan.reply for plan in plans]
    return {"Response": app.chaos.shuffled(replies) if app.options.shuffle else replies}


def _both_flags(item: dict[str, Any]) -> bool:
    return bool(item.get("OverwriteFields")) and bool(item.get("UpdateEmptyFields"))


def _plan_item(
    app: Sandbox, search: str, item: dict[str, Any], row: int, earlier: list[Planned]
) -> Planned:
    otype = app.account.opportunity_type(item.get("OpportunityEventCode", ""))
    value = str(item.get("SearchByValue") or "").strip()
    lead = app.store.find_lead(search, value) if value else None
    if otype is None:
        rejection = Rejection(INVALID_INPUT, "OpportunityEventCode is missing or not configured.")
        return _failed(row, rejection)
    if lead is None:
        return _failed(row, lead_not_found(app.options.lead_not_found_wording, search, value))
    check = check_fields(app.account, otype, item.get("Fields"))
    refusal = check.rejection or check.invalid
    if refusal:
        return _failed(row, refusal)
    opp = _opportunity(app, otype, lead.prospect_id, check.values, item)
    pending = [p.opportunity for p in earlier if p.opportunity]
    conflict = _conflict(app, opp, pending)
    if conflict and app.duplicate_detection:
        return _failed(row, _duplicate(conflict), conflict)
    reply = {"ProspectOpportunityId": opp.id, "RowNumber": row, "OpportunityCreated": True}
    return Planned(reply, opp, duplicate=conflict is not None)


def _failed(row: int, rejection: Rejection, conflict: str | None = None) -> Planned:
    reply: dict[str, Any] = {
        "ProspectOpportunityId": None,
        "RowNumber": row,
        "OpportunityCreated": False,
        **exception_fields(rejection),
    }
    if conflict:
        reply["ConflictedOpportunityId"] = conflict
    return Planned(reply)


def _duplicate(conflict: str) -> Rejection:
    return Rejection(DUPLICATE, f"An opportunity with the same details exists: {conflict}.")


def _refuse_all_if_needed(app: Sandbox, plans: list[Planned]) -> None:
    if not (app.options.bulk_all_or_nothing or app.account.bulk_all_or_nothing):
        return
    for plan in plans:
        if not plan.reply["OpportunityCreated"]:
            reply = plan.reply
            raise _invalid(f"Row {reply['RowNumber']}: {reply['ExceptionMessage']}")


def _write(app: Sandbox, plan: Planned) -> None:
    if plan.opportunity is None:
        if plan.reply.get("ConflictedOpportunityId"):
            app.stats.event("duplicates_blocked")
        return
    app.store.add_opportunity(plan.opportunity)
    if plan.duplicate:
        app.stats.event("duplicates_created")


def _opportunity(
    app: Sandbox,
    otype: OpportunityType,
    pid: str | None,
    values: dict[str, str],
    body: dict[str, Any],
) -> Opportunity:
    when = _optional(body.get("OpportunityDateTime"))
    if app.options.server_form_values:
        values = stored_values(otype.field, values)
        when = datetime_form(when) if when else None
    key = "\x1f".join(values.get(s, "").casefold() for s in otype.duplicate_rule)
    return Opportunity(
        id=new_id(),
        prospect_id=pid,
        event_code=otype.event_code,
        fields=values,
        dup_key=key if otype.duplicate_rule else None,
        note=_optional(body.get("OpportunityNote")),
        owner=_optional(body.get("OpportunityOwnerEmail")),
        created_on=when or now_text(),
    )


def _optional(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _conflict(app: Sandbox, opp: Opportunity, pending: list[Opportunity]) -> str | None:
    """The existing opportunity this one duplicates under the account's rule, if any."""
    if opp.dup_key is None or opp.prospect_id is None:
        return None
    for other in pending:
        same = (other.prospect_id, other.event_code, other.dup_key)
        if same == (opp.prospect_id, opp.event_code, opp.dup_key):
            return other.id
    return app.store.find_duplicate(opp.prospect_id, opp.event_code, opp.dup_key)


def capture(app: Sandbox, req: Request) -> dict[str, Any]:
    body = req.json()
    if not isinstance(body, dict) or not isinstance(body.get("Opportunity"), dict):
        raise _invalid("The body needs LeadDetails and an Opportunity object.")
    query = lead_query(app.account, body.get("LeadDetails"))
    if app.options.server_form_values:
        query = dataclasses.replace(query, attrs=stored_values(app.account.lead_field, query.attrs))
    opportunity = body["Opportunity"]
    otype = app.account.opportunity_type(opportunity.get("OpportunityEventCode", ""))
    if otype is None:
        raise _invalid("OpportunityEventCode is missing or not configured.")
    if _both_flags(opportunity):
        raise _invalid("OverwriteFields and UpdateEmptyFields cannot both be true.")
    with app.store.lock:
        found = query.find(app.store)
        check = check_fields(app.account, otype, opportunity.get("Fields"))
        if check.rejection:
            pid = found.prospect_id if found else None
            return capture_reply(1, RelatedProspectId=pid, **exception_fields(check.rejection))
        lead = query.save(app.store, found)
        if check.invalid:
            # Seed 000: the lead is saved, the opportunity is created but never linked.
            orphan = _opportunity(app, otype, None, check.values, opportunity)
            app.store.add_opportunity(orphan)
            return _created_reply(orphan, None)
        return _capture_opportunity(app, otype, lead, check.values, opportunity, req.partial)


def _capture_opportunity(
    app: Sandbox,
    otype: OpportunityType,
    lead: Lead,
    values: dict[str, str],
    body: dict[str, Any],
    partial: bool,
) -> dict[str, Any]:
    opp = _opportunity(app, otype, lead.prospect_id, values, body)
    conflict = _conflict(app, opp, [])
    if conflict and app.duplicate_detection:
        app.stats.event("duplicates_blocked")
        return capture_reply(
            0,
            PrimaryAction=2,
            SecondaryAction=3,
            ConflictedOpportunityId=conflict,
            RelatedProspectId=lead.prospect_id,
            IsUnique=False,
            AdditionalDetails=[{"ActivityId": new_id(), "PostDeDupActionPerformed": 3}],
        )
    app.store.add_opportunity(opp)
    if conflict:
        app.stats.event("duplicates_created")
    reply = _created_reply(opp, lead.prospect_id)
    if partial:  # the opportunity exists; posting its activity failed
        reply.update(Status=2, SecondaryAction=0, AdditionalDetails=[])
    return reply


def _created_reply(opp: Opportunity, pid: str | None) -> dict[str, Any]:
    return capture_reply(
        0,
        PrimaryAction=1,
        SecondaryAction=2,
        CreatedOpportunityId=opp.id,
        RelatedProspectId=pid,
        AdditionalDetails=[{"ActivityId": new_id(), "PostDeDupActionPerformed": 1}],
    )


def capture_reply(status: int, **fields: Any) -> dict[str, Any]:
    """Every documented Capture field, in the documented order."""
    reply: dict[str, Any] = {
        "AdditionalDetails": [],
        "ConflictedOpportunityId": None,
        "CreatedOpportunityId": None,
        "ExceptionMessage": None,
        "ExceptionType": None,
        "IsUnique": True,
        "PrimaryAction": 0,
        "RelatedProspectId": None,
        "RequestId": new_id(),
        "SecondaryAction": 0,
        "Status": status,
    }
    reply.update(fields)
    return reply
