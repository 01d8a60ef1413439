"""Issue 13, rows 1, 2, 4, 6, 7 and 8 of its table: what a user does next, as a real
`lsq-import run` subprocess against the sandbox. Duplicate detection is off in the sandbox
(as it is for bulk on a real account), so a row sent twice is stored twice and counted.

Each test failed on the journal-per-workbook code (3732dbe) and passes on the account's
ledger; the docstrings say how it failed there."""

from __future__ import annotations

import csv
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import yaml

from importer.sandbox.testing import RunningSandbox
from sample_data.make_samples import HEADERS
from tests.e2e_support import (
    MAPPING,
    SAMPLE_CSV,
    SAMPLE_XLSX,
    bad_rows,
    cli,
    finish,
    sample_subset,
    sheet_records,
    start_cli,
    valid_emails,
)
from tests.exactly_once_support import (
    assert_stored_once,
    import_args,
    runs_of,
    summary,
    wait_stored,
    writes,
)

Factory = Callable[..., RunningSandbox]
FAST = "1000/1s"
NO_RULE = {"rate": FAST, "duplicate_detection": False}
SAMPLE_COUNTS = {"created": 287, "invalid": 13}


def rows_of(workbook: Path) -> dict[int, dict[str, Any]]:
    return {record["Row"]: record for record in sheet_records(workbook, "Rows")}


