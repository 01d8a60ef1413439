"""Loading a mapping file: YAML -> a checked, frozen :class:`Mapping`.

Everything that would make a run impossible is refused here, once, with a one-line
MappingError naming the file and the key (exit code 2), so no later stage meets it.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

from importer.errors import MappingError
from importer.mapping.columns import parse_column, parse_constants, parse_target
from importer.mapping.digest import semantic_digest
from importer.mapping.model import COMMENT_FIELD, LEAD_PREFIX, DependentRule, FieldSpec, Mapping
from importer.mapping.noojee import destination, load_noojee
from importer.mapping.section import Section, did_you_mean
from importer.mapping.yamltext import read_yaml
from importer.model import TARGETS
from importer.wording import listing, quoted

TOP_KEYS = (
    "version",
    "destination",
    "sheet",
    "header_row",
    "target",
    "search_by",
    "opportunity",
    "timezone",
    "account",
    "constants",
    "columns",
)
OPPORTUNITY_KEYS = (
    "event_code",
    "update_empty_fields",
    "overwrite_fields",
    "do_not_change_owner",
    "do_not_post_duplicate_activity",
)
ACCOUNT_KEYS = ("comments_on_status_change", "duplicate_key", "dependent_dropdowns")
RULE_KEYS = ("parent", "child", "options")


def load_mapping(path: str | Path) -> Mapping:
    """The checked mapping in ``path``; MappingError (exit 2) when anything is wrong."""
    path = Path(path)
    document, _ = read_yaml(path)
    _refuse_non_mapping(path, document)
    if destination(path, document) == "noojee":
        return load_noojee(path, document)
    top = Section(path, "", document, TOP_KEYS)
    if top.text("version", "1") != "1":
        top.fail(f"version {quoted(top.text('version'))} is not supported (only 1)", "version")
    fields = _fields(top)
    constants = parse_constants(top.sub("constants", None))
    _refuse_constant_clash(top, fields, constants)
    opportunity = top.sub("opportunity", OPPORTUNITY_KEYS, required=True)
    account = top.sub("account", ACCOUNT_KEYS)
    mapped = {f.key for f in fields}
    overwrite = opportunity.flag("overwrite_fields", False)
    update_empty = opportunity.flag("update_empty_fields", False)
    if overwrite and update_empty:
        opportunity.fail(
            "LeadSquared refuses overwrite_fields and update_empty_fields both true; set one false",
            "overwrite_fields",
        )
    comments = account.flag("comments_on_status_change", False)
    _check_comment_field(account, comments, mapped, dict(constants))
    mapping = Mapping(
        path=path,
        target=top.choice("target", TARGETS, "auto"),  # type: ignore[arg-type]
        search_by=_search_by(top, fields),
        event_code=opportunity.whole("event_code", required=True) or 0,
        update_empty_fields=update_empty,
        overwrite_fields=overwrite,
        do_not_change_owner=opportunity.flag("do_not_change_owner", False),
        do_not_post_duplicate_activity=opportunity.flag("do_not_post_duplicate_activity", False),
        timezone=_timezone(top),
        comments_on_status_change=comments,
        duplicate_key=_duplicate_key(account, mapped),
        dependent_dropdowns=_dependent_rules(account, fields, dict(constants)),
        constants=constants,
        fields=fields,
        digest="",
        sheet=top.text("sheet") or None,
        header_row=top.whole("header_row"),
    )
    return replace(mapping, digest=semantic_digest(mapping))


def _refuse_non_mapping(path: Path, document: object) -> None:
    """A clear word for an empty file, or a spreadsheet passed as the mapping by mistake."""
    if document is None:
        raise MappingError(
            f"{path}: the mapping file is empty; start from the commented example "
            "mappings/opportunities.yaml"
        )
    if isinstance(document, str):
        raise MappingError(
            f"{path}: this is not a mapping file (YAML 'key: value' lines); it starts with "
            f"{quoted(document, 40)} — was the spreadsheet given as --mapping?"
        )


def missing_columns(mapping: Mapping, headers: Sequence[str]) -> list[str]:
    """The columns the mapping names that are not among ``headers``, in mapping order."""
    present = set(headers)
    return [f.column for f in mapping.fields if f.column is not None and f.column not in present]


def check_headers(mapping: Mapping, headers: Sequence[str], source_name: str) -> None:
    """MappingError when a column the mapping names is missing from the file's headers."""
    missing = missing_columns(mapping, headers)
    if not missing:
        return
    first = missing[0]
    hint = did_you_mean(first, [h for h in headers if h not in _mapped_columns(mapping)])
    if hint:
        # Either side may hold the typo: the sheet's header is as likely misspelt.
        hint += " (if the sheet's header is the one misspelt, correct it in the sheet)"
    more = f" (also missing: {listing(missing[1:])})" if missing[1:] else ""
    raise MappingError(
        f"{mapping.path}: columns.{first}: column {quoted(first)} is not in {source_name}"
        f"{hint}{more}"
    )


