"""`lsq-import run` end to end over real HTTP to the sandbox: the sample imports as 287
created + 13 invalid, each valid row's opportunity stored exactly once; a re-run sends
nothing; ``--allow-resend`` meets the account's duplicate rule; 429/403 storms and seeded
faults still end with every row created once; no key appears in any artefact."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from importer.run import ImportReport, RunOptions, run_import
from importer.sandbox.testing import RunningSandbox
from importer.settings import load_settings, parse_rate
from tests.e2e_support import (
    MAPPING,
    SAMPLE_CSV,
    SAMPLE_XLSX,
    account_with_keys,
    artefact_texts,
    bad_rows,
    cli,
    leaked,
    ledger_of,
    run_args,
    sample_subset,
    sheet_records,
    valid_emails,
)

Factory = Callable[..., RunningSandbox]
SAMPLE_COUNTS = {"created": 287, "invalid": 13}
FAST = "1000/1s"


def run_sample(
    box: RunningSandbox,
    out: Path,
    source: Path = SAMPLE_XLSX,
    env: Mapping[str, str] | None = None,
    **options: Any,
) -> ImportReport:
    settings = load_settings(environ={**box.env(), **(env or {})})
    rate = parse_rate(options.pop("rate", FAST))
    chosen = RunOptions(out=out, rate=rate, ledger=ledger_of(out), **options)
    return run_import(source, MAPPING, settings, chosen)


def assert_each_valid_row_stored_once(box: RunningSandbox, emails: set[str]) -> None:
    stats = box.stats()
    assert stats["duplicates_created"] == 0
    assert stats["orphaned_opportunities"] == 0
    assert stats["opportunities_per_lead"] == dict.fromkeys(emails, 1)
    assert stats["total_opportunities"] == len(emails)


def only_the_key_check_since(box: RunningSandbox, before: Mapping[str, int]) -> bool:
    """Since ``before``, the only call was the one that checks the keys before any row."""
    after = dict(box.stats()["calls"])
    after["GetOpportunityTypeMetadata"] -= 1
    return {k: n for k, n in after.items() if n} == {k: n for k, n in before.items() if n}


def workbook_rows(path: Path) -> dict[int, dict[str, Any]]:
    return {record["Row"]: record for record in sheet_records(path, "Rows")}


def test_the_sample_imports_once_and_a_rerun_sends_nothing(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(rate=FAST)
    out = tmp_path / "import.xlsx"
    first = run_sample(box, out)
    assert first.counts == SAMPLE_COUNTS
    assert first.exit_code == 1
    assert first.sent_now == 287
    assert_each_valid_row_stored_once(box, valid_emails())

    rows = workbook_rows(out)
    assert len(rows) == 300
    created = {n: r for n, r in rows.items() if r["Outcome"] == "created"}
    assert set(created) == set(range(2, 302)) - set(bad_rows())
    ids = [r["Opportunity ID"] for r in created.values()]
    assert all(ids)
    assert len(set(ids)) == 287
    assert not any(rows[n]["Opportunity ID"] for n in bad_rows())

    calls = box.stats()["calls"]
    again = run_sample(box, out)
    assert (again.counts, again.sent_now) == (SAMPLE_COUNTS, 0)
    assert only_the_key_check_since(box, calls), "a finished run must send nothing"


def test_the_summary_says_how_long_the_import_took(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    out = tmp_path / "import.xlsx"
    run_sample(sandbox_factory(rate=FAST), out, source=sample_subset(tmp_path, 5))
    book = openpyxl.load_workbook(out, read_only=True)
    try:
        cells = [c for row in book["Summary"].iter_rows(values_only=True) for c in row if c]
    finally:
        book.close()
    took = cells[cells.index("Took") + 1]
    assert re.fullmatch(r"\d+ s", str(took)), took


def test_a_deliberate_resend_meets_the_duplicate_rule_instead_of_creating_again(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(rate=FAST)
    run_sample(box, tmp_path / "first.xlsx")
    again = run_sample(box, tmp_path / "first.xlsx", allow_resend=True)
    assert again.counts == {"duplicate": 287, "invalid": 13}
    assert_each_valid_row_stored_once(box, valid_emails())
    assert box.stats()["duplicates_blocked"] == 287


def test_cli_imports_the_csv_sample_and_resumes_to_nothing(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(rate=FAST)
    args = run_args(SAMPLE_CSV, tmp_path / "r.xlsx", "--rate", FAST, "--json")
    first = cli(*args, env=box.env())
    assert first.code == 1, first.stderr
    summary = json.loads(first.stdout)
    assert summary["counts"] == SAMPLE_COUNTS
    assert (summary["rows"], summary["sent_now"], summary["aborted"]) == (300, 287, None)
    assert_each_valid_row_stored_once(box, valid_emails())

    calls = box.stats()["calls"]
    again = cli(*args[:-1], env=box.env())  # the text summary this time
    assert again.code == 1
    assert "Nothing new was sent" in again.stdout
    assert "13 invalid, 287 created" in again.stdout
    assert only_the_key_check_since(box, calls)


@pytest.mark.parametrize("status", [429, 403])
def test_a_limit_below_the_clients_rate_still_imports_once(
    sandbox_factory: Factory, tmp_path: Path, status: int
) -> None:
    box = sandbox_factory(rate="4/1s", rate_status=status, duplicate_detection=False)
    source = sample_subset(tmp_path, 120)  # rows 2-121
    invalid = sum(1 for row in bad_rows() if row <= 121)
    report = run_sample(box, tmp_path / "r.xlsx", source, rate="100/1s")
    stats = box.stats()
    print(f"limit answers ({status}): {stats['http_429']}, calls {stats['calls']}")
    assert report.aborted is None
    assert report.counts == {"created": 120 - invalid, "invalid": invalid}
    assert stats["http_429"] > 0, "the test must actually hit the limit"
    assert_each_valid_row_stored_once(box, valid_emails(source))


FAULTS = "500:0.1,reset:0.05,ambiguous:0.05,surprise429:0.05,badjson:0.02"


@pytest.mark.parametrize("seed", [1, 2])
def test_seeded_faults_still_create_every_row_exactly_once(
    sandbox_factory: Factory, tmp_path: Path, seed: int
) -> None:
    box = sandbox_factory(
        rate=FAST, faults=FAULTS, seed=seed, ambiguous_delay=0.6, duplicate_detection=False
    )
    # A reply held back longer than the timeout: the client gives up and must reconcile.
    report = run_sample(box, tmp_path / "r.xlsx", env={"LSQ_TIMEOUT": "0.3"})
    stats = box.stats()
    print(f"seed {seed}: faults {stats['faults_injected']}, calls {stats['calls']}")
    assert report.aborted is None
    assert report.counts == SAMPLE_COUNTS
    assert sum(stats["faults_injected"].values()) > 0
    assert_each_valid_row_stored_once(box, valid_emails())
    rows = workbook_rows(tmp_path / "r.xlsx")
    assert sorted(r["Outcome"] for r in rows.values()).count("created") == 287


ACCESS = "u$e2e-Access-7Qk2Zp9w"
SECRET = "e2e-Secret-Vb81xLr3Td"


def test_no_key_appears_in_any_artefact(sandbox_factory: Factory, tmp_path: Path) -> None:
    account = account_with_keys(tmp_path, ACCESS, SECRET)
    box = sandbox_factory(rate=FAST, account=account)
    assert (box.access_key, box.secret_key) == (ACCESS, SECRET)
    out = tmp_path / "r.xlsx"
    result = cli(*run_args(SAMPLE_CSV, out, "--rate", FAST), env=box.env())
    assert result.code == 1, result.stderr
    files = [out, tmp_path / "r.fix.csv", *tmp_path.glob("ledger.sqlite*")]
    assert (tmp_path / "r.fix.csv").exists()
    texts = artefact_texts(files) | {
        "stdout": result.stdout.encode(),
        "stderr": result.stderr.encode(),
    }
    assert len(texts) > 10, "the workbook's XML parts are scanned too"
    assert leaked([ACCESS, SECRET, box.api_key], texts) == []


def test_a_file_of_only_valid_rows_exits_0(sandbox_factory: Factory, tmp_path: Path) -> None:
    box = sandbox_factory(rate=FAST)
    source = sample_subset(tmp_path, 5)  # rows 2-6: the first bad row is row 7
    result = cli(*run_args(source, tmp_path / "r.xlsx", "--rate", FAST), env=box.env())
    assert result.code == 0, result.stderr
    assert "5 created" in result.stdout
    assert not (tmp_path / "r.fix.csv").exists(), "no row to fix"


def test_lead_ids_are_given_where_leadsquared_tells_them_and_the_header_says_where_not(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """Issue 9: Lead ID was empty for every bulk-created row with no word why."""
    box = sandbox_factory(rate=FAST)
    out = tmp_path / "import.xlsx"
    run_sample(box, out, SAMPLE_CSV, target="capture")
    created = [r for r in workbook_rows(out).values() if r["Outcome"] == "created"]
    assert created
    assert all(r["Lead ID"] for r in created), "capture replies name the lead"
    workbook = openpyxl.load_workbook(out)
    header = next(c for c in workbook["Rows"][1] if c.value == "Lead ID")
    assert header.comment is not None
    assert "bulk" in header.comment.text
