"""The look-ups as LeadSquared documents them (option ``strict_lookups``): only the
documented request bodies, the flat item shape, and real paging. A client that reconciles
an unclear write must read these right; a refusal is not "absent".

``GetOpportunitiesByUniqueLeadField`` takes exactly
``{"Parameter": {"LookupName", "LookupValue", "SqlOperator": "="}, "Columns":
{"Include_CSV"}, "Sorting": {"ColumnName", "Direction"}, "Paging": {"PageIndex",
"PageSize"}}`` (Parameter required, the rest optional). It lists every opportunity of the
lead, of every type: there is no event-code filter, so a client must filter on each item's
``OpportunityEvent``. ``GetOpportunitiesOfLead?leadId=&opportunityType=`` takes the same
``Columns``/``Sorting``/``Paging`` (all optional, an empty body too).

Choices the sandbox makes where LeadSquared documents nothing:

* a body of another shape (a missing or unknown key, a value of the wrong JSON type) is
  HTTP 400 ``MXInvalidInputException``; a well-formed body the account cannot answer
  (LookupName not a unique lead field, SqlOperator other than ``=``, an unknown
  opportunity type) is HTTP 500 ``MXInvalidInputException``, like LeadSquared's other
  application errors;
* a lead that does not exist is HTTP 500 in the chosen "no lead" wording
  (``replies.LEAD_NOT_FOUND_WORDINGS``), not an empty list;
* ``PageSize`` is capped at ``MAX_PAGE_SIZE`` without a word (ask for 100, get 50);
  ``RecordCount`` is the total over all pages; a page past the end is an empty ``List``.
  Paging defaults to page 1 of 25; sorting to ``CreatedOn`` most recent first
  (``Direction`` "1"; "0" oldest first), ties broken by creation order;
* an item is flat: the lead's fields, then ``RelatedProspectId``, ``OpportunityEvent`` (the
  event code as a string), ``OpportunityEventType`` ("2", as in LeadSquared's example),
  the opportunity's fields as top-level keys (an opportunity field wins over a lead field
  of the same name), ``Owner``, ``OpportunityNote``, ``CreatedOn`` and the opportunity's id
  under ``OpportunityId`` (LeadSquared's own key is not documented). With ``Include_CSV``
  an item has only the columns named there (case-insensitive; unknown names ignored; an
  empty value is null) plus the always-present ``ALWAYS``; without it, every column.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from importer.sandbox.replies import ApiError, invalid_input, lead_not_found
from importer.sandbox.request import Request
from importer.sandbox.state import Lead, Opportunity

if TYPE_CHECKING:
    from importer.sandbox.app import Sandbox

MAX_PAGE_SIZE = 50
OPPORTUNITY_ID = "OpportunityId"
EVENT_TYPE = "2"
ALWAYS = (
    OPPORTUNITY_ID,
    "RelatedProspectId",
    "OpportunityEvent",
    "OpportunityEventType",
    "CreatedOn",
)

_BY_FIELD = ("Parameter", "Columns", "Sorting", "Paging")
_PARAMETERS = ("LookupName", "LookupValue", "SqlOperator")
_OF_LEAD = ("Columns", "Sorting", "Paging")


@dataclass(frozen=True)
class Listing:
    """What a look-up asked for: columns (None: all), order and one page."""

    columns: tuple[str, ...] | None = None
    sort_by: str = "CreatedOn"
    descending: bool = True
    page_index: int = 1
    page_size: int = 25


def by_unique_lead_field(app: Sandbox, req: Request) -> dict[str, Any]:
    body = _keys_of(req.json(), "the body", allowed=_BY_FIELD, required=("Parameter",))
    parameter = _keys_of(body["Parameter"], "Parameter", required=_PARAMETERS)
    name, value, operator = (_text(parameter, key, "Parameter") for key in _PARAMETERS)
    if operator != "=":
        raise invalid_input(f"SqlOperator '{operator}' is not supported here; pass '='.")
    field = app.account.lead_field(name)
    if field is None or not field.unique:
        raise invalid_input(f"LookupName '{name}' is not a unique lead field.")
    listing = _listing(body)
    lead = app.store.find_lead(field.schema, value)
    if lead is None:
        raise ApiError(lead_not_found(app.options.lead_not_found_wording, field.schema, value))
    return _page(app, lead, app.store.opportunities_of(lead.prospect_id), listing)


def of_lead(app: Sandbox, req: Request) -> dict[str, Any]:
    lead_id = req.param("leadId")
    if not lead_id:
        raise invalid_input("leadId is required.")
    code = req.param("opportunityType")
    otype = app.account.opportunity_type(code) if code else None
    if code and otype is None:
        raise invalid_input(f"No opportunity type has the code '{code}'.")
    raw = req.json() if req.body.strip() else {}
    listing = _listing(_keys_of(raw, "the body", allowed=_OF_LEAD))
    lead = app.store.lead_by_id(lead_id)
    if lead is None:
        raise ApiError(lead_not_found(app.options.lead_not_found_wording, "ProspectId", lead_id))
    event_code = otype.event_code if otype else None
    return _page(app, lead, app.store.opportunities_of(lead.prospect_id, event_code), listing)


def _shape_error(message: str) -> ApiError:
    return invalid_input(message, status=400)


def _keys_of(
    raw: Any, where: str, allowed: tuple[str, ...] = (), required: tuple[str, ...] = ()
) -> dict[str, Any]:
    """``raw`` as a JSON object with only ``allowed`` (or ``required``) keys, every
    ``required`` one present; anything else is a 400 naming the key."""
    if not isinstance(raw, dict):
        raise _shape_error(f"{where} must be a JSON object.")
    known = set(allowed) | set(required)
    unknown = [key for key in raw if key not in known]
    if unknown:
        raise _shape_error(f"{where} has keys this API does not take: {', '.join(unknown)}.")
    missing = [key for key in required if key not in raw]
    if missing:
        raise _shape_error(f"{where} needs {', '.join(missing)}.")
    return raw


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw[key]
    if not isinstance(value, str):
        raise _shape_error(f"{where}.{key} must be a string.")
    return value.strip()


def _count(raw: dict[str, Any], key: str) -> int:
    value = raw[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _shape_error(f"Paging.{key} must be a whole number of 1 or more.")
    return value


def _listing(body: dict[str, Any]) -> Listing:
    listing = Listing()
    if "Columns" in body:
        columns = _keys_of(body["Columns"], "Columns", required=("Include_CSV",))
        names = [n.strip() for n in _text(columns, "Include_CSV", "Columns").split(",")]
        listing = Listing(columns=tuple(n for n in names if n) or None)
    sort_by, descending = listing.sort_by, listing.descending
    if "Sorting" in body:
        sorting = _keys_of(body["Sorting"], "Sorting", required=("ColumnName", "Direction"))
        sort_by = _text(sorting, "ColumnName", "Sorting")
        direction = str(sorting["Direction"]).strip()
        if direction not in ("0", "1") or isinstance(sorting["Direction"], bool):
            raise _shape_error('Sorting.Direction must be "0" (oldest first) or "1".')
        descending = direction == "1"
    index, size = listing.page_index, listing.page_size
    if "Paging" in body:
        paging = _keys_of(body["Paging"], "Paging", required=("PageIndex", "PageSize"))
        index, size = _count(paging, "PageIndex"), _count(paging, "PageSize")
    return Listing(listing.columns, sort_by, descending, index, min(size, MAX_PAGE_SIZE))


def _page(
    app: Sandbox, lead: Lead, opportunities: list[Opportunity], listing: Listing
) -> dict[str, Any]:
    items = [_item(app, lead, opp) for opp in opportunities]  # in creation order
    order = sorted(
        range(len(items)),
        key=lambda n: (str(_column(items[n], listing.sort_by) or ""), n),
        reverse=listing.descending,
    )
    start = (listing.page_index - 1) * listing.page_size
    page = [items[n] for n in order[start : start + listing.page_size]]
    return {"RecordCount": len(items), "List": [_project(i, listing.columns) for i in page]}


def _item(app: Sandbox, lead: Lead, opp: Opportunity) -> dict[str, Any]:
    item: dict[str, Any] = {f.schema: lead.fields.get(f.schema) for f in app.account.lead_fields}
    item.update(ProspectId=lead.prospect_id, RelatedProspectId=opp.prospect_id)
    item.update(OpportunityEvent=str(opp.event_code), OpportunityEventType=EVENT_TYPE)
    otype = app.account.opportunity_type(opp.event_code)
    for field in otype.fields if otype else ():
        item[field.schema] = opp.fields.get(field.schema)
    item.update(Owner=opp.owner, OpportunityNote=opp.note, CreatedOn=opp.created_on)
    item[OPPORTUNITY_ID] = opp.id
    return item


def _column(item: dict[str, Any], name: str) -> Any:
    wanted = name.casefold()
    return next((v for k, v in item.items() if k.casefold() == wanted), None)


def _project(item: dict[str, Any], columns: tuple[str, ...] | None) -> dict[str, Any]:
    if columns is None:
        return item
    wanted = {c.casefold() for c in columns} | {c.casefold() for c in ALWAYS}
    return {k: v for k, v in item.items() if k.casefold() in wanted}
