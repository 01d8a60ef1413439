"""Every problem of a run, once: the dry run's and LeadSquared's alike, by row.

Validation problems arrive in ``ResultsInput.problems``; LeadSquared's ride on the rows'
outcomes (and a dry run's invalid outcomes repeat the validation ones, hence "once"). A row
that needs a person but carries only a message (a row LeadSquared left unlinked, a row sent
without a clear answer) gets a problem made from that message, so the Problems sheet and the
Summary's table leave nothing out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain

from importer.model import Problem, RowOutcome
from importer.report.model import ResultsInput
from importer.report.outcome_styles import style


@dataclass(frozen=True)
class CodeCount:
    code: str
    count: int
    example: str  # the first problem's message


@dataclass(frozen=True)
class RunProblems:
    ordered: tuple[Problem, ...]  # by row, then in the order they were found
    by_row: Mapping[int, tuple[Problem, ...]]

    def text(self, row: int, outcome: RowOutcome | None) -> str:
        """What the Problems column says for ``row``: its messages, or its outcome's."""
        found = self.by_row.get(row)
        if found:
            return "; ".join(dict.fromkeys(p.message for p in found if p.message))
        return outcome.message if outcome is not None else ""

    def marks(self, row: int, positions: Mapping[str, int]) -> dict[int, str]:
        """The wrong cells of ``row``: sheet column position -> what is wrong there."""
        found = self.by_row.get(row)
        if not found:
            return {}
        marks: dict[int, list[str]] = {}
        for problem in found:
            at = positions.get(problem.column) if problem.column else None
            if at is not None:
                marks.setdefault(at, []).append(problem.message)
        return {at: "\n".join(dict.fromkeys(texts)) for at, texts in marks.items()}

    def by_code(self) -> list[CodeCount]:
        """One line per code, the most frequent first."""
        counts = Counter(p.code for p in self.ordered)
        examples: dict[str, str] = {}
        for problem in self.ordered:
            examples.setdefault(problem.code, problem.message)
        return [CodeCount(code, n, examples[code]) for code, n in counts.most_common()]


def run_problems(results: ResultsInput) -> RunProblems:
    # Grouped by row first: comparing a row's few problems is far cheaper than hashing
    # every problem of a million-row run (and a dry run's outcomes hold the very same ones).
    by_row: dict[int, list[Problem]] = {}
    for problem in results.problems:
        by_row.setdefault(problem.row, []).append(problem)
    for outcome in results.outcomes.values():
        found = by_row.get(outcome.row)
        if outcome.problems:
            if found is None:
                by_row[outcome.row] = list(outcome.problems)
            elif outcome.problems != tuple(found):
                found.extend(p for p in outcome.problems if p not in found)
        elif found is None and outcome.message and style(outcome.outcome).attention:
            by_row[outcome.row] = [_from_message(outcome)]
    grouped = {row: tuple(by_row[row]) for row in sorted(by_row)}
    return RunProblems(tuple(chain.from_iterable(grouped.values())), grouped)


def _from_message(outcome: RowOutcome) -> Problem:
    code = style(outcome.outcome).code
    return Problem(outcome.sheet, outcome.row, None, None, code, outcome.message)