def test_the_sample_again_with_another_out_sends_nothing_and_names_the_earlier_import(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """Old code: the journal lived beside the workbook, so another --out created all 287
    opportunities again."""
    box = sandbox_factory(**NO_RULE)
    first_out, again_out = tmp_path / "first" / "import.xlsx", tmp_path / "again" / "import.xlsx"
    first = cli(*import_args(SAMPLE_XLSX, first_out, "--rate", FAST), env=box.env())
    assert summary(first)["counts"] == SAMPLE_COUNTS, first.stderr
    before = box.stats()

    again = cli(*import_args(SAMPLE_XLSX, again_out, "--rate", FAST), env=box.env())
    report = summary(again)
    assert report["counts"] == {"already_imported": 287, "invalid": 13}
    assert (again.code, report["sent_now"], report["aborted"]) == (1, 0, None)
    assert writes(box.stats()) == writes(before)
    assert_stored_once(box, valid_emails())

    earlier, now = rows_of(first_out), rows_of(again_out)
    for row, record in now.items():
        if row in bad_rows():
            assert record["Outcome"] == "invalid"
            continue
        assert record["Outcome"] == "already_imported"
        assert record["Opportunity ID"] == earlier[row]["Opportunity ID"]
        assert f"from {SAMPLE_XLSX}, row {row}" in record["Problems"]
        assert "nothing was sent" in record["Problems"]


def test_the_fix_file_run_as_it_is_does_not_send_the_twin_of_a_created_row(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """Row 185 repeats row 184 (duplicate_in_file). In the fix file it stands alone, so it is
    valid there; old code sent it and created row 184's opportunity a second time."""
    box = sandbox_factory(**NO_RULE)
    first_out = tmp_path / "r.xlsx"
    first = cli(*import_args(SAMPLE_CSV, first_out, "--rate", FAST), env=box.env())
    assert first.code == 1, first.stderr
    fix_file = tmp_path / "r.fix.csv"
    with fix_file.open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == len(bad_rows())
    twin_id = rows_of(first_out)[184]["Opportunity ID"]

    fixed_out = tmp_path / "fixed.xlsx"
    again = cli(*import_args(fix_file, fixed_out, "--rate", FAST), env=box.env())
    report = summary(again)
    assert report["counts"] == {"already_imported": 1, "invalid": len(bad_rows()) - 1}
    assert report["sent_now"] == 0
    assert_stored_once(box, valid_emails())
    (twin,) = [r for r in rows_of(fixed_out).values() if r["Outcome"] == "already_imported"]
    assert twin["Opportunity ID"] == twin_id
    assert f"from {SAMPLE_CSV}, row 184" in twin["Problems"]


def two_month_workbook(path: Path) -> dict[str, set[str]]:
    """Sheets "March" and "April", 20 valid sample rows each, both starting at row 2; returns
    each sheet's leads."""
    with SAMPLE_CSV.open(encoding="utf-8-sig", newline="") as fh:
        records = [r for n, r in enumerate(csv.DictReader(fh), start=2) if n not in bad_rows()]
    book = openpyxl.Workbook()
    leads: dict[str, set[str]] = {}
    for index, name in enumerate(("March", "April")):
        sheet = book.create_sheet(name)
        sheet.append(HEADERS)
        chosen = records[index * 20 : (index + 1) * 20]
        for record in chosen:
            sheet.append([record[h] for h in HEADERS])
        leads[name] = {r["Email"].lower() for r in chosen}
    del book["Sheet"]
    book.save(path)
    return leads


def test_sheet_april_after_sheet_march_is_sent_not_skipped(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """Old code keyed its journal by row number beside the workbook: April's rows 2-21 were
    skipped and shown "created" with March's IDs."""
    box = sandbox_factory(**NO_RULE)
    book = tmp_path / "enquiries.xlsx"
    leads = two_month_workbook(book)
    out = tmp_path / "enquiries-results.xlsx"
    march = cli(*import_args(book, out, "--sheet", "March", "--rate", FAST), env=box.env())
    assert summary(march)["counts"] == {"created": 20}, march.stderr
    march_ids = {r["Opportunity ID"] for r in rows_of(out).values()}

    april = cli(*import_args(book, out, "--sheet", "April", "--rate", FAST), env=box.env())
    report = summary(april)
    assert (report["counts"], report["sent_now"]) == ({"created": 20}, 20)
    april_ids = {r["Opportunity ID"] for r in rows_of(out).values()}
    assert len(april_ids) == 20
    assert not april_ids & march_ids
    assert_stored_once(box, leads["March"] | leads["April"])


def reordered_with_a_comment(path: Path) -> None:
    """The same mapping, its columns in reverse order and its comments rewritten."""
    data = yaml.safe_load(MAPPING.read_text(encoding="utf-8"))
    data["columns"] = dict(reversed(list(data["columns"].items())))
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text("# Edited while the import ran: columns reordered.\n" + text, "utf-8")


def test_editing_comments_and_order_of_the_mapping_mid_import_continues_the_same_run(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """Old code refused the journal of a changed mapping file and suggested --fresh, which
    resends every row."""
    box = sandbox_factory(**NO_RULE, latency="40ms±20ms")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_bytes(MAPPING.read_bytes())
    out = tmp_path / "r.xlsx"
    args = import_args(SAMPLE_CSV, out, "--workers", "2", "--rate", FAST, mapping=mapping)
    child = start_cli(*args, env=box.env())
    wait_stored(child, box, 40)
    child.send_signal(signal.SIGINT)
    stopped = finish(child)
    assert stopped.code == 3, stopped.stderr
    first = summary(stopped)
    assert first["counts"].get("pending", 0) > 0

    reordered_with_a_comment(mapping)
    resumed = cli(*args, env=box.env())
    report = summary(resumed)
    assert resumed.code == 1, resumed.stderr
    assert (report["run"], report["counts"]) == (first["run"], SAMPLE_COUNTS)
    assert report["sent_now"] == first["counts"]["pending"]
    assert [run.id for run in runs_of(box)] == [first["run"]]
    assert_stored_once(box, valid_emails())


def test_lsq_host_with_a_path_stops_before_anything_is_sent(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """Old code accepted https://host/api/v2: every row came back "No such API" and was marked
    permanently failed, so the run with the right host sent nothing."""
    box = sandbox_factory(**NO_RULE)
    out = tmp_path / "r.xlsx"
    args = import_args(SAMPLE_CSV, out, "--rate", FAST)
    refused = cli(*args, env=box.env() | {"LSQ_HOST": box.url + "/api/v2"})
    assert refused.code == 2, refused.stdout
    assert refused.stderr.count("\n") == 1
    assert "LSQ_HOST" in refused.stderr
    assert "/api/v2" in refused.stderr
    assert box.stats()["calls_total"] == 0
    assert not out.exists()

    right = cli(*args, env=box.env())
    assert summary(right)["counts"] == SAMPLE_COUNTS, right.stderr
    assert_stored_once(box, valid_emails())


def test_a_search_by_leadsquared_refuses_stops_the_run_with_a_few_calls(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """City is a lead field but not a unique one, so Bulk refuses every request as a whole.
    Old code bisected every batch down to single rows: 196 calls for 100 rows, each row
    "failed, fix the value in this row"."""
    box = sandbox_factory(**NO_RULE)
    mapping = tmp_path / "by-city.yaml"
    text = MAPPING.read_text(encoding="utf-8")
    mapping.write_text(text.replace("search_by: EmailAddress", "search_by: mx_City"), "utf-8")
    source = sample_subset(tmp_path, 100)
    result = cli(
        *import_args(source, tmp_path / "r.xlsx", "--rate", FAST, mapping=mapping), env=box.env()
    )
    report = summary(result)
    assert result.code == 3, result.stderr
    assert "SearchBy" in report["aborted"]
    assert "\n" not in report["aborted"]
    assert set(report["counts"]) == {"pending", "invalid"}
    stats = box.stats()
    assert stats["calls"]["Bulk/Add/ByLeadField"] <= 4, "one request per batch at most"
    assert stats["calls_total"] <= 5
    assert stats["total_opportunities"] == 0
