"""A mapping with ``destination: noojee``: rows go to a Noojee Contact campaign as leads.

The file has the LeadSquared mapping's ``version``, ``sheet``, ``header_row``, ``timezone``,
``constants`` and ``columns`` (same column keys and types), and instead of ``target``/``search_by``/
``opportunity``/``account`` a ``noojee:`` section (see the commented mappings/noojee.yaml).
``to:`` names a field of the campaign's template (exactly as Noojee spells it) or one of
Noojee's system fields. Everything a run cannot survive is refused here, as for LeadSquared,
with one line naming the file and the key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from importer.mapping.columns import parse_column
from importer.mapping.digest import semantic_digest
from importer.mapping.model import FieldSpec, Mapping, Place
from importer.mapping.section import Section, did_you_mean

DESTINATIONS = ("leadsquared", "noojee")
TOP_KEYS = (
    "version",
    "destination",
    "sheet",
    "header_row",
    "noojee",
    "timezone",
    "constants",
    "columns",
)
SECTION_KEYS = (
    "mode",
    "template_id",
    "campaign_id",
    "allocation_id",
    "allow_duplicates",
    "template_fields",
    "phone_fields",
    "dispositions",
    "contact_hours",
    "contact_hours_timezone",
    "batch_size",
    "concurrency",
)
# Noojee's system fields: every template takes them besides its own fields.
EXTERNAL_ID = "njExternalLeadId"
CALL_BACK = "njCallBackDate"
PRIORITY = "njPriority"
CONTACT_HOURS = "njContactHours"
DISPOSITION = "njDisposition"
SYSTEM_FIELDS = (EXTERNAL_ID, CALL_BACK, PRIORITY, CONTACT_HOURS, DISPOSITION)
NO_CHANGE = "<NO CHANGE>"  # an update keeps the lead's value of this field

MAX_BATCH = 500
# Noojee works a few requests at a time and queues the rest, answering 109 after a minute:
# more in flight only makes requests wait longer.
MAX_CONCURRENCY = 10
_TYPES = {CALL_BACK: ("DateTime", "String"), PRIORITY: ("Number", "String")}

Mode = Literal["insert", "update"]


@dataclass(frozen=True, slots=True)
class NoojeeSection:
    """The ``noojee:`` section: which campaign, how, and what the campaign accepts."""

    mode: Mode  # insert -> insertLeadFast; update -> updateLeadFast
    template_id: int
    campaign_id: int
    allocation_id: int
    allow_duplicates: bool
    template_fields: tuple[str, ...]  # the template's own field names (case-sensitive)
    phone_fields: tuple[str, ...]  # those Noojee dials: an insert needs one filled (102)
    dispositions: tuple[str, ...]  # the campaign's, when known (106); () = not checked
    contact_hours: str | None  # sent as njContactHours with every lead, unless mapped
    call_back_timezone: str  # Noojee reads njCallBackDate in the lead's Contact Hours zone
    batch_size: int = 25  # leads per request
    concurrency: int = 2  # requests in flight at once

    @property
    def update(self) -> bool:
        return self.mode == "update"

    def knows(self, name: str) -> bool:
        return name in self.template_fields or name in SYSTEM_FIELDS


def destination(path: Path, document: Any) -> str:
    """The file's ``destination`` (leadsquared unless it says noojee)."""
    if not isinstance(document, dict):
        return "leadsquared"  # not a mapping at all: the LeadSquared loader says so
    return Section(path, "", document, None).choice("destination", DESTINATIONS, "leadsquared")


def load_noojee(path: Path, document: Any) -> Mapping:
    """The checked Noojee mapping in ``document`` (read from ``path``)."""
    top = Section(path, "", document, TOP_KEYS)
    if top.text("version", "1") != "1":
        top.fail(f"version '{top.text('version')}' is not supported (only 1)", "version")
    zone = top.timezone("timezone", "UTC")
    section = _section(top.sub("noojee", SECTION_KEYS, required=True), zone)
    fields = _fields(top, section)
    constants = _constants(top, section, fields)
    _check_phones(top, section, fields, constants)
    mapping = Mapping(
        path=path,
        target="noojee",
        search_by="",  # Noojee has no search field: the rows' identity is its own
        event_code=0,
        update_empty_fields=False,
        overwrite_fields=False,
        do_not_change_owner=False,
        do_not_post_duplicate_activity=False,
        timezone=zone,
        comments_on_status_change=False,
        duplicate_key=(),
        dependent_dropdowns=(),
        constants=constants,
        fields=fields,
        digest="",
        sheet=top.text("sheet") or None,
        header_row=top.whole("header_row"),
        noojee=section,
    )
    return replace(mapping, digest=_digest(mapping, section))


