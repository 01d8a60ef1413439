"""Helpers for the Noojee destination's tests: the sample and its documented outcomes, a
mapping changed a few keys at a time, leads built by the real pipeline, and the sender
driven directly against a sandbox (fast retries, a ledger of the test's own)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from importer.ledger import Ledger, LedgerRun, RunSpec
from importer.mapping import Mapping as MappingFile
from importer.mapping import load_mapping
from importer.mapping.noojee import NoojeeSection
from importer.model import DialerLead, RowOutcome
from importer.pipeline import Prepared, open_checked, prepared_chunks, send_settings
from importer.sandbox.testing import RunningSandbox
from importer.send.noojee.attempts import noojee_workers
from importer.send.noojee.client import NoojeeClient
from importer.send.noojee.identity import lead_identity
from importer.send.noojee.replies import Context
from importer.send.noojee.settings import load_noojee_settings
from importer.send.ratelimit import RateLimiter
from importer.send.retry import RetryPolicy
from importer.send.sender import send_with
from importer.settings import parse_rate

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_data" / "dialer_leads.csv"
MAPPING = REPO / "mappings" / "noojee.yaml"
HEADERS = next(csv.reader([SAMPLE.read_text(encoding="utf-8").splitlines()[0]]))
FAST_RETRY = RetryPolicy(attempts=40, base=0.01, cap=0.05, max_throttles=50)
# Leads of campaign 7 in sample_data/noojee_account.yaml.
WITH_DISPOSITION = "HZ-DL-0901"
WITHOUT_DISPOSITION = "HZ-DL-0902"
BEING_EDITED = "HZ-DL-0905"
DNC_MOBILE = "98450 00404"
TAKEN_MOBILE = "98450 00902"  # HZ-DL-0902's


def sample_outcomes() -> dict[int, str]:
    """Row -> outcome of every row sample_data/README.md lists for dialer_leads.csv (every
    other row is ``created``)."""
    text = (REPO / "sample_data" / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Noojee Contact") :]
    found = re.findall(r"^\| (\d+) \|.*\| \d{3} `[A-Z_]+` \| `([a-z_]+)`", section, re.M)
    return {int(row): outcome for row, outcome in found}


def sample_counts() -> dict[str, int]:
    listed = sample_outcomes()
    counts: dict[str, int] = {"created": 36 - len(listed)}
    for outcome in listed.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def mapping_with(tmp_path: Path, name: str = "noojee.yaml", **noojee: str) -> Path:
    """mappings/noojee.yaml with some ``noojee:`` keys changed (``mode="update"``) or
    added; ``columns_extra`` appends raw column entries."""
    text = MAPPING.read_text(encoding="utf-8")
    extra = noojee.pop("columns_extra", "")
    for key, value in noojee.items():
        line = re.compile(rf"^  {key}: .*$", re.M)
        text, found = line.subn(f"  {key}: {value}", text)
        if not found:
            text = text.replace("\nnoojee:\n", f"\nnoojee:\n  {key}: {value}\n", 1)
    path = tmp_path / name
    path.write_text(text + extra, encoding="utf-8")
    return path


def write_csv(tmp_path: Path, rows: Sequence[Mapping[str, str]], name: str = "leads.csv") -> Path:
    """A CSV with the sample's headers (plus any other key the rows use)."""
    headers = list(HEADERS) + [k for r in rows for k in r if k not in HEADERS]
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(dict.fromkeys(headers)))
        writer.writeheader()
        writer.writerows(rows)
    return path


def enquiry(n: int, **changes: str) -> dict[str, str]:
    """A valid row of the sample's shape: its own mobile and Lead Ref ``T-<n>``."""
    row = {
        "Lead Ref": f"T-{n:04d}",
        "First Name": f"Test{n}",
        "Last Name": "Lead",
        "Mobile": f"97000{n:05d}",
        "Landline": "",
        "Email": f"test{n}@example.com",
        "Course": "MBA",
        "Campus": "Online",
        "Call Back": "05/02/2027 10:30",
        "Priority": "10",
    }
    row.update(changes)
    return row


