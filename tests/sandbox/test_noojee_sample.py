"""The shipped Noojee sample agrees with itself: sample_data/dialer_leads.csv sent through
mappings/noojee.yaml into the sandbox's campaign answers the codes sample_data/README.md
lists. The rows are turned into leads here by a few lines that follow the mapping (the
importer's own Noojee destination is not built yet)."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from importer.sandbox.noojee_account import load_noojee_account
from importer.sandbox.testing import RunningSandbox
from tests.sandbox.noojee_helpers import Dialer

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "dialer_leads.csv"
MAPPING = ROOT / "mappings" / "noojee.yaml"
# sample_data/README.md: spreadsheet row -> code (every other row answers 0)
BAD_ROWS = {6: 102, 11: 104, 17: 105, 23: 108, 29: 112}


def _mapping() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    return loaded


def _leads() -> dict[int, dict[str, str]]:
    """Spreadsheet row -> the lead the mapping makes of it."""
    mapping = _mapping()
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {number: _lead(row, mapping) for number, row in enumerate(rows, start=2)}


def _lead(row: dict[str, str], mapping: dict[str, Any]) -> dict[str, str]:
    lead = {"njContactHours": mapping["noojee"]["contact_hours"]}
    for header, column in mapping["columns"].items():
        value = row[header].strip()
        if not value:
            continue
        if column.get("type") == "Phone":
            digits = re.sub(r"\D", "", value).lstrip("0")
            value = f"+{column['country_code']}-{digits}" if len(digits) == 10 else value
        elif column.get("type") == "DateTime":
            when = datetime.strptime(value, column["date_format"])
            value = when.strftime("%Y/%m/%d %H:%M")  # same zone: nothing to convert
        lead[column["to"]] = value
    return lead


def _query(mapping: dict[str, Any]) -> dict[str, str]:
    noojee = mapping["noojee"]
    return {
        "fTemplateId": str(noojee["template_id"]),
        "fCampaignId": str(noojee["campaign_id"]),
        "fAllocationId": str(noojee["allocation_id"]),
        "allowDuplicates": str(noojee["allow_duplicates"]).lower(),
    }


def test_the_mapping_matches_the_sandbox_campaign() -> None:
    noojee = _mapping()["noojee"]
    account = load_noojee_account()
    campaign = account.campaign(
        noojee["campaign_id"], noojee["template_id"], noojee["allocation_id"]
    )
    assert campaign is not None
    assert tuple(noojee["template_fields"]) == campaign.fields
    assert tuple(noojee["phone_fields"]) == campaign.phone_fields
    assert tuple(noojee["dispositions"]) == campaign.dispositions
    assert account.contact_hours[noojee["contact_hours"]] == noojee["contact_hours_timezone"]
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        headers = next(csv.reader(handle))
    assert list(_mapping()["columns"]) == headers


def test_each_row_alone_answers_the_documented_code(sandbox: RunningSandbox) -> None:
    dialer = Dialer(sandbox)
    query = _query(_mapping())
    codes = {n: dialer.insert([lead], **query).json()["code"] for n, lead in _leads().items()}
    assert {n: code for n, code in codes.items() if code} == BAD_ROWS
    assert len(codes) == 36
    stats = dialer.stats()
    assert stats["leads_created"] == 31
    assert stats["duplicates_blocked"] == 2
    assert stats["duplicates_created"] == 0


def test_per_lead_batches_answer_the_same_codes(sandbox_factory: Any) -> None:
    dialer = Dialer(sandbox_factory(noojee_batch="per_lead"))
    leads = _leads()
    rows, query = list(leads), _query(_mapping())
    codes: dict[int, int] = {}
    for start in range(0, len(rows), 25):
        chunk = rows[start : start + 25]
        reply = dialer.insert([leads[n] for n in chunk], **query).json()
        codes |= {n: lead["code"] for n, lead in zip(chunk, reply["leads"], strict=True)}
    assert {n: code for n, code in codes.items() if code} == BAD_ROWS