def _section(noojee: Section, zone: str) -> NoojeeSection:
    template_fields = _names(noojee, "template_fields", required=True)
    phones = _names(noojee, "phone_fields", required=True)
    for name in phones:
        if name not in template_fields:
            hint = did_you_mean(name, template_fields)
            noojee.fail(f"'{name}' is not one of the template_fields{hint}", "phone_fields")
    return NoojeeSection(
        mode=noojee.choice("mode", ("insert", "update"), "insert"),  # type: ignore[arg-type]
        template_id=_id(noojee, "template_id"),
        campaign_id=_id(noojee, "campaign_id"),
        allocation_id=_id(noojee, "allocation_id"),
        allow_duplicates=noojee.flag("allow_duplicates", False),
        template_fields=template_fields,
        phone_fields=phones,
        dispositions=_names(noojee, "dispositions"),
        contact_hours=noojee.text("contact_hours") or None,
        call_back_timezone=noojee.timezone("contact_hours_timezone", zone),
        batch_size=_bounded(noojee, "batch_size", 25, MAX_BATCH),
        concurrency=_bounded(noojee, "concurrency", 2, MAX_CONCURRENCY),
    )


def _id(section: Section, key: str) -> int:
    return section.whole(key, required=True, minimum=0) or 0


def _bounded(section: Section, key: str, default: int, most: int) -> int:
    value = section.whole(key) or default
    if value > most:
        section.fail(f"at most {most}, got {value}", key)
    return value


def _names(section: Section, key: str, required: bool = False) -> tuple[str, ...]:
    names = section.texts(key)
    if not names and required:
        section.fail(f"list the campaign's {key.replace('_', ' ')}, like [A, B]", key)
    return tuple(name.strip() for name in names or ())


def _fields(top: Section, section: NoojeeSection) -> tuple[FieldSpec, ...]:
    columns = top.sub("columns", None, required=True)
    if not columns.data:
        columns.fail("no columns are mapped")

    def target(spec: Section, key: str, text: str) -> tuple[str, Place]:
        return _target(spec, key, text, section), "noojee"

    fields: list[FieldSpec] = []
    seen: dict[str, str] = {}
    for header in columns.data:
        spec = parse_column(columns, header, target)
        if spec.key in seen:
            columns.fail(f"'{header}' and '{seen[spec.key]}' both go to {spec.key}", header)
        allowed = _TYPES.get(spec.target)
        if allowed and spec.type not in allowed:
            columns.sub(header, None).fail(
                f"{spec.target} takes type {' or '.join(allowed)}, not {spec.type}", "type"
            )
        seen[spec.key] = header
        fields.append(spec)
    if section.update and EXTERNAL_ID not in seen:
        columns.fail(f"mode: update finds each lead by {EXTERNAL_ID}: map a column to it")
    return tuple(fields)


def _target(spec: Section, key: str, text: str, section: NoojeeSection) -> str:
    """``text`` if the campaign takes it: a template field or a system field."""
    name = text.strip()
    if not section.knows(name):
        hint = did_you_mean(name, (*section.template_fields, *SYSTEM_FIELDS))
        spec.fail(
            f"'{name}' is not a field of template {section.template_id} (noojee.template_fields)"
            f" nor a Noojee system field{hint}",
            key,
        )
    if name == DISPOSITION and not section.update:
        spec.fail(f"{DISPOSITION} is only sent with mode: update", key)
    return name


def _constants(
    top: Section, section: NoojeeSection, fields: tuple[FieldSpec, ...]
) -> tuple[tuple[str, str], ...]:
    """``constants:`` (field -> value for every lead), with ``contact_hours`` among them."""
    constants = top.sub("constants", None)
    mapped = {f.target: f.label for f in fields}
    pairs: list[tuple[str, str]] = []
    for key in constants.data:
        name = _target(constants, key, key, section)
        if name == EXTERNAL_ID:
            constants.fail(f"every lead needs its own {EXTERNAL_ID}: map it from a column", key)
        if name in mapped:
            constants.fail(f"{name} is also mapped from column '{mapped[name]}'", key)
        pairs.append((name, constants.text(key) or ""))
    if section.contact_hours is not None:
        if CONTACT_HOURS in mapped or CONTACT_HOURS in dict(pairs):
            top.sub("noojee", None).fail(
                f"{CONTACT_HOURS} is also given by a column or a constant; keep one",
                "contact_hours",
            )
        pairs.append((CONTACT_HOURS, section.contact_hours))
    return tuple(pairs)


def _check_phones(
    top: Section,
    section: NoojeeSection,
    fields: tuple[FieldSpec, ...],
    constants: tuple[tuple[str, str], ...],
) -> None:
    given = {f.target for f in fields} | {name for name, _ in constants}
    if not given & set(section.phone_fields):
        top.fail(
            "no column is mapped to a phone field; Noojee refuses every lead without one "
            f"(code 102): map a column to {' or '.join(section.phone_fields)}",
            "columns",
        )


def _digest(mapping: Mapping, section: NoojeeSection) -> str:
    """The run identity's part of the mapping: its columns and rules, and the campaign."""
    meaning = [semantic_digest(mapping), asdict(section)]
    return hashlib.sha256(json.dumps(meaning, sort_keys=True).encode()).hexdigest()
