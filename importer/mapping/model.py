"""What a mapping file says, as frozen data every later stage reads.

A :class:`Mapping` is built only by :func:`importer.mapping.loader.load_mapping`, which has
already refused every impossible combination, so stages can trust it without re-checking.
"""

from __future__ import annotations

from collections.abc import Mapping as ReadOnlyMap
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from importer.model import Target

if TYPE_CHECKING:
    from importer.mapping.noojee import NoojeeSection

# "noojee": a Noojee Contact template or system field (a mapping with destination: noojee).
Place = Literal["lead", "opportunity", "meta", "noojee"]

# The value types a column can have; the loader accepts them in any letter case.
TYPES = ("String", "Number", "Date", "DateTime", "Email", "Phone", "Dropdown", "Boolean")

# Opportunity targets that are not in ``Fields`` but top-level keys of the request body.
META_TARGETS = ("OpportunityNote", "OpportunityDateTime", "OpportunityOwnerEmail")

# Prefix of LeadDetails attributes, both in mapping files and in CheckedChunk columns.
LEAD_PREFIX = "lead."

# LeadSquared's "comment on status change" field: mandatory with a Status when the
# account enables comments on status change (seed 001).
COMMENT_FIELD = "mx_Custom_19"
STATUS_FIELD = "Status"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One spreadsheet column and where its cleaned value goes."""

    column: str | None  # the spreadsheet header; None is reserved for computed fields
    target: str  # schema name without "lead."
    place: Place
    type: str  # one of TYPES
    mandatory: bool = False
    options: tuple[str, ...] | None = None  # Dropdown: allowed values, canonical spelling
    values: tuple[tuple[str, str], ...] = ()  # lower-cased raw value -> value sent
    default: str | None = None
    max_length: int | None = None
    trim: bool = True
    date_format: str | None = None
    country_code: str | None = None
    decimal: str = "."  # Number: the decimal mark as typed in the sheet
    thousands: str = ","  # Number: the grouping mark as typed ("" = none)

    @property
    def key(self) -> str:
        """The column name in a CheckedChunk: ``lead.X`` for lead fields, bare otherwise."""
        return LEAD_PREFIX + self.target if self.place == "lead" else self.target

    @property
    def label(self) -> str:
        """How messages name this field's spreadsheet column."""
        return self.column if self.column is not None else self.key


@dataclass(frozen=True, slots=True)
class DependentRule:
    """A dependent dropdown: ``child`` values allowed under each ``parent`` value."""

    parent: str  # target key (as FieldSpec.key)
    child: str
    options: ReadOnlyMap[str, tuple[str, ...]]  # parent value -> child values (read-only)

    def allowed(self, parent_value: str) -> tuple[str, ...]:
        return self.options.get(parent_value, ())


@dataclass(frozen=True, slots=True)
class Mapping:
    """A loaded, checked mapping file."""

    path: Path
    target: Target
    search_by: str  # lead attribute, without "lead."
    event_code: int
    update_empty_fields: bool
    overwrite_fields: bool
    do_not_change_owner: bool
    do_not_post_duplicate_activity: bool
    timezone: str
    comments_on_status_change: bool
    duplicate_key: tuple[str, ...]  # target keys
    dependent_dropdowns: tuple[DependentRule, ...]
    constants: tuple[tuple[str, str], ...]  # target key -> value, sent with every row
    fields: tuple[FieldSpec, ...]
    digest: str  # its meaning, not its bytes (importer.mapping.digest): runs are keyed by it
    noojee: NoojeeSection | None = None  # destination: noojee (importer.mapping.noojee)
    sheet: str | None = None  # the sheet to read, when the mapping names it
    header_row: int | None = None  # the row holding the column names, when not row 1

    def field_for(self, target: str) -> FieldSpec | None:
        """The field whose key (``lead.EmailAddress``, ``Status``) is ``target``."""
        for spec in self.fields:
            if spec.key == target:
                return spec
        return None

    @property
    def search_key(self) -> str:
        """The CheckedChunk column holding each row's SearchBy value."""
        return LEAD_PREFIX + self.search_by

    def constant(self, target: str) -> str | None:
        return dict(self.constants).get(target)
