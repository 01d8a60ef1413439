"""Where a file's header really is: the row, in any sheet, that holds the most of the
column names a mapping wants.

Used only to explain a mismatch: a cover sheet read instead of the data, title rows above
the header, or the data on a hidden sheet. The first rows of every sheet are looked at,
never the whole file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass

from importer.reader.csv_sniff import DELIMITERS, read_sample, sample_text
from importer.reader.excel_book import LOOK_ROWS, heads
from importer.reader.headers import clean_header
from importer.reader.source import SourceInfo


@dataclass(frozen=True)
class HeaderSpot:
    """A row that looks like the header: how many of the wanted names it holds."""

    sheet: str
    row: int  # 1-based
    found: int
    visible: bool = True


def best_header_spot(info: SourceInfo, wanted: Collection[str]) -> HeaderSpot | None:
    """The row holding the most of ``wanted`` (ties: the first), or None if none holds any."""
    spots = _csv_spots(info, wanted) if info.format == "csv" else _excel_spots(info, wanted)
    best: HeaderSpot | None = None
    for spot in spots:
        if spot.found and (best is None or spot.found > best.found):
            best = spot
    return best


def _count(cells: list[str], wanted: Collection[str]) -> int:
    return len({clean_header(cell) for cell in cells} & set(wanted))


def _excel_spots(info: SourceInfo, wanted: Collection[str]) -> list[HeaderSpot]:
    return [
        HeaderSpot(head.name, number + 1, _count(cells, wanted), head.visible)
        for head in heads(info.path, LOOK_ROWS)
        for number, cells in sorted(head.rows.items())
    ]


def _csv_spots(info: SourceInfo, wanted: Collection[str]) -> list[HeaderSpot]:
    text = sample_text(read_sample(info.path), info.encoding or "utf-8")
    spots = []
    for delimiter in DELIMITERS:  # titles above the header can mislead the guessed one
        records = csv.reader(io.StringIO(text), delimiter=delimiter)
        for number, cells in enumerate(records, start=1):
            if number > LOOK_ROWS:
                break
            spots.append(HeaderSpot(info.sheet, number, _count(cells, wanted)))
    return spots
