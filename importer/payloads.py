"""Request bodies: one mapped row plus the mapping's constants -> the JSON LeadSquared wants.

Two shapes, one per endpoint (see ../shared/reference/leadsquared-api.md):

* ``bulk_item`` - one element of the "Add Opportunities in Bulk" array (the lead is found by
  ``SearchBy`` in the URL and ``SearchByValue`` in the item; the lead must already exist);
* ``capture_body`` - the whole "Capture Opportunities" body (LeadDetails + Opportunity; the lead
  is created or updated from the row's lead attributes).

The sender only needs a handful of the mapping's settings, so they travel as a small frozen
:class:`SendSettings` built once from the mapping; that keeps sending testable without a
mapping file. Rows are also stored in the journal as JSON (``row_to_json``/``row_from_json``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from importer.model import OpportunityRow

JsonDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class SendSettings:
    """The constant part of every request, taken from the mapping."""

    search_by: str
    event_code: int
    update_empty_fields: bool = False
    overwrite_fields: bool = False
    do_not_change_owner: bool = True
    do_not_post_duplicate_activity: bool = False
    # Fields that identify "the same opportunity" of a lead; empty = all mapped fields.
    duplicate_key: tuple[str, ...] = ()
    # Opportunity fields with the same value on every row (mapping ``constants``).
    constants: tuple[tuple[str, str], ...] = ()
    # Schema name -> spreadsheet column, so server messages can name the column to fix.
    columns: tuple[tuple[str, str], ...] = ()

    def column_of(self, schema_name: str) -> str | None:
        """The spreadsheet column mapped to ``schema_name`` (case-insensitive), if any."""
        wanted = schema_name.casefold()
        return next((col for name, col in self.columns if name.casefold() == wanted), None)


class MappingLike(Protocol):
    """The attributes of ``importer.mapping.Mapping`` the sender reads."""

    @property
    def search_by(self) -> str: ...
    @property
    def event_code(self) -> int: ...
    @property
    def update_empty_fields(self) -> bool: ...
    @property
    def overwrite_fields(self) -> bool: ...
    @property
    def do_not_change_owner(self) -> bool: ...
    @property
    def do_not_post_duplicate_activity(self) -> bool: ...
    @property
    def duplicate_key(self) -> tuple[str, ...]: ...


def send_settings(mapping: MappingLike) -> SendSettings:
    """Build the sender's settings from a mapping.

    ``constants`` and ``fields`` are read leniently (a dict or pairs; fields as objects with
    ``column``/``target`` attributes) because only their names matter here.
    """
    return SendSettings(
        search_by=mapping.search_by,
        event_code=int(mapping.event_code),
        update_empty_fields=mapping.update_empty_fields,
        overwrite_fields=mapping.overwrite_fields,
        do_not_change_owner=mapping.do_not_change_owner,
        do_not_post_duplicate_activity=mapping.do_not_post_duplicate_activity,
        duplicate_key=tuple(mapping.duplicate_key),
        constants=_pairs(getattr(mapping, "constants", ())),
        columns=_columns(getattr(mapping, "fields", ())),
    )


def _pairs(value: Any) -> tuple[tuple[str, str], ...]:
    items = value.items() if hasattr(value, "items") else value
    return tuple((str(k), str(v)) for k, v in items)


def _columns(fields: Any) -> tuple[tuple[str, str], ...]:
    """Schema name -> column pairs from the mapping's field specs, whatever their container."""
    specs = fields.values() if hasattr(fields, "values") else fields
    pairs: list[tuple[str, str]] = []
    for spec in specs:
        column = getattr(spec, "column", None)
        target = getattr(spec, "target", None) or getattr(spec, "to", None)
        if isinstance(column, str) and isinstance(target, str):
            pairs.append((target.removeprefix("lead."), column))
    return tuple(pairs)


def opportunity_fields(row: OpportunityRow, settings: SendSettings) -> tuple[tuple[str, str], ...]:
    """The row's fields plus the mapping's constants (a value in the row wins)."""
    present = {name for name, _ in row.fields}
    extra = tuple((name, value) for name, value in settings.constants if name not in present)
    return row.fields + extra


def _field_list(pairs: Iterable[tuple[str, str]]) -> list[JsonDict]:
    return [{"SchemaName": name, "Value": value} for name, value in pairs]


def _flags(settings: SendSettings) -> JsonDict:
    return {
        "UpdateEmptyFields": settings.update_empty_fields,
        "DoNotChangeOwner": settings.do_not_change_owner,
        "OverwriteFields": settings.overwrite_fields,
        "DoNotPostDuplicateActivity": settings.do_not_post_duplicate_activity,
    }


def bulk_item(row: OpportunityRow, settings: SendSettings) -> JsonDict:
    """One item of a bulk request. The bulk API documents no OpportunityDateTime, so the
    row's date is not sent here (capture sends it)."""
    item: JsonDict = {
        "SearchByValue": row.search_value,
        "OpportunityEventCode": settings.event_code,
    }
    if row.note is not None:
        item["OpportunityNote"] = row.note
    if row.owner_email is not None:
        item["OpportunityOwnerEmail"] = row.owner_email
    item.update(_flags(settings))
    item["Fields"] = _field_list(opportunity_fields(row, settings))
    return item


def lead_details(row: OpportunityRow, settings: SendSettings) -> list[JsonDict]:
    """LeadDetails with the unique field always present and ``SearchBy`` naming it last."""
    pairs = list(row.lead)
    wanted = settings.search_by.casefold()
    if not any(name.casefold() == wanted for name, _ in pairs):
        pairs.insert(0, (settings.search_by, row.search_value))
    details = [{"Attribute": name, "Value": value} for name, value in pairs]
    details.append({"Attribute": "SearchBy", "Value": settings.search_by})
    return details


def capture_body(row: OpportunityRow, settings: SendSettings) -> JsonDict:
    """The body of one Capture Opportunities request."""
    opportunity: JsonDict = {"OpportunityEventCode": settings.event_code}
    if row.note is not None:
        opportunity["OpportunityNote"] = row.note
    if row.when is not None:
        opportunity["OpportunityDateTime"] = row.when
    if row.owner_email is not None:
        opportunity["OpportunityOwnerEmail"] = row.owner_email
    opportunity.update(_flags(settings))
    opportunity["Fields"] = _field_list(opportunity_fields(row, settings))
    return {"LeadDetails": lead_details(row, settings), "Opportunity": opportunity}


def row_to_json(row: OpportunityRow) -> str:
    """The journal's copy of a row: enough to resend it after a crash without the input file."""
    data = {
        "sheet": row.sheet,
        "row": row.row,
        "search_value": row.search_value,
        "lead": [list(p) for p in row.lead],
        "fields": [list(p) for p in row.fields],
        "note": row.note,
        "when": row.when,
        "owner_email": row.owner_email,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def row_from_json(text: str) -> OpportunityRow:
    """Inverse of :func:`row_to_json`."""
    data = json.loads(text)
    return OpportunityRow(
        sheet=data["sheet"],
        row=int(data["row"]),
        search_value=data["search_value"],
        lead=tuple((str(a), str(b)) for a, b in data["lead"]),
        fields=tuple((str(a), str(b)) for a, b in data["fields"]),
        note=data["note"],
        when=data["when"],
        owner_email=data["owner_email"],
    )
