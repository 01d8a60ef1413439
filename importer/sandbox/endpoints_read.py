"""Read-only endpoints: the account's metadata (what the dry run checks against) and the
look-ups that reconcile an ambiguous send (which opportunities a lead already has) — in the
sandbox's own lenient shape here, or LeadSquared's documented one (``lookups``) with the
option ``strict_lookups``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from importer.sandbox import lookups
from importer.sandbox.account import FieldDef, OpportunityType
from importer.sandbox.replies import invalid_input
from importer.sandbox.request import Request
from importer.sandbox.state import Opportunity

if TYPE_CHECKING:
    from importer.sandbox.app import Sandbox


def opportunity_types(app: Sandbox, req: Request) -> Any:
    return [
        {"Name": t.name, "EventCode": t.event_code, "Category": "Opportunity"}
        for t in app.account.opportunity_types
    ]


def opportunity_type_metadata(app: Sandbox, req: Request) -> Any:
    otype = app.account.opportunity_type(req.param("code") or "")
    if otype is None:
        raise invalid_input(f"No opportunity type has the code '{req.param('code')}'.")
    return {
        "Name": otype.name,
        "EventCode": otype.event_code,
        "Fields": [_field_metadata(f) for f in otype.fields],
        "CanDelete": otype.can_delete,
        # Sandbox extras (LeadSquared shows these only in its settings pages).
        "CommentsOnStatusChange": app.account.comments_on_status_change,
        "DependentDropdownExceptions": app.account.dependent_dropdown_exceptions,
        "DuplicateDetectionFields": list(otype.duplicate_rule),
    }


def _field_metadata(field: FieldDef) -> dict[str, Any]:
    # OptionSet and DependentOptionSet are JSON *strings*, as LeadSquared sends them.
    options = [{"Value": o, "Text": o, "IsDefault": False} for o in field.options]
    dependent = [
        {"ParentValue": parent, "Options": [{"Value": o, "Text": o} for o in children]}
        for parent, children in field.dependent.items()
    ]
    return {
        "SchemaName": field.schema,
        "DisplayName": field.name,
        "DataType": field.type,
        "IsMandatory": field.mandatory,
        "IsReadOnly": False,
        "MaxFieldLength": field.max_length,
        "ParentField": field.parent,
        "OptionSet": json.dumps(options) if options else "",
        "DependentOptionSet": json.dumps(dependent) if dependent else "",
        "IsMultiSelectDropdown": False,
    }


def leads_metadata(app: Sandbox, req: Request) -> Any:
    return [
        {
            "SchemaName": f.schema,
            "DisplayName": f.name,
            "DataType": f.type,
            "IsMandatory": f.mandatory,
            "IsUnique": f.unique,
            "Options": [{"Value": o} for o in f.options],
            "MaxLength": f.max_length,
            "ShowInImport": True,
        }
        for f in app.account.lead_fields
    ]


def _documented(app: Sandbox, req: Request, documented_keys: tuple[str, ...]) -> bool:
    """Whether to answer as LeadSquared documents: always when strict; when lenient, for a
    body that uses the documented keys (so a client can move to them before the default
    turns strict), the sandbox's old shape otherwise."""
    if app.options.strict_lookups:
        return True
    body = req.json() if req.body.strip() else None
    return isinstance(body, dict) and any(key in body for key in documented_keys)


def opportunities_of_lead(app: Sandbox, req: Request) -> Any:
    """``?leadId=&opportunityType=<event code>`` -> ``{"RecordCount", "List"}``."""
    if _documented(app, req, ("Columns", "Sorting", "Paging")):
        return lookups.of_lead(app, req)
    lead_id = req.param("leadId")
    if not lead_id:
        raise invalid_input("leadId is required.")
    return _listing(app, lead_id, req.param("opportunityType"))


def opportunities_by_lead_field(app: Sandbox, req: Request) -> Any:
    """The sandbox's shape (LeadSquared's is undocumented here): the body (or the query)
    gives ``SearchBy`` (a unique lead field, default EmailAddress), ``SearchByValue`` and
    optionally ``OpportunityEventCode``; the reply is GetOpportunitiesOfLead's plus
    ``RelatedProspectId`` (null when no lead has that value)."""
    if _documented(app, req, ("Parameter",)):
        return lookups.by_unique_lead_field(app, req)
    body = req.json() if req.body.strip() else {}
    if not isinstance(body, dict):
        raise invalid_input("The body must be a JSON object.")

    def pick(name: str, query_name: str) -> str:
        return str(body.get(name) or req.param(query_name) or "")

    search = app.account.lead_field(pick("SearchBy", "SearchBy") or "EmailAddress")
    value = pick("SearchByValue", "SearchByValue")
    if search is None or not search.unique or not value:
        raise invalid_input("SearchBy must name a unique lead field and SearchByValue a value.")
    lead = app.store.find_lead(search.schema, value)
    if lead is None:
        return {"RelatedProspectId": None, "RecordCount": 0, "List": []}
    code = pick("OpportunityEventCode", "opportunityType") or None
    return {"RelatedProspectId": lead.prospect_id, **_listing(app, lead.prospect_id, code)}


def _listing(app: Sandbox, lead_id: str, code: str | None) -> dict[str, Any]:
    otype: OpportunityType | None = None
    if code:
        otype = app.account.opportunity_type(code)
        if otype is None:
            raise invalid_input(f"No opportunity type has the code '{code}'.")
    opps = app.store.opportunities_of(lead_id, otype.event_code if otype else None)
    return {"RecordCount": len(opps), "List": [_opportunity_json(o) for o in opps]}


def _opportunity_json(opp: Opportunity) -> dict[str, Any]:
    return {
        "ProspectOpportunityId": opp.id,
        "RelatedProspectId": opp.prospect_id,
        "OpportunityEventCode": opp.event_code,
        "CreatedOn": opp.created_on,
        "OpportunityNote": opp.note,
        "OwnerEmail": opp.owner,
        "Fields": dict(opp.fields),
    }


def lead_by_email(app: Sandbox, req: Request) -> Any:
    """``Leads.GetByEmailaddress?emailaddress=``: a list of 0 or 1 lead."""
    lead = app.store.find_lead("EmailAddress", req.param("emailaddress") or "")
    return [{"ProspectID": lead.prospect_id, **lead.fields}] if lead else []
