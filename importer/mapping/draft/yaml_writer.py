"""Laying a :class:`~importer.mapping.draft.plan.DraftPlan` out as a commented mapping file.

The YAML is written line by line rather than dumped whole, because the comments are half
its worth to the admin who edits it; every value still goes through ``yaml.safe_dump``
(:func:`scalar`, :func:`values_list`) so any option text - ``Yes``, ``044``, ``a: b``,
quotes, line breaks - reads back exactly as LeadSquared sent it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import yaml

from importer.mapping.draft.metadata import mapping_type
from importer.mapping.draft.plan import Column, DraftPlan, Rule

_WIDTH = 10**9  # never fold a value onto a second line: the layout around it is ours
_BREAKS = "\n\r\x85\u2028\u2029"
_FLOW_MAX = 100  # longer option lists are written one per line

HEADER = """\
# Mapping drafted by `lsq-import mapping-from-account` from the field metadata of the
# LeadSquared opportunity type {name} (event code {code}).
#
# Before using it:
#   1. Under `columns:`, rename each key to the exact header of that column in your
#      spreadsheet (the keys are LeadSquared's display names) and delete the columns your
#      sheet does not have. Columns the mapping does not name are ignored.
#   2. Set `timezone`, and add `date_format` / `country_code` where the comments suggest.
#   3. Check the `account:` rules against your account's Settings.
# mappings/opportunities.yaml explains every key. This file holds no keys or host.
"""


def scalar(text: str) -> str:
    """``text`` as one YAML scalar on one line, quoted only when it must be."""
    dumped = yaml.safe_dump(text, width=_WIDTH, allow_unicode=True)
    body = dumped.removesuffix("\n...\n").removesuffix("\n")
    if any(mark in body for mark in _BREAKS):
        # Single quotes would spread a line break over two lines; escapes keep it on one.
        body = yaml.safe_dump(text, width=_WIDTH, allow_unicode=True, default_style='"')
        body = body.removesuffix("\n")
    return body


def values_list(key: str, values: Sequence[str], indent: int) -> list[str]:
    """``key: [a, b]`` when it fits on a line, else ``key:`` and one ``- value`` per line."""
    pad = " " * indent
    flow = yaml.safe_dump(list(values), default_flow_style=True, width=_WIDTH, allow_unicode=True)
    flow = flow.removesuffix("\n")
    if len(flow) + indent + len(key) <= _FLOW_MAX and not any(m in flow for m in _BREAKS):
        return [f"{pad}{scalar(key)}: {flow}"]
    return [f"{pad}{scalar(key)}:", *(f"{pad}  - {scalar(v)}" for v in values)]


def comment(text: str) -> str:
    """Text safe inside a ``#`` comment: a line break would end the comment."""
    return "".join(" " if c in _BREAKS or not c.isprintable() else c for c in text)


def render(plan: DraftPlan) -> str:
    """The draft mapping file's text."""
    name = comment(repr(plan.type_name))
    lines = [HEADER.format(name=name, code=plan.event_code), *_top(plan), *_account(plan)]
    lines += ["", "columns:", *_columns(plan), *_left_out(plan)]
    return "\n".join(lines) + "\n"


def _top(plan: DraftPlan) -> list[str]:
    return [
        "version: 1",
        "target: auto  # bulk | capture | auto: bulk first, capture for leads not yet there",
        f"search_by: {scalar(plan.search_by)}  # the unique lead field that finds each row's lead",
        "",
        "# Sent with every opportunity. Safe defaults: nothing existing is overwritten or",
        "# emptied, and existing leads keep their owner.",
        "opportunity:",
        f"  event_code: {plan.event_code}  # {comment(plan.type_name)}",
        "  update_empty_fields: false  # cannot be true together with overwrite_fields",
        "  overwrite_fields: false",
        "  do_not_change_owner: true",
        "  do_not_post_duplicate_activity: false",
        "",
        "# The zone of the sheet's local date-times (e.g. Asia/Kolkata); they are sent as UTC.",
        "# QUESTION: UTC is a placeholder; the metadata does not say which zone your sheet uses.",
        "timezone: UTC",
    ]


