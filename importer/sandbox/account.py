"""The account the sandbox pretends to be, loaded from a hand-written YAML file
(see sample_data/sandbox_account.yaml for the format, commented)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml

from importer.errors import ConfigError

DEFAULT_ACCOUNT = Path(__file__).resolve().parents[2] / "sample_data" / "sandbox_account.yaml"
_T = TypeVar("_T")
FIELD_TYPES = ("String", "Number", "Date", "DateTime", "Dropdown", "Boolean", "Email", "Phone")


@dataclass(frozen=True)
class Keys:
    access_key: str = "u$sandbox-access-key"
    secret_key: str = "sandbox-secret-key"
    api_key: str = "sandbox-api-key"


@dataclass(frozen=True)
class FieldDef:
    """One opportunity or lead field, as the account's metadata describes it."""

    schema: str
    name: str
    type: str = "String"
    mandatory: bool = False
    unique: bool = False
    max_length: int | None = None
    options: tuple[str, ...] = ()
    parent: str | None = None
    # parent value -> child values, for a dependent dropdown
    dependent: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class OpportunityType:
    name: str
    event_code: int
    fields: tuple[FieldDef, ...]
    duplicate_rule: tuple[str, ...] = ()
    # "Allow Delete" in the type's configuration; off unless the account turns it on.
    can_delete: bool = False

    def field(self, schema: str) -> FieldDef | None:
        """Schema names match case-insensitively, as LeadSquared's do."""
        return _by_schema(self.fields, schema)


@dataclass(frozen=True)
class Account:
    name: str
    keys: Keys
    comments_on_status_change: bool
    dependent_dropdown_exceptions: bool
    bulk_all_or_nothing: bool
    lead_fields: tuple[FieldDef, ...]
    leads: tuple[Mapping[str, str], ...]
    opportunity_types: tuple[OpportunityType, ...]

    def lead_field(self, schema: str) -> FieldDef | None:
        return _by_schema(self.lead_fields, schema)

    def unique_lead_fields(self) -> tuple[FieldDef, ...]:
        return tuple(f for f in self.lead_fields if f.unique)

    def opportunity_type(self, event_code: object) -> OpportunityType | None:
        for otype in self.opportunity_types:
            if str(otype.event_code) == str(event_code).strip():
                return otype
        return None


def _by_schema(fields: tuple[FieldDef, ...], schema: str) -> FieldDef | None:
    wanted = schema.strip().casefold()
    return next((f for f in fields if f.schema.casefold() == wanted), None)


def load_account(path: Path | None = None) -> Account:
    """Read an account YAML; every mistake is a ConfigError naming the file and the key."""
    found = path or DEFAULT_ACCOUNT
    return read_account_yaml(found, "sandbox account", lambda raw: _account(raw, found))


def read_account_yaml(path: Path, what: str, build: Callable[[dict[str, Any]], _T]) -> _T:
    """``build`` applied to the YAML mapping in ``path`` (a LeadSquared or a Noojee account,
    ``what`` says which); every mistake is a ConfigError naming the file and the key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{what} {path} must be a YAML mapping")
    try:
        return build(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{what} {path}: invalid or missing {exc}") from None


def _account(raw: dict[str, Any], path: Path) -> Account:
    settings = raw.get("settings") or {}
    lead_fields = tuple(_field(f) for f in raw["lead_fields"])
    if not any(f.unique for f in lead_fields):
        raise ValueError("lead_fields (no field is unique: true)")
    return Account(
        name=str(raw.get("name", "sandbox")),
        keys=Keys(**{k: str(v) for k, v in (raw.get("keys") or {}).items()}),
        comments_on_status_change=bool(settings.get("comments_on_status_change", True)),
        dependent_dropdown_exceptions=bool(settings.get("dependent_dropdown_exceptions", True)),
        bulk_all_or_nothing=bool(settings.get("bulk_all_or_nothing", False)),
        lead_fields=lead_fields,
        leads=_leads(raw, path),
        opportunity_types=tuple(_opportunity_type(t) for t in raw["opportunity_types"]),
    )


def _field(raw: dict[str, Any]) -> FieldDef:
    kind = str(raw.get("type", "String"))
    if kind not in FIELD_TYPES:
        raise ValueError(f"type {kind!r} of field {raw.get('schema')!r}")
    options = raw.get("options") or []
    dependent = {}
    if isinstance(options, dict):  # a dependent dropdown: options listed under parent values
        dependent = {str(k): tuple(str(v) for v in vs) for k, vs in options.items()}
        options = [v for vs in dependent.values() for v in vs]
    return FieldDef(
        schema=str(raw["schema"]),
        name=str(raw.get("name", raw["schema"])),
        type=kind,
        mandatory=bool(raw.get("mandatory", False)),
        unique=bool(raw.get("unique", False)),
        max_length=int(raw["max_length"]) if raw.get("max_length") else None,
        options=tuple(str(o) for o in options),
        parent=str(raw["parent"]) if raw.get("parent") else None,
        dependent=dependent,
    )


def _opportunity_type(raw: dict[str, Any]) -> OpportunityType:
    return OpportunityType(
        name=str(raw["name"]),
        event_code=int(raw["event_code"]),
        fields=tuple(_field(f) for f in raw["fields"]),
        duplicate_rule=tuple(str(s) for s in raw.get("duplicate_rule") or ()),
        can_delete=bool(raw.get("can_delete", False)),
    )


def _leads(raw: dict[str, Any], path: Path) -> tuple[Mapping[str, str], ...]:
    leads = [{str(k): str(v) for k, v in lead.items()} for lead in raw.get("leads") or []]
    if raw.get("leads_file"):
        csv_path = path.parent / str(raw["leads_file"])
        try:
            with csv_path.open(encoding="utf-8-sig", newline="") as handle:
                leads += [{k: v for k, v in row.items() if v} for row in csv.DictReader(handle)]
        except OSError as exc:
            raise ValueError(f"leads_file ({exc})") from None
    return tuple(leads)
