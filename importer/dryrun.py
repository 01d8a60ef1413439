"""The dry run: read, map, validate and build every payload; send nothing.

``validate(path, mapping)`` returns a :class:`DryRunReport` instead of raising for bad rows
(frictionless' habit): row problems are values, only an unreadable file or mapping raises.
The import walks the very same :func:`importer.pipeline.prepared_chunks`, so the dry run
cannot disagree with what `run` would send (django-import-export's habit).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from importer.mapping import Mapping
from importer.model import JsonDict, Outcome, Problem, RowOutcome, Target
from importer.pipeline import (
    chosen_target,
    notes,
    open_checked,
    prepared_chunks,
    results_input,
    source_details,
)
from importer.reader import SourceInfo
from importer.report import ResultFiles, write_results
from importer.validation.suspicion import ColumnTally


@dataclass(frozen=True)
class DryRunReport:
    """What the dry run found: counts, every problem, and the outcome of each invalid row."""

    source: SourceInfo
    mapping: Mapping
    target: Target  # the endpoint the import would use
    rows_read: int  # data rows, blank rows not included
    blank_rows: int
    invalid: dict[int, RowOutcome]  # by spreadsheet row number; every other row is valid
    problems: tuple[Problem, ...]
    suspicions: tuple[str, ...] = ()  # columns where the mapping is the likely culprit

    @property
    def valid_rows(self) -> int:
        return self.rows_read - len(self.invalid)

    @property
    def ok(self) -> bool:
        return not self.invalid

    @property
    def notes(self) -> tuple[str, ...]:
        return notes(self.source, self.mapping, self.target) + self.suspicions

    def problem_counts(self) -> Counter[str]:
        return Counter(problem.code for problem in self.problems)

    def to_dict(self) -> JsonDict:
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
            "problems": [p.to_dict() for p in self.problems],
            "warnings": list(self.notes),
        }


def validate(
    path: str | Path,
    mapping: str | Path | Mapping,
    *,
    sheet: str | int | None = None,
    target: Target | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
) -> DryRunReport:
    """Dry-run ``path`` through ``mapping`` for ``target`` (default: the mapping's);
    nothing is sent anywhere. ``sheet`` and ``header_row`` win over the mapping's;
    ``encoding`` names a CSV's encoding instead of guessing it."""
    source, loaded = open_checked(path, mapping, sheet, header_row=header_row, encoding=encoding)
    chosen = chosen_target(loaded, target)
    rows_read = 0
    invalid: dict[int, RowOutcome] = {}
    problems: list[Problem] = []
    tally = ColumnTally()
    for part in prepared_chunks(source, loaded, chosen):
        tally.add(part.rows_read, part.filled, part.problems)
        rows_read += part.rows_read
        problems.extend(part.problems)
        invalid.update((o.row, o) for o in part.invalid)
    return DryRunReport(
        source=source.info,
        mapping=loaded,
        target=chosen,
        rows_read=rows_read,
        blank_rows=source.blank_rows,
        invalid=invalid,
        problems=tuple(problems),
        suspicions=tally.notes(loaded),
    )


def write_dry_run(report: DryRunReport, out: str | Path) -> ResultFiles:
    """Write the results workbook (and the fix file of rows to correct) for a dry run."""
    details = source_details(report.source, report.mapping, report.target)
    details += [("Note", note) for note in report.suspicions]
    details += [("Rows read", str(report.rows_read)), ("Blank rows", str(report.blank_rows))]
    results = results_input(
        report.source,
        outcomes=report.invalid,
        default=Outcome.VALID,
        problems=report.problems,
        title="Dry run",
        details=details,
        mapping=report.mapping,
        goal=Outcome.VALID,
    )
    return write_results(Path(out), results)
