"""The dry run: read, map and validate every row, send nothing.

``validate(path, mapping)`` returns a :class:`DryRunReport` instead of raising for bad rows
(frictionless' habit): row problems are values, only an unreadable file or mapping raises.
The import walks the very same :func:`checked_chunks`, so the dry run cannot disagree with
what `run` would send (django-import-export's habit).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from importer.mapping import Mapping, load_mapping, open_for_mapping
from importer.model import Outcome, Problem, RowOutcome
from importer.reader import Source, SourceInfo, reopen
from importer.report import ResultFiles, ResultsInput, write_results
from importer.validation import CheckedChunk, check_source
from importer.validation.suspicion import ColumnTally

CHUNK_ROWS = 50_000


@dataclass(frozen=True)
class DryRunReport:
    """What the dry run found: counts, every problem, and the outcome of each invalid row."""

    source: SourceInfo
    mapping: Mapping
    rows_read: int  # data rows, blank rows not included
    blank_rows: int
    invalid: dict[int, RowOutcome]  # by spreadsheet row number; every other row is valid
    problems: tuple[Problem, ...]
    suspicions: tuple[str, ...] = ()  # columns where the mapping is the likely culprit

    def notes(self) -> tuple[str, ...]:
        return notes(self.source, self.mapping) + self.suspicions

    @property
    def valid_rows(self) -> int:
        return self.rows_read - len(self.invalid)

    @property
    def ok(self) -> bool:
        return not self.invalid

    def problem_counts(self) -> Counter[str]:
        return Counter(problem.code for problem in self.problems)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape printed by ``--json``."""
        return {
            "file": str(self.source.path),
            "sheet": self.source.sheet,
            "mapping": str(self.mapping.path),
            "rows_read": self.rows_read,
            "blank_rows": self.blank_rows,
            "valid": self.valid_rows,
            "invalid": len(self.invalid),
            "problem_counts": dict(self.problem_counts().most_common()),
            "problems": [problem_dict(p) for p in self.problems],
            "warnings": list(self.notes()),
        }


def problem_dict(problem: Problem) -> dict[str, Any]:
    return {
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column,
        "field": problem.field,
        "code": problem.code,
        "message": problem.message,
    }


def as_mapping(mapping: str | Path | Mapping) -> Mapping:
    return mapping if isinstance(mapping, Mapping) else load_mapping(mapping)


def open_checked(
    path: str | Path,
    mapping: str | Path | Mapping,
    sheet: str | int | None = None,
    *,
    header_row: int | None = None,
    encoding: str | None = None,
) -> tuple[Source, Mapping]:
    """Open the file and the mapping and check they fit, before any row is read."""
    loaded = as_mapping(mapping)
    source = open_for_mapping(path, loaded, sheet=sheet, header_row=header_row, encoding=encoding)
    return source, loaded


def checked_chunks(source: Source, mapping: Mapping) -> Iterator[CheckedChunk]:
    """Every chunk of the file, mapped and validated; the one path both commands share."""
    return check_source(source, mapping, CHUNK_ROWS)


def invalid_outcomes(chunk: CheckedChunk, sheet: str) -> Iterator[RowOutcome]:
    """One `invalid` outcome per invalid row of the chunk, holding all its problems."""
    by_row: dict[int, list[Problem]] = {}
    for problem in chunk.problems:
        by_row.setdefault(problem.row, []).append(problem)
    for row in sorted(chunk.invalid_rows):
        problems = tuple(by_row.get(row, ()))
        message = "; ".join(p.message for p in problems)
        yield RowOutcome(sheet, row, Outcome.INVALID, message=message, problems=problems)


def validate(
    path: str | Path,
    mapping: str | Path | Mapping,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
) -> DryRunReport:
    """Dry-run ``path`` through ``mapping``: nothing is sent anywhere."""
    source, loaded = open_checked(path, mapping, sheet, header_row=header_row, encoding=encoding)
    rows_read = 0
    invalid: dict[int, RowOutcome] = {}
    problems: list[Problem] = []
    tally = ColumnTally()
    for chunk in checked_chunks(source, loaded):
        tally.add(chunk)
        rows_read += len(chunk.values)
        problems.extend(chunk.problems)
        invalid.update((o.row, o) for o in invalid_outcomes(chunk, source.info.sheet))
    return DryRunReport(
        source=source.info,
        mapping=loaded,
        rows_read=rows_read,
        blank_rows=source.blank_rows,
        invalid=invalid,
        problems=tuple(problems),
        suspicions=tally.notes(loaded),
    )


def results_input(
    info: SourceInfo,
    *,
    outcomes: dict[int, RowOutcome],
    default: Outcome,
    problems: Sequence[Problem],
    title: str,
    details: Sequence[tuple[str, str]],
) -> ResultsInput:
    """What the report stage needs; it re-reads the file so memory stays flat."""
    source = reopen(info)
    return ResultsInput(
        source_format=info.format,
        sheet=info.sheet,
        headers=info.headers,
        rows=lambda: source.chunks(CHUNK_ROWS),
        outcomes=outcomes,
        default=default,
        problems=problems,
        title=title,
        details=details,
        csv_encoding=info.encoding,
        csv_delimiter=info.delimiter,
    )


def mapping_notes(mapping: Mapping) -> tuple[str, ...]:
    """What the chosen endpoint will not send, said before anything is sent: the bulk API
    documents no OpportunityDateTime and never changes the lead, so such columns would
    otherwise be dropped without a word."""
    if mapping.target == "capture":
        return ()
    found: list[str] = []
    when = mapping.field_for("OpportunityDateTime")
    if when is not None and when.column:
        route = "goes" if mapping.target == "bulk" else "may go"
        found.append(
            f"column '{when.column}' (OpportunityDateTime) is not sent for rows that go through "
            f"the bulk endpoint, and with target '{mapping.target}' a row {route} there; "
            "use target: capture to send it"
        )
    lead_columns = [
        f"'{f.column}'"
        for f in mapping.fields
        if f.place == "lead" and f.key != mapping.search_key and f.column
    ]
    if mapping.target == "bulk" and lead_columns:
        found.append(
            f"target bulk only finds existing leads: lead columns {', '.join(lead_columns)} "
            "are not sent (target: auto or capture creates or updates leads)"
        )
    return tuple(found)


def notes(info: SourceInfo, mapping: Mapping) -> tuple[str, ...]:
    """Everything the admin should read before trusting the results."""
    return info.warnings + mapping_notes(mapping)


def source_details(info: SourceInfo, mapping: Mapping) -> list[tuple[str, str]]:
    details = [
        ("Input file", str(info.path)),
        ("Sheet", info.sheet),
        ("Mapping", str(mapping.path)),
    ]
    return details + [("Note", note) for note in notes(info, mapping)]


def write_dry_run(report: DryRunReport, out: str | Path) -> ResultFiles:
    """Write the results workbook (and the fix file of rows to correct) for a dry run."""
    details = source_details(report.source, report.mapping)
    details += [("Note", note) for note in report.suspicions]
    details += [("Rows read", str(report.rows_read)), ("Blank rows", str(report.blank_rows))]
    results = results_input(
        report.source,
        outcomes=report.invalid,
        default=Outcome.VALID,
        problems=report.problems,
        title="Dry run",
        details=details,
    )
    return write_results(Path(out), results)
