"""Drafting a mapping file from the account's own field metadata (promise 3: the dry run
knows the server's rules offline).

Pure: the replies of GetOpportunityTypeMetadata and LeadsMetaData.Get go in, a
:class:`DraftPlan` (which columns, which rules, what was left out and why) comes out, and
:func:`importer.mapping.draft.yaml_writer.render` turns it into commented YAML. Every decision
here keeps the draft loadable by :func:`importer.mapping.load_mapping` as it stands: a field the
loader would refuse is left out with the reason, never written half-right.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from importer.errors import MappingError, UsageError
from importer.mapping.columns import parse_target
from importer.mapping.draft.metadata import (
    AccountField,
    Pairs,
    lead_field,
    opportunity_field,
    option_values,
    schema_of,
    text_of,
)
from importer.mapping.model import COMMENT_FIELD, LEAD_PREFIX
from importer.mapping.section import Section
from importer.mapping.yamltext import YamlMap


@dataclass(frozen=True)
class Column:
    key: str  # the column's key in the draft (the admin renames it to the sheet's header)
    field: AccountField


@dataclass(frozen=True)
class Rule:
    parent: Column
    child: Column
    pairs: Pairs


@dataclass(frozen=True)
class DraftPlan:
    """Everything the draft says, decided; rendering only lays it out."""

    type_name: str
    event_code: int
    search_by: str
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...]
    comments_on_status_change: bool
    comments_told: bool  # read from the account's metadata (else inferred: a question)
    duplicate_key: tuple[str, ...]
    left_out: tuple[str, ...]  # one line each: which field and why
    hidden_lead_fields: int  # lead fields LeadSquared keeps out of imports


# -- deciding the draft ----------------------------------------------------------------


def plan_draft(
    type_metadata: dict[str, Any],
    leads_metadata: Sequence[dict[str, Any]],
    search_by: str = "EmailAddress",
) -> DraftPlan:
    """What the draft for one opportunity type holds; UsageError when ``search_by`` is not
    a unique lead field of the account."""
    leads = [lead_field(raw) for raw in leads_metadata if schema_of(raw)]
    search = _search_field(leads, search_by)
    shown = [f for f in leads if f is search or (f.in_import and not f.read_only)]
    opportunity = [opportunity_field(raw) for raw in _fields(type_metadata) if schema_of(raw)]
    left_out = [f"{_label(f)}: read-only in LeadSquared" for f in opportunity if f.read_only]
    fields = [replace(f, mandatory=True) if f is search else f for f in shown]
    columns = _columns([*fields, *(f for f in opportunity if not f.read_only)], left_out)
    rules = _rules(columns, left_out)
    mapped = {c.field.target: c for c in columns}
    return DraftPlan(
        type_name=text_of(type_metadata.get("Name")) or "this opportunity type",
        event_code=int(type_metadata.get("EventCode") or 0),
        search_by=search.schema,
        columns=columns,
        rules=rules,
        comments_on_status_change=_comments(type_metadata, mapped),
        comments_told=isinstance(type_metadata.get("CommentsOnStatusChange"), bool),
        duplicate_key=tuple(
            k for k in option_values(type_metadata.get("DuplicateDetectionFields")) if k in mapped
        ),
        left_out=tuple(left_out),
        hidden_lead_fields=len(leads) - len(shown),
    )


def _comments(type_metadata: dict[str, Any], mapped: dict[str, Column]) -> bool:
    """Comments on status change as the metadata says; when it does not say (LeadSquared's
    own metadata may not), a guess: the type has the comment field."""
    told = type_metadata.get("CommentsOnStatusChange")
    return told if isinstance(told, bool) else COMMENT_FIELD in mapped


def _search_field(leads: list[AccountField], search_by: str) -> AccountField:
    """The lead field that finds each row's lead: it must be unique and sendable."""
    wanted = search_by.strip().removeprefix(LEAD_PREFIX).casefold()
    # Without IsUnique anywhere the account cannot be asked; LeadSquared will say.
    told = any(f.unique is not None for f in leads)
    unique = [f for f in leads if (f.unique or not told) and not _refused(f.target)]
    for field in unique:
        if field.schema.casefold() == wanted:
            return field
    listed = ", ".join(f.schema for f in unique) or "none"
    raise UsageError(
        f"--search-by {search_by}: not a unique lead field of this account "
        f"(its unique lead fields: {listed})."
    )


def _columns(fields: list[AccountField], left_out: list[str]) -> tuple[Column, ...]:
    """One column per field the loader accepts, keyed by a display name not yet used."""
    columns: list[Column] = []
    keys: set[str] = set()
    targets: set[str] = set()
    for field in fields:
        refused = _refused(field.target)
        if refused or field.target in targets:
            left_out.append(f"{_label(field)}: {refused or 'a second field with this name'}")
            continue
        key = next(k for k in _key_candidates(field) if k not in keys)
        keys.add(key)
        targets.add(field.target)
        columns.append(Column(key, field))
    return tuple(columns)


def _key_candidates(field: AccountField) -> Iterable[str]:
    yield field.label
    yield f"{field.label} ({field.target})"
    number = 2
    while True:
        yield f"{field.label} ({field.target}) {number}"
        number += 1


def _refused(target: str) -> str | None:
    """Why the mapping loader refuses ``target`` (e.g. as a typo of a known name), if it does."""
    section = Section(Path("draft"), "", YamlMap(1), None)
    try:
        parse_target(section, "to", target)
    except MappingError as exc:
        return str(exc).split(": ", 2)[-1]
    return None


def _rules(columns: tuple[Column, ...], left_out: list[str]) -> tuple[Rule, ...]:
    by_name = {c.field.schema.casefold(): c for c in columns if c.field.place == "opportunity"}
    rules = []
    for child in columns:
        field = child.field
        if field.place != "opportunity" or not field.parent:
            continue
        parent = by_name.get(field.parent.casefold())
        why = _rule_gap(field, parent)
        if why or parent is None:
            left_out.append(f"the dependent dropdown {_label(field)}: {why}")
            continue
        allowed = parent.field.choices
        pairs = tuple((p, c) for p, c in field.dependent if not allowed or p in allowed)
        stray = [p for p, _ in field.dependent if allowed and p not in allowed]
        if stray:
            left_out.append(
                f"the dependent dropdown {_label(field)} under {', '.join(stray)}: "
                f"not options of {parent.field.label}"
            )
        if pairs:
            rules.append(Rule(parent, child, pairs))
    return tuple(rules)


def _rule_gap(field: AccountField, parent: Column | None) -> str:
    if parent is None or parent.field is field:
        return f"its parent field {field.parent} is not in the draft"
    if not field.dependent:
        return (
            f"the metadata lists no {field.parent} value -> {field.label} values pairs; "
            "add them under account.dependent_dropdowns by hand"
        )
    return ""


# -- small helpers ---------------------------------------------------------------------


def _fields(type_metadata: dict[str, Any]) -> list[dict[str, Any]]:
    fields = type_metadata.get("Fields")
    return [f for f in fields if isinstance(f, dict)] if isinstance(fields, list) else []


def _label(field: AccountField) -> str:
    return f"{field.label} ({field.target})"
