"""Promise 7: the report never writes over, truncates or deletes the input or the mapping.

The trap is the fix-file loop run as the README says, with the same --out: the new fix file
would be written over the very file being read (issue 8)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from importer.errors import UsageError
from importer.model import Outcome, RowOutcome
from importer.report import output_paths, write_results
from importer.run import RunOptions, run_import
from importer.sandbox.testing import RunningSandbox
from importer.settings import load_settings, parse_rate
from tests.e2e_support import MAPPING, SAMPLE_CSV, cli
from tests.test_report_support import invalid, make_results, problem

HEADERS = ("Email", "Course")
ROWS = [["a@example", "MBA"], ["b@example.com", "MBA"]]
OUTCOMES = {2: invalid(2, problem(2, "Email", "invalid_email"))}


def test_output_paths_lists_every_file_write_results_may_touch() -> None:
    names = [p.name for p in output_paths(Path("out/res.xlsx"), "csv")]
    assert names == [
        "res.xlsx",
        "res.fix.csv",
        "res.rows.csv",
        "res.problems.csv",
        "res.xlsx.part",
        "res.fix.csv.part",
        "res.rows.csv.part",
        "res.problems.csv.part",
    ]
    assert {p.parent for p in output_paths(Path("out/res.xlsx"), "xlsx")} == {Path("out")}
    assert Path("out/res.fix.xlsx") in output_paths(Path("out/res.xlsx"), "xlsx")


@pytest.mark.parametrize(
    "taken", ["res.xlsx", "res.fix.csv", "res.rows.csv", "res.problems.csv", "res.xlsx.part"]
)
@pytest.mark.parametrize("role", ["input_path", "mapping_path"])
def test_refused_before_anything_is_written(tmp_path: Path, taken: str, role: str) -> None:
    users = tmp_path / taken
    users.write_bytes(b"the user's own bytes")
    results = make_results(HEADERS, ROWS, OUTCOMES, **{role: users})  # type: ignore[arg-type]
    with pytest.raises(UsageError) as refused:
        write_results(tmp_path / "res.xlsx", results)
    assert "\n" not in str(refused.value)
    assert str(users) in str(refused.value)
    assert users.read_bytes() == b"the user's own bytes"
    assert [p.name for p in tmp_path.iterdir()] == [taken]


def test_the_same_file_under_another_name_is_recognised(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    users = tmp_path / "in" / "res.fix.csv"
    users.write_bytes(b"edited")
    os.symlink(users, tmp_path / "res.fix.csv")
    results = make_results(
        HEADERS, ROWS, OUTCOMES, input_path=tmp_path / "in" / ".." / "in" / "res.fix.csv"
    )
    with pytest.raises(UsageError):
        write_results(tmp_path / "res.xlsx", results)
    assert users.read_bytes() == b"edited"


def test_a_stale_fix_file_that_is_not_the_input_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "res.fix.csv").write_text("stale")
    results = make_results(HEADERS, ROWS, OUTCOMES, input_path=tmp_path / "leads.csv")
    files = write_results(tmp_path / "res.xlsx", results)
    assert files.fix_file is not None
    assert files.fix_file.read_text(encoding="utf-8").startswith("Email,Course,Problems")
    done = {n: RowOutcome("leads.csv", n, Outcome.CREATED, f"o{n}") for n in (2, 3)}
    write_results(tmp_path / "res.xlsx", make_results(HEADERS, ROWS, done))
    assert not (tmp_path / "res.fix.csv").exists()


def test_fix_file_run_as_it_is_with_the_same_out_keeps_the_users_file(tmp_path: Path) -> None:
    shutil.copy(SAMPLE_CSV, tmp_path / "in.csv")
    first = cli("validate", tmp_path / "in.csv", "-m", MAPPING, "--out", tmp_path / "res.xlsx")
    assert first.code == 1
    fix = tmp_path / "res.fix.csv"
    before = fix.read_bytes()
    again = cli("validate", fix, "-m", MAPPING, "--out", tmp_path / "res.xlsx")
    assert (again.code, fix.read_bytes()) == (2, before)
    assert len(again.stderr.strip().splitlines()) == 1
    assert "give --out another name" in again.stderr
    other = cli("validate", fix, "-m", MAPPING, "--out", tmp_path / "res2.xlsx")
    assert other.code == 1, other.stderr
    assert fix.read_bytes() == before
    assert (tmp_path / "res2.fix.csv").exists()


def test_out_equal_to_the_mapping_is_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    shutil.copy(MAPPING, mapping)
    done = cli("validate", SAMPLE_CSV, "-m", mapping, "--out", mapping)
    assert done.code == 2
    assert mapping.read_bytes() == MAPPING.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.yaml"]


def test_run_refuses_before_sending_anything(sandbox: RunningSandbox, tmp_path: Path) -> None:
    fix = tmp_path / "res.fix.csv"  # the fix file of an earlier run, corrected by the user
    shutil.copy(SAMPLE_CSV, fix)
    settings = load_settings(environ=sandbox.env())
    options = RunOptions(out=tmp_path / "res.xlsx", rate=parse_rate("1000/1s"))
    with pytest.raises(UsageError, match="give --out another name"):
        run_import(fix, MAPPING, settings, options)
    assert sandbox.stats()["calls_total"] == 0
    assert fix.read_bytes() == SAMPLE_CSV.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["res.fix.csv"]  # no journal either


def test_the_name_suggested_instead_is_not_the_refused_one_and_works(tmp_path: Path) -> None:
    shutil.copy(SAMPLE_CSV, tmp_path / "in.csv")
    out = tmp_path / "results.xlsx"
    assert cli("validate", tmp_path / "in.csv", "-m", MAPPING, "--out", out).code == 1
    fix = tmp_path / "results.fix.csv"
    refused = cli("validate", fix, "-m", MAPPING, "--out", out)
    assert refused.code == 2
    found = re.search(r"e\.g\. --out (\S+)\)", refused.stderr)
    assert found, refused.stderr
    suggested = Path(found[1])
    assert suggested.parent == out.parent  # beside the --out the user gave
    assert suggested.name != out.name
    again = cli("validate", fix, "-m", MAPPING, "--out", suggested)
    assert again.code == 1, again.stderr
    assert Path(suggested).exists()