def built(source: Path, mapping: Path | MappingFile) -> tuple[list[Prepared], MappingFile]:
    """Every chunk of ``source`` through the pipeline, as the dry run and the import see it."""
    opened, loaded = open_checked(source, mapping)
    return list(prepared_chunks(opened, loaded, "noojee")), loaded


def leads_of(source: Path, mapping: Path | MappingFile) -> list[DialerLead]:
    parts, _ = built(source, mapping)
    return [row for part in parts for row in part.ready if isinstance(row, DialerLead)]


def section_of(mapping: Path | MappingFile = MAPPING) -> NoojeeSection:
    loaded = mapping if isinstance(mapping, MappingFile) else load_mapping(mapping)
    assert loaded.noojee is not None
    return loaded.noojee


def crafted(section: NoojeeSection, row: int, **fields: str) -> DialerLead:
    """A lead the dry run would refuse, to see what Noojee answers (and we make of it)."""
    external_id = fields.get("njExternalLeadId", "")
    phones = [fields.get(name, "") for name in section.phone_fields]
    identity = lead_identity(section.campaign_id, external_id, phones)
    pairs = tuple(fields.items())
    return DialerLead("leads.csv", row, pairs, external_id, identity, section.update)


@contextmanager
def noojee_run(
    box: RunningSandbox, tmp_path: Path, leads: Sequence[DialerLead], mapping: MappingFile
) -> Iterator[LedgerRun]:
    """A run in a ledger of the test's own (``tmp_path``) holding ``leads``; the same
    arguments again continue it."""
    spec = RunSpec(
        file=Path("leads.csv"),
        file_sha256="leads",
        sheet="leads.csv",
        mapping=mapping.path,
        mapping_digest=mapping.digest,
        target="noojee",
        event_code=0,
    )
    with Ledger.open(tmp_path / "ledger.sqlite", box.url) as ledger:
        run = ledger.start_run(spec)
        run.add(Prepared(len(leads), tuple(leads), (), ()), send_settings(mapping))
        yield run


def send_run(
    box: RunningSandbox, run: LedgerRun, mapping: MappingFile, *, workers: int | None = None
) -> dict[int, RowOutcome]:
    """Send the run's unsent leads with the sender and a Noojee client (fast retries);
    the outcome of each row, from the ledger."""
    assert mapping.noojee is not None
    settings = load_noojee_settings(environ=box.env())
    context = Context(mapping.noojee, send_settings(mapping).columns)
    limiter = RateLimiter(parse_rate("1000/1s"))
    with NoojeeClient(settings, mapping.noojee, limiter, retry=FAST_RETRY) as client:
        chosen = noojee_workers(client, context)
        send_with(run, chosen, workers=workers or mapping.noojee.concurrency)
    return {o.row: o for o in run.outcomes_from(0, 10**9)}


def send_leads_to(
    box: RunningSandbox,
    tmp_path: Path,
    leads: Sequence[DialerLead],
    mapping: Path | MappingFile = MAPPING,
    *,
    workers: int | None = None,
) -> dict[int, RowOutcome]:
    """``leads`` sent into ``box`` (see :func:`send_run`)."""
    loaded = mapping if isinstance(mapping, MappingFile) else load_mapping(mapping)
    with noojee_run(box, tmp_path, leads, loaded) as run:
        return send_run(box, run, loaded, workers=workers)


def campaign_ids(box: RunningSandbox, campaign: int = 7) -> list[str]:
    """The njExternalLeadId of every lead in the campaign, as often as it is there."""
    return [
        str(lead["njExternalLeadId"])
        for lead in box.noojee_leads()
        if lead["campaign_id"] == campaign and lead["njExternalLeadId"]
    ]


def noojee_stats(box: RunningSandbox) -> dict[str, Any]:
    stats: dict[str, Any] = box.stats()["noojee"]
    return stats
