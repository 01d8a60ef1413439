"""Request bodies: one send-ready row plus the mapping's request settings -> the JSON
LeadSquared wants. Two shapes, one per endpoint (as LeadSquared's API pages document them):

* ``bulk_item`` - one element of the "Add Opportunities in Bulk" array (the lead is found by
  ``SearchBy`` in the URL and ``SearchByValue`` in the item; the lead must already exist);
* ``capture_body`` - the whole "Capture Opportunities" body (LeadDetails + Opportunity; the lead
  is created or updated from the row's lead attributes).

The seam from the mapping: :class:`SendSettings`, a small frozen object built from the
:class:`~importer.mapping.Mapping` by :func:`importer.pipeline.send_settings` (one function),
so sending is testable without a mapping file. The mapping's constants are not here: they
are already in each row, put there once by :func:`importer.pipeline.opportunity_rows`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from importer.model import JsonDict, OpportunityRow, Problem

# What LeadSquared takes as an opportunity field's SchemaName: Status, mx_Custom_3, ...
# A "lead." attribute or a dotted name inside Fields is refused ("Attribute(s) does not
# exist"), whatever the row's values.
_SCHEMA_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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
    # Schema name -> spreadsheet column, so server messages can name the column to fix.
    columns: tuple[tuple[str, str], ...] = ()

    def column_of(self, schema_name: str) -> str | None:
        """The spreadsheet column mapped to ``schema_name`` (case-insensitive), if any."""
        wanted = schema_name.casefold()
        return next((col for name, col in self.columns if name.casefold() == wanted), None)


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
    return _opportunity(row, settings, {"SearchByValue": row.search_value}, when=None)


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
    opportunity = _opportunity(row, settings, {}, when=row.when)
    return {"LeadDetails": lead_details(row, settings), "Opportunity": opportunity}


def _opportunity(
    row: OpportunityRow, settings: SendSettings, head: JsonDict, when: str | None
) -> JsonDict:
    """The opportunity as bulk and capture both send it, after ``head``; the values the
    row leaves empty are left out, not sent empty."""
    item: JsonDict = {**head, "OpportunityEventCode": settings.event_code}
    optional = (
        ("OpportunityNote", row.note),
        ("OpportunityDateTime", when),
        ("OpportunityOwnerEmail", row.owner_email),
    )
    item.update((name, value) for name, value in optional if value is not None)
    item.update(_flags(settings))
    item["Fields"] = _field_list(row.fields)
    return item


@lru_cache(maxsize=1024)
def refused_names(names: frozenset[str]) -> tuple[str, ...]:
    """Of ``names`` (the field names of one row's bodies), those that cannot be an
    opportunity field's SchemaName, sorted. Cached: a file's rows share a few name sets."""
    return tuple(sorted(name for name in names if not _SCHEMA_NAME.match(name)))


def schema_name_problem(row: OpportunityRow, name: str, settings: SendSettings) -> Problem | None:
    """A problem when ``name`` cannot be an opportunity field's SchemaName."""
    if _SCHEMA_NAME.match(name):
        return None
    column = settings.column_of(name)
    message = (
        f"Row {row.row}: '{name}' would be sent as an opportunity field, which LeadSquared "
        "refuses (\"Attribute(s) does not exist\"); fix the mapping's 'to:' or 'constants:'"
    )
    return Problem(row.sheet, row.row, column, name, "unknown_field", message)
