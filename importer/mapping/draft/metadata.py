"""The account's field metadata, read into :class:`AccountField` values in the mapping's
terms (types, options, dependent pairs) for :mod:`importer.mapping.draft.plan`.

Read leniently: LeadSquared documents the metadata only loosely (OptionSet is a JSON
*string*, DependentOptionSet's shape is not documented), so anything missing or unreadable
becomes "not given" and the draft says what to add by hand, rather than stopping.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from importer.mapping.model import LEAD_PREFIX

# LeadSquared DataType (any case) -> the mapping's type. Anything else is read as text.
TYPES = {
    "text": "String",
    "string": "String",
    "textarea": "String",
    "number": "Number",
    "decimal": "Number",
    "date": "Date",
    "datetime": "DateTime",
    "email": "Email",
    "phone": "Phone",
    "dropdown": "Dropdown",
    "select": "Dropdown",
    "boolean": "Boolean",
    "checkbox": "Boolean",
}
# Types whose length LeadSquared checks; the others are checked by their form or options.
_TEXT_TYPES = ("String", "Email", "Phone")
_CUSTOM = re.compile(r"mx_custom_(\d+)", re.IGNORECASE)

Pairs = tuple[tuple[str, tuple[str, ...]], ...]  # parent value -> child values


def mapping_type(data_type: object) -> str | None:
    """The mapping's type for a LeadSquared DataType; None when it is not one we know."""
    return TYPES.get(str(data_type or "").strip().casefold())


@dataclass(frozen=True)
class AccountField:
    """One field as the account's metadata describes it, in the mapping's terms."""

    schema: str
    label: str  # LeadSquared's display name
    place: Literal["lead", "opportunity"]
    data_type: str  # LeadSquared's own name for the type, for comments
    mandatory: bool = False
    max_length: int | None = None
    options: tuple[str, ...] = ()
    parent: str | None = None  # schema name of the parent of a dependent dropdown
    dependent: Pairs = ()
    read_only: bool = False
    multi_select: bool = False
    in_import: bool = True  # LeadsMetaData's ShowInImport
    unique: bool | None = None  # LeadsMetaData's IsUnique; None when it is not given

    @property
    def target(self) -> str:
        return LEAD_PREFIX + self.schema if self.place == "lead" else self.schema

    @property
    def type(self) -> str:
        # A multi-select cell holds several options at once: checked as text only.
        known = mapping_type(self.data_type)
        if self.multi_select:
            return "String"
        if self.options and known != "Boolean":
            # Options listed are what the field takes, whatever LeadSquared calls its type
            # (its Status field is not typed "Dropdown").
            return "Dropdown"
        return "String" if known is None else known

    @property
    def length(self) -> int | None:
        return self.max_length if self.type in _TEXT_TYPES else None

    @property
    def choices(self) -> tuple[str, ...]:
        """The options a Dropdown column lists: the OptionSet, else every child value."""
        if self.type != "Dropdown":
            return ()
        return self.options or _unique(v for _, values in self.dependent for v in values)


# -- reading the metadata ------------------------------------------------------------


def opportunity_field(raw: dict[str, Any]) -> AccountField:
    """An AccountField from one item of GetOpportunityTypeMetadata's ``Fields``."""
    field = _field(raw, "opportunity", raw.get("MaxFieldLength"), raw.get("OptionSet"))
    return replace(
        field,
        parent=text_of(raw.get("ParentField")) or None,
        dependent=dependent_options(raw.get("DependentOptionSet")),
        multi_select=_flag(raw.get("IsMultiSelectDropdown")),
    )


def lead_field(raw: dict[str, Any]) -> AccountField:
    """An AccountField from one item of LeadsMetaData.Get."""
    field = _field(raw, "lead", raw.get("MaxLength"), raw.get("Options"))
    return replace(
        field,
        in_import=_flag(raw.get("ShowInImport"), default=True),
        unique=None if raw.get("IsUnique") is None else _flag(raw.get("IsUnique")),
    )


def _field(
    raw: dict[str, Any], place: Literal["lead", "opportunity"], max_length: Any, options: Any
) -> AccountField:
    """What both metadata calls say of a field, under the same keys; the length and the
    options come under keys of each call's own."""
    schema = schema_of(raw)
    return AccountField(
        schema=schema,
        label=text_of(raw.get("DisplayName")) or schema,
        place=place,
        data_type=text_of(raw.get("DataType")) or "String",
        mandatory=_flag(raw.get("IsMandatory")),
        max_length=_length(max_length),
        options=option_values(options),
        read_only=_flag(raw.get("IsReadOnly")),
    )


def option_values(raw: Any) -> tuple[str, ...]:
    """Option values from a list of ``{Value}`` items or of plain values, or such a list
    as a JSON string (LeadSquared's OptionSet); empty or unreadable gives ()."""
    items = _json_list(raw)
    values = (item.get("Value") if isinstance(item, dict) else item for item in items)
    return _unique(str(v) for v in values if v is not None and str(v).strip())


def dependent_options(raw: Any) -> Pairs:
    """Parent value -> child values from a DependentOptionSet.

    The sandbox serves a JSON string of ``[{"ParentValue": p, "Options": [{"Value": c}]}]``;
    LeadSquared's own shape is not documented, so a ``{p: [c, ...]}`` object and the item
    keys ``ParentOption``/``Parent`` and ``OptionSet``/``Values`` are read too. Missing,
    empty or unreadable gives () and the draft says the pairs must be added by hand.
    """
    data = _json(raw)
    if isinstance(data, dict):
        items: Iterable[tuple[Any, Any]] = data.items()
    else:
        items = (
            (_first(item, "ParentValue", "ParentOption", "Parent"), _first(item, *_CHILD_KEYS))
            for item in (data if isinstance(data, list) else [])
            if isinstance(item, dict)
        )
    merged: dict[str, tuple[str, ...]] = {}
    for parent, children in items:
        if parent is not None and str(parent).strip():
            key = str(parent)
            merged[key] = _unique((*merged.get(key, ()), *option_values(children)))
    return tuple(merged.items())


_CHILD_KEYS = ("Options", "OptionSet", "Values")


# -- small readers ---------------------------------------------------------------------


def schema_of(raw: dict[str, Any]) -> str:
    """The schema name; ``mx_custom_7`` in LeadSquared's spelling, as the loader wants it."""
    schema = text_of(raw.get("SchemaName"))
    custom = _CUSTOM.fullmatch(schema)
    return f"mx_Custom_{custom.group(1)}" if custom else schema


def text_of(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _flag(value: Any, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


def _length(value: Any) -> int | None:
    try:
        length = int(str(value).strip())
    except ValueError:
        return None
    return length if length > 0 else None


def _json(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw) if raw.strip() else None
        except ValueError:
            return None
    return raw


def _json_list(raw: Any) -> list[Any]:
    data = _json(raw)
    return data if isinstance(data, list) else []


def _first(item: dict[str, Any], *keys: str) -> Any:
    return next((item[k] for k in keys if item.get(k) is not None), None)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))
