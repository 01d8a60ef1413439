"""Parsing the ``columns:`` and ``constants:`` parts of a mapping file into FieldSpecs."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import datetime

import pandas as pd

from importer.mapping.model import LEAD_PREFIX, META_TARGETS, TYPES, FieldSpec, Place
from importer.mapping.section import Section, did_you_mean
from importer.wording import quoted

COLUMN_KEYS = (
    "to",
    "type",
    "mandatory",
    "options",
    "values",
    "default",
    "max_length",
    "trim",
    "date_format",
    "country_code",
    "decimal",
    "thousands",
)
# Targets whose spelling we know; a near miss of one of them is a typo, not a new field.
KNOWN_TARGETS = (
    *META_TARGETS,
    "Status",
    "Owner",
    "lead.EmailAddress",
    "lead.Phone",
    "lead.Mobile",
    "lead.FirstName",
    "lead.LastName",
)
_DEFAULT_TYPES = {"OpportunityDateTime": "DateTime", "OpportunityOwnerEmail": "Email"}
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_CUSTOM = re.compile(r"mx_custom_(\d+)", re.IGNORECASE)
_DIRECTIVE = re.compile(r"%(.)")
_DIRECTIVES = set("dmyYHIMSpbBfj%")
# Reads a ``to:`` value: (section, key, text) -> (name, place); LeadSquared's by default.
TargetParser = Callable[[Section, str, str], tuple[str, Place]]


def parse_target(section: Section, key: str, text: str) -> tuple[str, Place]:
    """(schema name without ``lead.``, place) for a ``to:`` value; typos are refused."""
    place: Place
    if text.lower().startswith(LEAD_PREFIX):
        name, place = text[len(LEAD_PREFIX) :], "lead"
        if not text.startswith(LEAD_PREFIX):
            section.fail(f"{quoted(text)} — lead fields start with lowercase 'lead.'", key)
    else:
        name, place = text, "opportunity"
        if text in META_TARGETS:
            return text, "meta"
    custom = _CUSTOM.fullmatch(name)
    if custom and name != f"mx_Custom_{custom.group(1)}":
        right = text.replace(name, "mx_Custom_" + custom[1])
        section.fail(f"{quoted(text)} — did you mean {quoted(right)}?", key)
    if not _NAME.fullmatch(name):
        section.fail(f"{quoted(text)} is not a LeadSquared schema name (letters, digits, _)", key)
    if text not in KNOWN_TARGETS and not name.startswith("mx_"):
        hint = did_you_mean(text, KNOWN_TARGETS)
        if hint and _near(text, KNOWN_TARGETS):
            section.fail(f"{quoted(text)} is not a known field{hint}", key)
    return name, place


def _near(word: str, choices: tuple[str, ...]) -> bool:
    lowered = [c.lower() for c in choices]
    return bool(difflib.get_close_matches(word.lower(), lowered, n=1, cutoff=0.8))


def parse_column(section: Section, header: str, targets: TargetParser = parse_target) -> FieldSpec:
    """The FieldSpec of ``columns.<header>``; ``targets`` reads its ``to:`` (another
    destination's field names, e.g. Noojee's)."""
    spec_section = section.sub(header, COLUMN_KEYS)
    to = spec_section.text("to", required=True) or ""
    target, place = targets(spec_section, "to", to)
    type_ = spec_section.choice("type", TYPES, _DEFAULT_TYPES.get(target, "String"))
    _refuse_misplaced(spec_section, type_)
    values = _values(spec_section)
    options = spec_section.texts("options")
    spec = FieldSpec(
        column=header,
        target=target,
        place=place,
        type=type_,
        mandatory=spec_section.flag("mandatory", False),
        options=options,
        values=values,
        default=spec_section.text("default") or None,
        max_length=spec_section.whole("max_length"),
        trim=spec_section.flag("trim", True),
        date_format=_date_format(spec_section),
        country_code=_country_code(spec_section),
        **_number_marks(spec_section),
    )
    _check_default(spec_section, spec)
    return spec


def _refuse_misplaced(section: Section, type_: str) -> None:
    only = {
        "options": ("Dropdown",),
        "date_format": ("Date", "DateTime"),
        "country_code": ("Phone",),
        "decimal": ("Number",),
        "thousands": ("Number",),
    }
    for key, types in only.items():
        if section.has(key) and type_ not in types:
            section.fail(
                f"{quoted(key)} only applies to type {' or '.join(types)}, not {type_}", key
            )


def _values(section: Section) -> tuple[tuple[str, str], ...]:
    values = section.sub("values", None)
    pairs = []
    for raw in values.data:
        sent = values.text(raw)
        pairs.append((raw.strip().lower(), sent if sent is not None else ""))
    return tuple(pairs)


def _check_default(section: Section, spec: FieldSpec) -> None:
    if spec.default is None or not spec.options:
        return
    mapped = dict(spec.values).get(spec.default.lower(), spec.default)
    canonical = {o.lower(): o for o in spec.options}
    if mapped.lower() not in canonical:
        listed = ", ".join(spec.options)
        section.fail(
            f"default {quoted(spec.default)} is not one of the options {listed}"
            f"{did_you_mean(spec.default, spec.options)}",
            "default",
        )


DECIMAL_MARKS = (".", ",")
# Grouping marks as typed: "1,250,000", "1.250.000", "1 250 000", "1'250'000", or none.
THOUSANDS_MARKS = {",": ",", ".": ".", " ": " ", "space": " ", "'": "'", "none": "", "": ""}


def _number_marks(section: Section) -> dict[str, str]:
    """``decimal`` and ``thousands`` of a Number column (default: 1,234.56)."""
    decimal = section.text("decimal", ".") or "."
    if decimal not in DECIMAL_MARKS:
        section.fail(f"{quoted(decimal)} is not a decimal mark; write '.' or ','", "decimal")
    given = section.text("thousands")
    if given is not None and given not in THOUSANDS_MARKS:
        section.fail(
            f"{quoted(given)} is not a thousands mark; write ',', '.', ' ', \"'\" or none",
            "thousands",
        )
    # Without thousands, the other mark of the pair: "decimal: ','" alone is enough.
    pair = "." if decimal == "," else ","
    thousands = pair if given is None else THOUSANDS_MARKS[given]
    if thousands == decimal:
        section.fail(
            f"decimal and thousands are both {quoted(decimal)}; a number like 1{decimal}250 "
            "would mean two things — set them to different marks",
            "thousands" if given is not None else "decimal",
        )
    return {"decimal": decimal, "thousands": thousands}


def _country_code(section: Section) -> str | None:
    code = section.text("country_code")
    if code is None:
        return None
    digits = code.strip().lstrip("+")
    if not digits.isdigit() or not 1 <= len(digits) <= 3:
        section.fail(
            f"{quoted(code)} is not a country calling code (1 to 3 digits, e.g. 91)", "country_code"
        )
    return digits


def _date_format(section: Section) -> str | None:
    fmt = section.text("date_format")
    if fmt is None:
        return None
    directives = _DIRECTIVE.findall(fmt)
    unknown = [d for d in directives if d not in _DIRECTIVES]
    has_all = {"d", "j"} & set(directives) and {"m", "b", "B"} & set(directives)
    has_all = has_all and {"Y", "y"} & set(directives)
    if unknown or not has_all:
        why = (
            f"%{unknown[0]} is not a known directive"
            if unknown
            else "it needs a day, month and year"
        )
        section.fail(
            f"{quoted(fmt)} is not a usable date format: {why} (e.g. %d/%m/%Y)", "date_format"
        )
    sample = datetime(2027, 1, 15, 13, 45, 30).strftime(fmt)
    parsed = pd.to_datetime(pd.Series([sample]), format=fmt, errors="coerce")
    if parsed.isna().any():
        section.fail(f"{quoted(fmt)} cannot read back the dates it writes", "date_format")
    return fmt


def parse_constants(section: Section) -> tuple[tuple[str, str], ...]:
    """``constants:`` as (target key, value) pairs."""
    pairs = []
    for key in section.data:
        name, place = parse_target(section, key, key)
        value = section.text(key) or ""
        pairs.append((LEAD_PREFIX + name if place == "lead" else name, value))
    return tuple(pairs)
