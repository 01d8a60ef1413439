"""The reader's product: a re-iterable table of text cells numbered as the user sees them.

CSV and Excel readers differ only in how they produce *raw* chunks (every file column,
positional column labels, index = spreadsheet row number, header row excluded, plus what
the reader noticed about rows). :class:`Source` turns those into the frames every later
stage consumes, so naming, column selection and blank-row handling exist once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from importer.model import Problem
from importer.reader.formula_guard import restore_frame, written_by_report
from importer.reader.headers import HeaderPlan, clean_header, column_letter, plan_headers


@dataclass(frozen=True)
class RawChunk:
    """A reader's chunk before naming: every file column, index = row numbers."""

    frame: pd.DataFrame
    skipped: int = 0  # rows left out that count as blank (empty gaps, merged title rows)
    problems: tuple[Problem, ...] = field(default=())  # rows the reader found wrong


# rows -> raw chunks; must start from the top of the file each time it is called.
RawReader = Callable[[int], Iterator[RawChunk]]


@dataclass(frozen=True)
class SourceInfo:
    path: Path
    format: Literal["csv", "xlsx"]
    sheet: str  # the sheet read; for CSV the file name (e.g. "leads.csv")
    headers: tuple[str, ...]  # data headers in file order, stripped of BOM/whitespace
    letters: tuple[str, ...]  # the spreadsheet column letter of each header
    encoding: str | None  # CSV only, e.g. "utf-8-sig", "utf-16", "cp1252"
    delimiter: str | None  # CSV only
    warnings: tuple[str, ...]  # one-line messages for the admin
    header_row: int = 1  # the row read as the header (rows above it are not data)


class Source:
    """A spreadsheet opened for reading; :meth:`chunks` can be called any number of times.

    Each chunk has columns ``info.headers`` (object dtype, ``str`` values, ``""`` for an
    empty cell, never NaN) and an int64 index of spreadsheet row numbers (header = 1).
    Fully blank rows are left out but keep their number; ``blank_rows`` counts them
    once a pass of :meth:`chunks` has finished. Rows the reader itself found wrong (a CSV
    line with too few cells) are in the chunk as read; :meth:`problems_in` says why.
    """

    def __init__(self, info: SourceInfo, raw: RawReader, plan: HeaderPlan) -> None:
        self.info = info
        self.blank_rows = 0
        self._raw = raw
        self._positions = list(plan.positions)
        self._problems: dict[int, list[Problem]] = {}
        # Our own fix file: undo the apostrophes that kept its cells from being formulas.
        self._restore = written_by_report(info.format, info.headers)

    def chunks(self, rows: int = 50_000) -> Iterator[pd.DataFrame]:
        if rows < 1:
            raise ValueError("rows must be at least 1")
        self.blank_rows = 0
        self._problems = {}
        yielded = False
        for raw in self._raw(rows):
            frame = self._shape(raw.frame)
            self.blank_rows += raw.skipped
            for problem in raw.problems:
                self._problems.setdefault(problem.row, []).append(problem)
            if len(frame):
                yielded = True
                yield frame
        if not yielded:
            # One empty, correctly-labelled frame keeps callers free of special cases
            # (pd.concat of nothing fails) for header-only or all-blank files.
            yield self._empty()

    def problems_in(self, frame: pd.DataFrame) -> tuple[Problem, ...]:
        """What the reader found wrong with rows of ``frame``, a chunk of the current pass."""
        if not self._problems:
            return ()
        return tuple(p for row in frame.index for p in self._problems.pop(int(row), ()))

    def _shape(self, raw: pd.DataFrame) -> pd.DataFrame:
        # Selecting every column would copy the chunk for nothing (the common case).
        every = len(self._positions) == raw.shape[1]
        frame = raw if every else raw.iloc[:, self._positions]
        frame.columns = pd.Index(self.info.headers, dtype=object)
        if frame.index.dtype != "int64":
            frame.index = frame.index.astype("int64")
        blank = _blank(frame)
        skipped = int(blank.sum())
        if skipped:
            self.blank_rows += skipped
            frame = frame.loc[~blank]
        return restore_frame(frame) if self._restore else frame

    def _empty(self) -> pd.DataFrame:
        return pd.DataFrame(
            {name: pd.Series([], dtype=object) for name in self.info.headers},
            index=pd.Index([], dtype="int64"),
            columns=pd.Index(self.info.headers, dtype=object),
        )

    def __repr__(self) -> str:
        return f"Source({self.info.path.name!r}, sheet={self.info.sheet!r})"


def _blank(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Which rows are entirely empty.

    Column by column, only over the rows still blank so far: most rows drop out at the
    first column, so this costs about one column's comparison instead of every cell's
    (``(frame == "").all(axis=1)`` was the reader's biggest cost on wide files).
    """
    candidates = np.arange(len(frame))
    for position in range(frame.shape[1]):
        if not len(candidates):
            break
        column = frame.iloc[:, position].to_numpy()
        candidates = candidates[column[candidates] == ""]
    blank = np.zeros(len(frame), dtype=bool)
    blank[candidates] = True
    return blank


def build_source(
    path: Path,
    format: Literal["csv", "xlsx"],
    *,
    sheet: str,
    header_cells: Sequence[str],
    raw: RawReader,
    encoding: str | None = None,
    delimiter: str | None = None,
    warnings: Sequence[str] = (),
    letter_offset: int = 0,
    header_row: int = 1,
) -> Source:
    """Name the columns (refusing bad headers) and wrap ``raw`` in a :class:`Source`."""
    has_data = _unnamed_columns_with_data(header_cells, raw)
    plan = plan_headers(path.name, header_cells, has_data, letter_offset, header_row)
    info = SourceInfo(
        path=path,
        format=format,
        sheet=sheet,
        headers=plan.names,
        letters=tuple(column_letter(p + letter_offset) for p in plan.positions),
        encoding=encoding,
        delimiter=delimiter,
        warnings=(*warnings, *plan.warnings),
        header_row=header_row,
    )
    return Source(info, raw, plan)


def _unnamed_columns_with_data(header_cells: Sequence[str], raw: RawReader) -> list[bool]:
    """For each column: is it unnamed *and* holding data somewhere below the header?

    Needs a full pass, so it only runs when some header cell is empty — rare, and
    better than silently dropping a column whose data starts on row 90,000.
    """
    unnamed = [i for i, cell in enumerate(header_cells) if not clean_header(cell)]
    found = [False] * len(header_cells)
    if not unnamed or all(not clean_header(cell) for cell in header_cells):
        return found  # nothing to check, or no header at all (refused by plan_headers)
    for chunk in raw(50_000):
        frame = chunk.frame
        present = [i for i in unnamed if i < frame.shape[1]]
        for i, has in zip(present, (frame.iloc[:, present] != "").any(axis=0), strict=True):
            found[i] = found[i] or bool(has)
    return found
