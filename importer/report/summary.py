"""The Summary sheet, read in five seconds: a headline, the fix file, notes, the rows by
outcome with a chart coloured by outcome, the problems by kind (counts in their own cells),
then the details of the run the caller supplied."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importer.model import Outcome
from importer.report.model import ResultsInput
from importer.report.outcome_styles import FIX_OUTCOMES, style
from importer.report.problem_names import problem_name
from importer.report.run_problems import CodeCount
from importer.report.xlsx_book import Book, Kind, fit_row_height, print_setup, wrapped_lines

_WIDTHS = (36, 10, 28, 80)  # A: names, B: counts, C: share or code, D: example (wrapped)
_EXAMPLE_COLUMN = 3
_CHART_ROWS = 16  # rows left free for the chart (288 px high at 20 px a row)
NOTE_KEY = "Note"  # details under this key are shown under the headline


@dataclass(frozen=True)
class SummaryFacts:
    """What the Summary states, gathered while the other sheets were written."""

    counts: Mapping[Outcome, int]
    problems: Sequence[CodeCount]
    fix_file: Path | None
    notes: Sequence[str]  # the report's own (big file, columns left out, ...)


def headline(counts: Mapping[Outcome, int], goal: Outcome, fix_file: Path | None) -> str:
    """ "287 of 300 created · 13 to fix → out/import.fix.xlsx", then any other outcome."""
    total = sum(counts.values())
    parts = [f"{counts.get(goal, 0):,} of {total:,} {style(goal).label.lower()}"]
    to_fix = sum(n for outcome, n in counts.items() if outcome in FIX_OUTCOMES)
    if to_fix:
        parts.append(f"{to_fix:,} to fix → {fix_file}" if fix_file else f"{to_fix:,} to look at")
    else:
        parts.append("nothing to fix")
    parts += [
        f"{counts[o]:,} {style(o).label.lower()}"
        for o in ordered_outcomes(counts, goal)
        if o != goal and o not in FIX_OUTCOMES
    ]
    return " · ".join(parts)


def ordered_outcomes(counts: Mapping[Outcome, int], goal: Outcome) -> list[Outcome]:
    """The outcomes that occurred: the goal, those to fix, then the rest (enum order)."""
    occurred = [o for o in Outcome if counts.get(o, 0)]
    return sorted(occurred, key=lambda o: (o != goal, o not in FIX_OUTCOMES))


class _Lines:
    """Writes the sheet top to bottom (constant-memory mode needs rows in order)."""

    def __init__(self, book: Book, sheet: Any) -> None:
        self.book = book
        self.sheet = sheet
        self.row = 0

    def add(self, *cells: str | int | float, **look: Any) -> int:
        """Write one line (counts and shares in their number formats); returns its row."""
        for column, value in enumerate(cells):
            if isinstance(value, str):
                if column == _EXAMPLE_COLUMN:
                    fit_row_height(self.sheet, self.row, wrapped_lines(value, _WIDTHS[column]))
                fmt = self.book.cell_format(wrap=column == _EXAMPLE_COLUMN, **look)
                if value:
                    self.sheet.write_string(self.row, column, value, fmt)
                else:
                    self.sheet.write_blank(self.row, column, None, fmt)
            else:
                kind: Kind = "count" if isinstance(value, int) else "percent"
                fmt = self.book.cell_format(kind, centre=True, **look)
                self.sheet.write_number(self.row, column, value, fmt)
        self.row += 1
        return self.row - 1

    def skip(self, rows: int = 1) -> None:
        self.row += rows


def write_summary(book: Book, sheet: Any, results: ResultsInput, facts: SummaryFacts) -> None:
    for column, width in enumerate(_WIDTHS):
        sheet.set_column(column, column, width)
    lines = _Lines(book, sheet)
    name = results.input_path.name if results.input_path else results.sheet
    sheet.set_row(lines.add(f"{results.title}: {name}", bold=True, size=16), 24)
    sheet.set_row(
        lines.add(headline(facts.counts, results.goal, facts.fix_file), bold=True, size=13), 19
    )
    if results.fix_file:
        lines.add(_fix_line(facts))
    for note in [*facts.notes, *(v for k, v in results.details if k == NOTE_KEY)]:
        lines.add(f"Note: {note}")
    lines.skip()
    chart_rows = _outcome_table(lines, facts.counts, results.goal)
    lines.skip()
    if chart_rows is not None:
        # Right under the table it draws, so it stays on the first printed page.
        sheet.insert_chart(lines.row, 0, _chart(book, chart_rows, facts.counts, results.goal))
        lines.skip(_CHART_ROWS + 1)
    _problem_table(lines, facts.problems)
    lines.skip()
    lines.add("Details", "", header=True)
    for key, value in results.details:
        if key != NOTE_KEY:
            lines.add(key, value)
    print_setup(sheet)


def _fix_line(facts: SummaryFacts) -> str:
    if facts.fix_file is None:
        return "No fix file: no row needs correcting."
    return (
        f"Fix file: {facts.fix_file} holds the rows to correct, each with its problems in the "
        "last column; correct them there and run that file as it is."
    )


def _outcome_table(
    lines: _Lines, counts: Mapping[Outcome, int], goal: Outcome
) -> tuple[int, int] | None:
    """The table of rows by outcome; returns its first and last data rows (for the chart)."""
    lines.add("Rows by outcome", "Rows", "Share", header=True)
    total = sum(counts.values())
    outcomes = ordered_outcomes(counts, goal)
    rows = [
        lines.add(style(o).label, counts[o], counts[o] / total, tint=style(o).tint)
        for o in outcomes
    ]
    lines.add("Total rows", total, bold=True)
    return (rows[0], rows[-1]) if rows else None


def _problem_table(lines: _Lines, problems: Sequence[CodeCount]) -> None:
    lines.add("Problems by kind", "Count", "Code", "Example", header=True)
    for found in problems:
        lines.add(problem_name(found.code), found.count, found.code, found.example)
    if not problems:
        lines.add("No problems found")


def _chart(book: Book, rows: tuple[int, int], counts: Mapping[Outcome, int], goal: Outcome) -> Any:
    first, last = rows
    chart = book.xlsx.add_chart({"type": "column"})
    colours = [style(o).colour for o in ordered_outcomes(counts, goal)]
    chart.add_series(
        {
            "name": "Rows",
            "categories": ["Summary", first, 0, last, 0],
            "values": ["Summary", first, 1, last, 1],
            "points": [{"fill": {"color": c}, "border": {"color": c}} for c in colours],
            "data_labels": {"value": True, "num_format": "#,##0"},
            "gap": 60,
        }
    )
    chart.set_title({"name": "Rows by outcome"})
    chart.set_legend({"none": True})
    chart.set_y_axis({"name": "Rows", "num_format": "#,##0"})
    chart.set_size({"width": 640, "height": _CHART_ROWS * 20})
    return chart
