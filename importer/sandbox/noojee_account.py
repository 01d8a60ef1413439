"""The Noojee Contact server the sandbox pretends to be, loaded from a hand-written YAML
file (see sample_data/noojee_account.yaml for the format, commented): its API key, its
campaigns (each with its template's field names, phone fields and dispositions), its
Contact Hours, the Do-Not-Call list and the leads already in the campaigns."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importer.sandbox.account import read_account_yaml

DEFAULT_NOOJEE_ACCOUNT = Path(__file__).resolve().parents[2] / "sample_data" / "noojee_account.yaml"

# Noojee's system fields: accepted by every template besides its own fields.
EXTERNAL_ID = "njExternalLeadId"
CALL_BACK = "njCallBackDate"
PRIORITY = "njPriority"
CONTACT_HOURS = "njContactHours"
DISPOSITION = "njDisposition"
SYSTEM_FIELDS = (EXTERNAL_ID, CALL_BACK, PRIORITY, CONTACT_HOURS, DISPOSITION)

_NOT_DIGITS = re.compile(r"\D")


def phone_digits(value: str) -> str:
    """How the sandbox compares phone numbers (duplicates, the DNC list): digits only,
    so ``+91 98450-12345`` and ``919845012345`` are the same number, ``09845012345``
    is not (Noojee documents no normalisation; this is the sandbox's choice)."""
    return _NOT_DIGITS.sub("", value)


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    template_id: int
    allocation_id: int
    fields: tuple[str, ...]  # the template's own field names (case-sensitive)
    phone_fields: tuple[str, ...]  # those of them holding phone numbers
    dispositions: tuple[str, ...]

    def knows(self, name: str) -> bool:
        return name in self.fields or name in SYSTEM_FIELDS


@dataclass(frozen=True)
class SeedLead:
    """A lead already in a campaign when the sandbox starts (and after a reset)."""

    campaign_id: int
    fields: Mapping[str, str]  # template fields and system fields, njDisposition included
    editing: bool = False  # a person has it open: every update of it answers 110


@dataclass(frozen=True)
class NoojeeAccount:
    api_key: str
    campaigns: tuple[Campaign, ...]
    contact_hours: Mapping[str, str]  # Contact Hours name -> its IANA timezone
    dnc: frozenset[str]  # phone_digits of every number on the Do-Not-Call list
    leads: tuple[SeedLead, ...]

    def campaign(self, campaign_id: int, template_id: int, allocation_id: int) -> Campaign | None:
        """The campaign the query string names; all three ids must agree."""
        for campaign in self.campaigns:
            ids = (campaign.id, campaign.template_id, campaign.allocation_id)
            if ids == (campaign_id, template_id, allocation_id):
                return campaign
        return None


def load_noojee_account(path: Path | None = None) -> NoojeeAccount:
    """Read a Noojee account YAML; every mistake is a ConfigError naming the file and key."""
    return read_account_yaml(path or DEFAULT_NOOJEE_ACCOUNT, "Noojee sandbox account", _account)


def _account(raw: dict[str, Any]) -> NoojeeAccount:
    campaigns = tuple(_campaign(c) for c in raw["campaigns"])
    by_id = {c.id: c for c in campaigns}
    if len(by_id) != len(campaigns):
        raise ValueError("campaigns (two have the same id)")
    return NoojeeAccount(
        api_key=str(raw.get("api_key", "noojee-sandbox-api-key")),
        campaigns=campaigns,
        contact_hours=_contact_hours(raw.get("contact_hours") or {}),
        dnc=frozenset(phone_digits(str(n)) for n in raw.get("dnc") or ()),
        leads=tuple(_seed_lead(lead, by_id) for lead in raw.get("leads") or ()),
    )


def _campaign(raw: dict[str, Any]) -> Campaign:
    fields = tuple(str(f) for f in raw["fields"])
    phones = tuple(str(f) for f in raw["phone_fields"])
    strangers = [f for f in phones if f not in fields]
    if strangers or not phones:
        raise ValueError(f"phone_fields {strangers or '(none)'} of campaign {raw.get('id')}")
    return Campaign(
        id=int(raw["id"]),
        name=str(raw.get("name", raw["id"])),
        template_id=int(raw["template_id"]),
        allocation_id=int(raw["allocation_id"]),
        fields=fields,
        phone_fields=phones,
        dispositions=tuple(str(d) for d in raw.get("dispositions") or ()),
    )


def _contact_hours(raw: dict[str, Any]) -> dict[str, str]:
    for name, zone in raw.items():
        try:
            zoneinfo.ZoneInfo(str(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"contact_hours ({name}: unknown timezone {zone!r})") from None
    return {str(name): str(zone) for name, zone in raw.items()}


def _seed_lead(raw: dict[str, Any], campaigns: dict[int, Campaign]) -> SeedLead:
    campaign = campaigns[int(raw["campaign"])]
    fields = {str(k): str(v) for k, v in raw.items() if k not in ("campaign", "editing")}
    unknown = [name for name in fields if not campaign.knows(name)]
    if unknown:
        raise ValueError(f"leads (fields {unknown} are not in campaign {campaign.id})")
    return SeedLead(campaign.id, fields, bool(raw.get("editing", False)))