def _mapped_columns(mapping: Mapping) -> set[str]:
    return {f.column for f in mapping.fields if f.column is not None}


def _fields(top: Section) -> tuple[FieldSpec, ...]:
    columns = top.sub("columns", None, required=True)
    if not columns.data:
        columns.fail("no columns are mapped")
    fields: list[FieldSpec] = []
    seen: dict[str, str] = {}
    for header in columns.data:
        spec = parse_column(columns, header)
        if spec.key in seen:
            columns.fail(
                f"{quoted(header)} and {quoted(seen[spec.key])} both go to {spec.key}", header
            )
        seen[spec.key] = header
        fields.append(spec)
    return tuple(fields)


def _refuse_constant_clash(
    top: Section, fields: tuple[FieldSpec, ...], constants: tuple[tuple[str, str], ...]
) -> None:
    mapped = {f.key: f.label for f in fields}
    for key, _ in constants:
        if key in mapped:
            top.sub("constants", None).fail(
                f"{key} is also mapped from column {quoted(mapped[key])}", key
            )


def _search_by(top: Section, fields: tuple[FieldSpec, ...]) -> str:
    search_by = top.text("search_by", required=True) or ""
    name = search_by.removeprefix(LEAD_PREFIX)
    lead = [f.target for f in fields if f.place == "lead"]
    if name not in lead:
        top.fail(
            f"{quoted(search_by)} is not mapped: map a column to lead.{name}"
            f"{did_you_mean(name, lead)}",
            "search_by",
        )
    return name


def _timezone(top: Section) -> str:
    name = top.text("timezone", "UTC") or "UTC"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        hint = did_you_mean(name, zoneinfo.available_timezones())
        top.fail(f"{quoted(name)} is not a time zone (e.g. Asia/Kolkata, UTC){hint}", "timezone")
    return name


def _check_comment_field(
    account: Section, comments: bool, mapped: set[str], constants: dict[str, str]
) -> None:
    has_status = "Status" in mapped or "Status" in constants
    has_comment = COMMENT_FIELD in mapped or COMMENT_FIELD in constants
    if comments and has_status and not has_comment:
        account.fail(
            f"comments on status change need a column mapped to {COMMENT_FIELD} "
            "(LeadSquared refuses a Status without it)",
            "comments_on_status_change",
        )


def _duplicate_key(account: Section, mapped: set[str]) -> tuple[str, ...]:
    keys = account.texts("duplicate_key") or ()
    for key in keys:
        if key not in mapped:
            account.fail(
                f"{quoted(key)} is not a mapped field{did_you_mean(key, mapped)}", "duplicate_key"
            )
    return keys


def _dependent_rules(
    account: Section, fields: tuple[FieldSpec, ...], constants: dict[str, str]
) -> tuple[DependentRule, ...]:
    items = account.raw("dependent_dropdowns") or []
    if not isinstance(items, list):
        account.fail("expected a list of rules (- parent: ...)", "dependent_dropdowns")
    by_key = {f.key: f for f in fields}
    rules = []
    for number, item in enumerate(items, start=1):
        rule = Section(account.path, f"account.dependent_dropdowns[{number}]", item, RULE_KEYS)
        parent, child = (_rule_end(rule, end, by_key, constants) for end in ("parent", "child"))
        options = rule.sub("options", None, required=True)
        allowed = {value: options.texts(value) or () for value in options.data}
        _check_parent_values(options, by_key[parent], allowed)
        rules.append(DependentRule(parent, child, MappingProxyType(allowed)))
    return tuple(rules)


def _rule_end(
    rule: Section, end: str, by_key: dict[str, FieldSpec], constants: dict[str, str]
) -> str:
    key = rule.text(end, required=True) or ""
    parse_target(rule, end, key)
    if key in constants:
        rule.fail(f"{quoted(key)} is a constant; a dependent dropdown needs mapped columns", end)
    if key not in by_key:
        rule.fail(f"{quoted(key)} is not a mapped field{did_you_mean(key, by_key)}", end)
    return key


def _check_parent_values(
    options: Section, parent: FieldSpec, allowed: dict[str, tuple[str, ...]]
) -> None:
    if not parent.options:
        return
    for value in allowed:
        if value not in parent.options:
            hint = did_you_mean(value, parent.options)
            options.fail(f"{quoted(value)} is not an option of {parent.label}{hint}", value)
