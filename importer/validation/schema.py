"""The pandera schemas a mapping implies.

Design for speed (see benchmarks/validate_bench.py): every check is a *column* check or a
check on a narrow frame of only the columns a rule involves, because pandera reports a
failed dataframe-wide check once per column of the frame. Check names are the stable
problem codes, with ``#<n>`` for the n-th dependent rule, so failure cases map to codes
without parsing pandera's text report. Nothing is coerced and frames are validated in
place: the values are already clean strings.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pandera.pandas as pa

from importer.mapping.model import COMMENT_FIELD, STATUS_FIELD, DependentRule, FieldSpec, Mapping
from importer.mapping.normalise import valid

EARLIER_ROW = "__earlier_row__"  # rules frame column: the row this one duplicates, or 0
TYPE_CODES = {
    "Email": "invalid_email",
    "Phone": "invalid_phone",
    "Number": "bad_number",
    "Boolean": "bad_boolean",
    "Date": "bad_datetime",
    "DateTime": "bad_datetime",
    "Dropdown": "not_an_option",
}
SeriesCheck = Callable[[pd.Series], pd.Series]


def field_schema(mapping: Mapping) -> pa.DataFrameSchema:
    """Column checks of every mapped field: required, type, options, length."""
    columns = {spec.key: _column(field_checks(spec, mapping)) for spec in mapping.fields}
    return pa.DataFrameSchema(columns, coerce=False, strict=False)


def _column(checks: list[pa.Check]) -> pa.Column:
    # nullable: cells are never null ("" is empty), so pandera need not look for nulls.
    return pa.Column(checks=checks, nullable=True)


def field_checks(spec: FieldSpec, mapping: Mapping) -> list[pa.Check]:
    checks: list[pa.Check] = []
    if spec.key == mapping.search_key:
        checks.append(_check(_not_empty, "missing_unique_field"))
    elif spec.mandatory:
        checks.append(_check(_not_empty, "mandatory_missing"))
    code = TYPE_CODES.get(spec.type)
    if code and (spec.type != "Dropdown" or spec.options):
        checks.append(_check(lambda cells: valid(cells, spec), code))
    if spec.max_length is not None:
        limit = spec.max_length
        checks.append(_check(lambda cells: cells.str.len().le(limit), "too_long"))
    return checks


def rule_columns(mapping: Mapping) -> tuple[str, ...]:
    """The value columns the cross-field rules read (the rules frame's narrow slice)."""
    keys: list[str] = []
    for rule in mapping.dependent_dropdowns:
        keys += [rule.parent, rule.child]
    if comment_rule_applies(mapping):
        keys += [STATUS_FIELD, COMMENT_FIELD]
    return tuple(dict.fromkeys(keys))


def comment_rule_applies(mapping: Mapping) -> bool:
    has_status = mapping.field_for(STATUS_FIELD) or mapping.constant(STATUS_FIELD) is not None
    return mapping.comments_on_status_change and bool(has_status)


def rules_schema(mapping: Mapping) -> pa.DataFrameSchema:
    """Cross-field rules, run on a frame of rule_columns() plus EARLIER_ROW."""
    checks: list[pa.Check] = []
    for number, rule in enumerate(mapping.dependent_dropdowns):
        checks += _dependent_checks(rule, number, mapping.field_for(rule.parent))
    if comment_rule_applies(mapping):
        checks.append(_check(_comment_given, "comment_required"))
    duplicate = _column([_check(lambda rows: rows.eq(0), "duplicate_in_file")])
    return pa.DataFrameSchema({EARLIER_ROW: duplicate}, checks=checks, coerce=False)


def _dependent_checks(
    rule: DependentRule, number: int, parent_spec: FieldSpec | None
) -> list[pa.Check]:
    pairs = {f"{parent}\x1f{child}" for parent, kids in rule.options.items() for child in kids}
    # A parent value that is not an option at all is already not_an_option; a valid parent
    # value the rule gives no children (e.g. Lost) makes every child a mismatch.
    parents = None if parent_spec is None or not parent_spec.options else parent_spec.options

    def has_parent(frame: pd.DataFrame) -> pd.Series:
        return frame[rule.parent].ne("") | frame[rule.child].eq("")

    def configured(frame: pd.DataFrame) -> pd.Series:
        parent, child = frame[rule.parent], frame[rule.child]
        judged = parent.ne("") & child.ne("")
        if parents is not None:
            judged &= parent.isin(parents)
        return ~judged | (parent + "\x1f" + child).isin(pairs)

    return [
        _check(has_parent, f"child_without_parent#{number}"),
        _check(configured, f"dependent_dropdown_mismatch#{number}"),
    ]


def _comment_given(frame: pd.DataFrame) -> pd.Series:
    return frame[STATUS_FIELD].eq("") | frame[COMMENT_FIELD].ne("")


def _not_empty(cells: pd.Series) -> pd.Series:
    return cells.ne("")


def _check(fn: Callable[..., pd.Series], name: str) -> pa.Check:
    return pa.Check(fn, name=name, error=name)
