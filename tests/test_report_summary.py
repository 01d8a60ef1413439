"""The Summary read back: the headline, the fix file's name, the tables with counts in their
own cells, the chart coloured by outcome with labels, and the caller's details below."""

from __future__ import annotations

import re
import zipfile
from enum import StrEnum
from pathlib import Path

import pytest

from importer.model import Outcome, RowOutcome
from importer.report import write_results
from importer.report.outcome_styles import DEFAULT_STYLE, FIX_OUTCOMES, style
from importer.report.problem_names import problem_name
from importer.report.summary import headline
from tests.test_report_support import failed, invalid, make_results, problem, sheet_values

HEADERS = ("Email", "Course")
ROWS = [[f"u{n}@example.com", "MBA"] for n in range(7)]


def _summary(
    tmp_path: Path, outcomes: dict[int, RowOutcome], **options: object
) -> list[list[object]]:
    out = tmp_path / "import.xlsx"
    write_results(out, make_results(HEADERS, ROWS, outcomes, **options))  # type: ignore[arg-type]
    return sheet_values(out, "Summary")


def _line(summary: list[list[object]], first: str) -> list[object]:
    return next(line for line in summary if line[0] == first)


def test_dry_run_headline_names_the_fix_file(tmp_path: Path) -> None:
    outcomes = {3: invalid(3, problem(3, "Email", "invalid_email"))}
    summary = _summary(tmp_path, outcomes, goal=Outcome.VALID)
    assert summary[0][0] == "Dry run: leads.csv"
    fix = tmp_path / "import.fix.csv"
    assert summary[1][0] == f"6 of 7 valid · 1 to fix → {fix}"
    assert str(fix) in str(summary[2][0])


def test_import_headline_counts_every_outcome(tmp_path: Path) -> None:
    outcomes = {
        2: RowOutcome("leads.csv", 2, Outcome.CREATED, "o2", "l2"),
        3: invalid(3, problem(3, "Email", "invalid_email")),
        4: failed(4, "Email", "lead_not_found"),
        5: RowOutcome("leads.csv", 5, Outcome.NEEDS_REVIEW, None, "l5", "Check Course"),
        6: RowOutcome("leads.csv", 6, Outcome.PARTIAL, "o6", "l6", "second step failed"),
        7: RowOutcome("leads.csv", 7, Outcome.DUPLICATE, "o0", "l7", "already there"),
    }
    summary = _summary(tmp_path, outcomes, default=Outcome.PENDING)
    assert summary[1][0] == (
        f"1 of 7 created · 3 to fix → {tmp_path / 'import.fix.csv'}"
        " · 1 duplicate · 1 partly done · 1 not sent yet"
    )


def test_nothing_to_fix_means_no_fix_file(tmp_path: Path) -> None:
    created = {n: RowOutcome("leads.csv", n, Outcome.CREATED, f"o{n}") for n in range(2, 9)}
    summary = _summary(tmp_path, created)
    assert summary[1][0] == "7 of 7 created · nothing to fix"
    assert summary[2][0] == "No fix file: no row needs correcting."


def test_outcome_table_counts_in_their_own_cells_goal_first(tmp_path: Path) -> None:
    outcomes = {3: invalid(3, problem(3, "Email", "invalid_email"))}
    summary = _summary(tmp_path, outcomes, goal=Outcome.VALID)
    start = summary.index(_line(summary, "Rows by outcome"))
    assert summary[start][:3] == ["Rows by outcome", "Rows", "Share"]
    assert summary[start + 1][:3] == ["Valid", 6, pytest.approx(6 / 7)]
    assert summary[start + 2][:3] == ["Invalid", 1, pytest.approx(1 / 7)]
    assert _line(summary, "Total rows")[1] == 7


def test_problem_table_has_readable_names_and_counts_leadsquareds_problems(
    tmp_path: Path,
) -> None:
    outcomes = {
        3: invalid(3, problem(3, "Email", "invalid_email")),
        4: failed(4, "Email", "lead_not_found"),
        5: failed(5, None, "lead_not_found"),
    }
    # The runner's way: only the dry run's problems are passed; LeadSquared's are on outcomes.
    summary = _summary(tmp_path, outcomes, problems=outcomes[3].problems)
    start = summary.index(_line(summary, "Problems by kind"))
    assert summary[start] == ["Problems by kind", "Count", "Code", "Example"]
    assert summary[start + 1] == [
        "Lead not found in LeadSquared",
        2,
        "lead_not_found",
        "Row 4: LeadSquared refused this opportunity",
    ]
    assert summary[start + 2][:3] == ["Email address not valid", 1, "invalid_email"]


def test_details_come_after_the_chart_and_notes_under_the_headline(tmp_path: Path) -> None:
    details = [("Input file", "leads.csv"), ("Note", "column 'X' is not sent"), ("Rate", "25/5s")]
    summary = _summary(tmp_path, {}, details=details)
    assert summary[3][0] == "Note: column 'X' is not sent"
    start = summary.index(_line(summary, "Details"))
    assert summary[start + 1][:2] == ["Input file", "leads.csv"]
    assert summary[start + 2][:2] == ["Rate", "25/5s"]
    assert start > summary.index(_line(summary, "Problems by kind"))
    problems = summary.index(_line(summary, "Problems by kind"))
    assert problems > summary.index(_line(summary, "Total rows")) + 15  # room for the chart


def test_chart_has_one_colour_per_outcome_and_value_labels(tmp_path: Path) -> None:
    outcomes = {
        2: RowOutcome("leads.csv", 2, Outcome.CREATED, "o2"),
        3: invalid(3, problem(3, "Email", "invalid_email")),
    }
    _summary(tmp_path, outcomes, default=Outcome.PENDING)
    with zipfile.ZipFile(tmp_path / "import.xlsx") as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    colours = re.findall(r'<c:dPt>.*?<a:srgbClr val="([0-9A-F]{6})"', chart)
    expected = [Outcome.CREATED, Outcome.INVALID, Outcome.PENDING]  # goal, to fix, the rest
    assert colours == [style(o).colour[1:] for o in expected]
    assert '<c:showVal val="1"/>' in chart


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("invalid_email", "Email address not valid"),
        ("MXDuplicateEntryException", "Already in LeadSquared"),
        ("MXSomethingNewException", "Mx something new exception"),
        ("some_new_code", "Some new code"),
    ],
)
def test_problem_names(code: str, name: str) -> None:
    assert problem_name(code) == name


def test_an_outcome_the_table_does_not_know_gets_the_default_style() -> None:
    class Later(StrEnum):
        TELEPORTED = "teleported"

    found = style(Later.TELEPORTED)  # type: ignore[arg-type]
    assert found.label == "Teleported"
    assert (found.tint, found.attention) == (
        DEFAULT_STYLE.tint,
        True,
    )


def test_the_fix_file_holds_invalid_failed_and_needs_review_rows() -> None:
    assert {Outcome.INVALID, Outcome.FAILED, Outcome.NEEDS_REVIEW} == FIX_OUTCOMES


def test_headline_with_no_rows() -> None:
    assert headline({}, Outcome.VALID, None) == "0 of 0 valid · nothing to fix"
