"""The Summary sheet: what ran, how many rows ended how, which problems, and a chart."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from importer.model import Outcome, Problem
from importer.report.cells import HEADER_FONT, TITLE_FONT, CellValue, as_worksheet, sheet_cell
from importer.report.model import ResultsInput

_WIDTHS = {"A": 30.0, "B": 45.0, "C": 90.0}


class _Lines:
    """Appends rows and remembers the row number the next one lands on."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self.ws = ws
        self.next_row = 1

    def add(self, *values: CellValue, font: Font | None = None) -> int:
        self.ws.append([sheet_cell(self.ws, v, font=font) for v in values])
        self.next_row += 1
        return self.next_row - 1


def problem_counts(problems: Sequence[Problem]) -> list[tuple[str, int, str]]:
    """(code, count, an example message), the most frequent code first."""
    counts = Counter(p.code for p in problems)
    examples: dict[str, str] = {}
    for problem in problems:
        examples.setdefault(problem.code, problem.message)
    return [(code, n, examples[code]) for code, n in counts.most_common()]


def write_summary(
    ws: WriteOnlyWorksheet,
    results: ResultsInput,
    counts: Mapping[Outcome, int],
    notes: Sequence[str],
) -> None:
    """Fill ``ws``; ``counts`` are rows by outcome, ``notes`` go right under the title."""
    for letter, width in _WIDTHS.items():
        as_worksheet(ws).column_dimensions[letter].width = width  # before the first row: write-only
    lines = _Lines(ws)
    lines.add(results.title, font=TITLE_FONT)
    for note in notes:
        lines.add("Note", note)
    lines.add()
    for key, value in results.details:
        lines.add(key, value)
    lines.add()
    chart = _outcome_table(lines, counts)
    lines.add()
    _problem_table(lines, results.problems)
    if chart is not None:
        # Below the tables, so it never hides a number.
        as_worksheet(ws).add_chart(chart, f"A{lines.next_row + 1}")


def _outcome_table(lines: _Lines, counts: Mapping[Outcome, int]) -> BarChart | None:
    header = lines.add("Outcome", "Rows", font=HEADER_FONT)
    occurring = [o for o in Outcome if counts.get(o, 0)]  # in the enum's (pipeline) order
    for outcome in occurring:
        lines.add(outcome.value, counts[outcome])
    lines.add("Total rows", sum(counts.values()), font=HEADER_FONT)
    if not occurring:
        return None
    return _outcome_chart(lines.ws, header, header + len(occurring))


def _problem_table(lines: _Lines, problems: Sequence[Problem]) -> None:
    lines.add("Problem code", "Count", "Example", font=HEADER_FONT)
    for code, count, example in problem_counts(problems):
        lines.add(code, count, example)
    if not problems:
        lines.add("(no problems)")


def _outcome_chart(ws: WriteOnlyWorksheet, header_row: int, last_row: int) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.title = "Rows by outcome"
    chart.y_axis.title = "Rows"
    chart.legend = None
    # Newer Excel hides axes openpyxl leaves as "deleted".
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    data = Reference(ws, min_col=2, min_row=header_row, max_row=last_row)
    categories = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(categories)
    chart.width = 18  # cm; room for every outcome's label
    return chart
