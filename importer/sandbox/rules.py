"""The account's rules for opportunity fields: what LeadSquared refuses, and what it
accepts but cannot use (an invalid value — Capture then creates the lead but leaves the
opportunity unlinked, seed 000)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from importer.sandbox.account import Account, FieldDef, OpportunityType
from importer.sandbox.replies import (
    DEPENDENT_DROPDOWN,
    INVALID_FIELDS,
    INVALID_INPUT,
    INVALID_VALUE,
    Rejection,
)

COMMENT_FIELD = "mx_Custom_19"
_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M")
TRUE_WORDS = frozenset({"true", "yes", "1"})
FALSE_WORDS = frozenset({"false", "no", "0"})


@dataclass(frozen=True)
class FieldCheck:
    """``values`` by canonical schema name; ``rejection`` breaks a rule (never created);
    ``invalid`` is a value of the wrong kind (refused by Bulk, orphaned by Capture)."""

    values: dict[str, str]
    rejection: Rejection | None = None
    invalid: Rejection | None = None


def check_fields(account: Account, otype: OpportunityType, raw_fields: Any) -> FieldCheck:
    pairs = _pairs(raw_fields)
    if isinstance(pairs, Rejection):
        return FieldCheck({}, rejection=pairs)
    unknown = [name for name, _ in pairs if otype.field(name) is None]
    if unknown:
        return FieldCheck(
            {}, Rejection(INVALID_INPUT, f"Attribute(s) does not exist - {','.join(unknown)}")
        )
    values = {_schema(otype, name): value for name, value in pairs}
    rejection = _rule_breach(account, otype, values)
    invalid = None if rejection else _invalid_value(otype, values)
    return FieldCheck(_canonical(otype, values), rejection, invalid)


def _schema(otype: OpportunityType, name: str) -> str:
    found = otype.field(name)
    return found.schema if found else name


def _pairs(raw_fields: Any) -> list[tuple[str, str]] | Rejection:
    if raw_fields is None:
        return []
    if not isinstance(raw_fields, list) or not all(
        isinstance(f, dict) and isinstance(f.get("SchemaName"), str) for f in raw_fields
    ):
        return Rejection(INVALID_INPUT, "Fields must be a list of {SchemaName, Value} objects")
    return [(f["SchemaName"], _text(f.get("Value"))) for f in raw_fields]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _mandatory_message(field: FieldDef) -> str:
    # The documented wording (seed 001), used for every mandatory field.
    return f"Field name : '{field.schema}' of datatype : '{field.type}' is mandatory."


def _rule_breach(
    account: Account, otype: OpportunityType, values: dict[str, str]
) -> Rejection | None:
    for field in otype.fields:
        if field.mandatory and not values.get(field.schema):
            return Rejection(INVALID_FIELDS, _mandatory_message(field))
    comment = otype.field(COMMENT_FIELD)
    needs_comment = account.comments_on_status_change and values.get("Status")
    if comment and needs_comment and not values.get(comment.schema):
        return Rejection(INVALID_FIELDS, _mandatory_message(comment))
    for field in otype.fields:
        value = values.get(field.schema, "")
        if field.max_length and len(value) > field.max_length:
            return Rejection(
                INVALID_FIELDS,
                f"Field name : '{field.schema}' is longer than {field.max_length} characters.",
            )
    if account.dependent_dropdown_exceptions:
        return _dependent_breach(otype, values)
    return None


def _dependent_breach(otype: OpportunityType, values: dict[str, str]) -> Rejection | None:
    for child in otype.fields:
        value = values.get(child.schema)
        if not child.parent or not value:
            continue  # an empty child is allowed when not mandatory
        parent_value = values.get(child.parent, "")
        if not parent_value:
            return Rejection(
                DEPENDENT_DROPDOWN,
                f"Field '{child.schema}' is passed without its parent field '{child.parent}'.",
            )
        allowed = _casefolded(_dependent_options(child, parent_value))
        if value.casefold() not in allowed:
            return Rejection(
                DEPENDENT_DROPDOWN,
                f"Value '{value}' of field '{child.schema}' is not configured for "
                f"'{child.parent}' = '{parent_value}'.",
            )
    return None


def _dependent_options(child: FieldDef, parent_value: str) -> tuple[str, ...]:
    for parent, options in child.dependent.items():
        if parent.casefold() == parent_value.casefold():
            return options
    return ()


def _casefolded(options: tuple[str, ...]) -> set[str]:
    return {o.casefold() for o in options}


def _invalid_value(otype: OpportunityType, values: dict[str, str]) -> Rejection | None:
    for schema, value in values.items():
        field = otype.field(schema)
        if field and value and not value_fits(field, value):
            return Rejection(
                INVALID_VALUE, f"Invalid value '{value}' for field '{schema}' of type {field.type}."
            )
    return None


def value_fits(field: FieldDef, value: str) -> bool:
    """Whether a non-empty value is of the field's kind (LeadSquared's own parsing)."""
    if field.type == "Dropdown":
        return not field.options or value.casefold() in _casefolded(field.options)
    if field.type == "Number":
        try:
            return math.isfinite(float(value))
        except ValueError:
            return False
    if field.type in ("Date", "DateTime"):
        return parse_when(value) is not None
    if field.type == "Boolean":
        return value.casefold() in TRUE_WORDS | FALSE_WORDS
    return True


def parse_when(value: str) -> datetime | None:
    """A Date or DateTime value as LeadSquared reads it (``yyyy-mm-dd`` with or without a
    time), or None."""
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def _canonical(otype: OpportunityType, values: dict[str, str]) -> dict[str, str]:
    """Dropdown values are stored as configured ("open" -> "Open"); empties are dropped."""
    out = {}
    for schema, value in values.items():
        field = otype.field(schema)
        if field and field.type == "Dropdown":
            value = next((o for o in field.options if o.casefold() == value.casefold()), value)
        if value:
            out[schema] = value
    return out
