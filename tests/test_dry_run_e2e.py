"""Issue 2's "Done when", end to end: `lsq-import validate` on both sample files reports
exactly the bad rows of sample_data/README.md with their codes, ``--json`` is the library's
report, the fix file runs again as it is, and `run --dry-run` is the same as `validate`."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from importer.dryrun import validate
from tests.e2e_support import MAPPING, SAMPLE_CSV, SAMPLE_XLSX, bad_rows, cli, sheet_records

SHOWN = re.compile(r"^  row (\d+) \[([a-z_]+)\] ", flags=re.MULTILINE)


def test_validate_xlsx_reports_exactly_the_documented_rows(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = cli("validate", SAMPLE_XLSX, "--mapping", MAPPING, "--out", out)
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr
    shown = {(int(row), code) for row, code in SHOWN.findall(result.stdout)}
    assert shown == set(bad_rows().items())
    problems = sheet_records(out, "Problems")
    assert {(p["Row"], p["Code"]) for p in problems} == set(bad_rows().items())
    outcomes = {r["Row"]: r["Outcome"] for r in sheet_records(out, "Rows")}
    assert len(outcomes) == 300
    assert {row for row, outcome in outcomes.items() if outcome == "invalid"} == set(bad_rows())


@pytest.mark.parametrize("source", [SAMPLE_XLSX, SAMPLE_CSV], ids=["xlsx", "csv"])
def test_library_report_holds_the_documented_rows(source: Path) -> None:
    report = validate(source, MAPPING)
    assert report.rows_read == 300
    assert report.valid_rows == 287
    assert {(p.row, p.code) for p in report.problems} == set(bad_rows().items())
    assert sorted(report.invalid) == sorted(bad_rows())


def test_json_equals_the_library_report_plus_the_workbook(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = cli("validate", SAMPLE_CSV, "--mapping", MAPPING, "--out", out, "--json")
    assert result.code == 1
    expected = validate(SAMPLE_CSV, MAPPING).to_dict() | {"workbook": str(out)}
    assert json.loads(result.stdout) == expected


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_fix_file_holds_the_bad_rows_and_validates_again(tmp_path: Path) -> None:
    result = cli("validate", SAMPLE_CSV, "--mapping", MAPPING, "--out", tmp_path / "r.xlsx")
    assert result.code == 1
    fix = tmp_path / "r.fix.csv"
    assert fix.read_bytes().startswith(b"\xef\xbb\xbf"), "the input's own encoding (BOM)"
    fixed = read_csv(fix)
    original = read_csv(SAMPLE_CSV)
    bad = bad_rows()
    assert [{k: v for k, v in r.items() if k != "Problems"} for r in fixed] == [
        original[row - 2] for row in sorted(bad)
    ]
    assert all(r["Problems"] for r in fixed)

    again = validate(fix, MAPPING)
    assert again.rows_read == len(bad)
    assert not again.source.warnings, "the Problems column must not upset the re-run"
    codes = {p.code for p in again.problems}
    # Row 185 was a duplicate of row 184, which is not in the fix file: alone it is valid.
    assert codes == set(bad.values()) - {"duplicate_in_file"}
    assert again.valid_rows == 1


def test_the_xlsx_fix_file_validates_again(tmp_path: Path) -> None:
    cli("validate", SAMPLE_XLSX, "--mapping", MAPPING, "--out", tmp_path / "r.xlsx")
    again = validate(tmp_path / "r.fix.xlsx", MAPPING)
    assert again.rows_read == len(bad_rows())
    assert {p.code for p in again.problems} == set(bad_rows().values()) - {"duplicate_in_file"}


def test_run_dry_run_is_validate(tmp_path: Path) -> None:
    checked = cli("validate", SAMPLE_XLSX, "-m", MAPPING, "--out", tmp_path / "v.xlsx", "--json")
    dry = cli(
        "run", SAMPLE_XLSX, "-m", MAPPING, "--out", tmp_path / "d.xlsx", "--json", "--dry-run"
    )
    assert (dry.code, checked.code) == (1, 1)
    as_validate = json.loads(checked.stdout) | {"workbook": str(tmp_path / "d.xlsx")}
    assert json.loads(dry.stdout) == as_validate
    # The workbooks differ only in where they were written.
    assert sheet_records(tmp_path / "d.xlsx", "Rows") == sheet_records(tmp_path / "v.xlsx", "Rows")
    assert sheet_records(tmp_path / "d.xlsx", "Problems") == sheet_records(
        tmp_path / "v.xlsx", "Problems"
    )
    text = cli("run", SAMPLE_XLSX, "-m", MAPPING, "--out", tmp_path / "d.xlsx", "--dry-run")
    assert (
        text.stdout.replace("d.xlsx", "v.xlsx").replace("d.fix", "v.fix")
        == cli("validate", SAMPLE_XLSX, "-m", MAPPING, "--out", tmp_path / "v.xlsx").stdout
    )