def _account(plan: DraftPlan) -> list[str]:
    lines = ["", "# The account's rules; the dry run enforces them offline.", "account:"]
    if plan.comments_told:
        lines += ["  # Comments on opportunity status change, as the account's settings say."]
    elif plan.comments_on_status_change:
        lines += [
            "  # QUESTION: inferred, not read - this type has an mx_Custom_19 field, the one",
            "  # LeadSquared requires with a Status when comments on opportunity status change",
            "  # are on. Set false if they are off in your account's Settings.",
        ]
    else:
        lines += ["  # QUESTION: inferred - this type has no mx_Custom_19 (status comment) field."]
    lines.append(f"  comments_on_status_change: {str(plan.comments_on_status_change).lower()}")
    if plan.duplicate_key:
        lines += [
            "  # The type's duplicate detection fields: same lead + same values of these",
            "  # = the same opportunity.",
            *values_list("duplicate_key", plan.duplicate_key, 2),
        ]
    else:
        lines += [
            "  # Which fields make two opportunities of a lead the same one? Without",
            "  # duplicate_key, all of a row's opportunity fields do. Example:",
            "  # duplicate_key: [mx_Custom_1]",
        ]
    if plan.rules:
        lines.append("  # Dependent dropdowns: the metadata's ParentField and DependentOptionSet.")
        lines += ["  dependent_dropdowns:", *(line for r in plan.rules for line in _rule(r))]
    return lines


def _rule(rule: Rule) -> list[str]:
    lines = [
        f"    - parent: {scalar(rule.parent.field.target)}  # {comment(rule.parent.key)}",
        f"      child: {scalar(rule.child.field.target)}  # {comment(rule.child.key)}",
    ]
    lines.append("      options:")
    return lines + [line for p, c in rule.pairs for line in values_list(p, c, 8)]


def _columns(plan: DraftPlan) -> list[str]:
    lead = [c for c in plan.columns if c.field.place == "lead"]
    opportunity = [c for c in plan.columns if c.field.place == "opportunity"]
    lines = ["  # Lead fields (LeadSquared's LeadsMetaData, those shown in imports)"]
    lines += [line for column in lead for line in _column(column, plan.search_by)]
    lines += ["", f"  # Fields of the opportunity type {comment(repr(plan.type_name))}"]
    lines += [line for column in opportunity for line in _column(column, plan.search_by)]
    return lines + _meta_examples()


def _column(column: Column, search_by: str) -> list[str]:
    field = column.field
    lines = [f"  {scalar(column.key)}:", f"    to: {scalar(field.target)}"]
    lines += [f"    # {note}" for note in _notes(column, search_by)]
    if field.type != "String":
        lines.append(f"    type: {field.type}")
    if field.mandatory:
        lines.append("    mandatory: true")
    if field.length is not None:
        lines.append(f"    max_length: {field.length}")
    if field.choices:
        lines += values_list("options", field.choices, 4)
    return lines + [f"    # {hint}" for hint in _hints(field.type)]


def _notes(column: Column, search_by: str) -> Iterable[str]:
    field = column.field
    if field.place == "lead" and field.schema == search_by:
        yield "search_by: every row needs it to find (or create) its lead"
    if field.multi_select:
        yield "A multi-select dropdown: sent as written, its options are not checked."
    elif mapping_type(field.data_type) is None:
        kind = comment(repr(field.data_type))
        yield f"LeadSquared type {kind} is not one the dry run knows: checked as text."
    if field.type == "Dropdown" and not field.choices:
        yield "LeadSquared's metadata lists no options: add `options: [...]` to check them."


def _hints(kind: str) -> list[str]:
    if kind == "Phone":
        return ['country_code: "91"  # the code for numbers written without "+"']
    if kind in ("Date", "DateTime"):
        example = "%d/%m/%Y" + (" %H:%M" if kind == "DateTime" else "")
        return [f'date_format: "{example}"  # if the sheet\'s dates are not yyyy-mm-dd']
    return []


def _meta_examples() -> list[str]:
    return [
        "",
        "  # Not fields of the type, but sent with each opportunity when your sheet has them:",
        "  # Notes: {to: OpportunityNote}",
        "  # Enquiry Date: {to: OpportunityDateTime, type: DateTime}",
        "  # Owner Email: {to: OpportunityOwnerEmail, type: Email}",
    ]


def _left_out(plan: DraftPlan) -> list[str]:
    lines = [f"  #   {comment(reason)}" for reason in plan.left_out]
    if plan.hidden_lead_fields:
        lines.append(
            f"  #   {plan.hidden_lead_fields} lead field(s) LeadSquared hides from imports"
        )
    return ["", "  # Left out of this draft:", *lines] if lines else []
