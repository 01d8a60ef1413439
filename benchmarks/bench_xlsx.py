"""A small, fast .xlsx writer for benchmark data (openpyxl needs minutes for a million rows).

It writes what Excel writes for such a sheet: shared strings, numbers as numbers, dates
and date-times as serial numbers with a date format, one worksheet, deflate-compressed.
Only for benchmarks: no escaping beyond XML's five characters, no styles beyond dates.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
EPOCH = datetime(1899, 12, 30)
DATE_STYLE, DATETIME_STYLE = 1, 2
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" '
    'formatCode="yyyy-mm-dd hh:mm"/></numFmts><fonts count="1"><font/></fonts><fills count="1">'
    '<fill/></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf/>'
    '</cellStyleXfs><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
    '<xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>'
)


def column_letter(position: int) -> str:
    letters, number = "", position + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Writer:
    """Rows in, one-sheet workbook out; ``dates`` maps a column to its text format."""

    def __init__(self, path: Path, sheet: str, dates: dict[int, str]) -> None:
        self.archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.part = self.archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.part.write(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}">'.encode()
        )
        self.part.write(b"<sheetData>")
        self.sheet, self.dates, self.strings = sheet, dates, dict[str, int]()
        self.row = 0
        self.letters: list[str] = []

    def rows(self, rows: Iterable[Sequence[str]]) -> None:
        lines = [self._row(values) for values in rows]
        self.part.write("".join(lines).encode())

    def _row(self, values: Sequence[str]) -> str:
        self.row += 1
        while len(self.letters) < len(values):
            self.letters.append(column_letter(len(self.letters)))
        cells = [self._cell(n, value) for n, value in enumerate(values) if value != ""]
        return f'<row r="{self.row}">{"".join(cells)}</row>'

    def _cell(self, column: int, value: str) -> str:
        ref = f"{self.letters[column]}{self.row}"
        if self.row > 1 and column in self.dates:
            serial = _serial(value, self.dates[column])
            if serial is not None:
                style = DATETIME_STYLE if serial % 1 else DATE_STYLE
                return f'<c r="{ref}" s="{style}"><v>{serial:.10g}</v></c>'
        if self.row > 1 and value.isdigit() and len(value) < 16:
            return f'<c r="{ref}"><v>{value}</v></c>'
        index = self.strings.setdefault(value, len(self.strings))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'

    def close(self) -> None:
        self.part.write(b"</sheetData></worksheet>")
        self.part.close()
        with self.archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<sst xmlns="{MAIN}" uniqueCount="{len(self.strings)}">'.encode())
            part.write("".join(f"<si><t>{escape(s)}</t></si>" for s in self.strings).encode())
            part.write(b"</sst>")
        self.archive.writestr("xl/styles.xml", STYLES)
        self.archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            f'<sheet name="{self.sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        kinds = [("rId1", "worksheet", "worksheets/sheet1.xml")]
        kinds += [("rId2", "sharedStrings", "sharedStrings.xml"), ("rId3", "styles", "styles.xml")]
        self.archive.writestr("xl/_rels/workbook.xml.rels", _rels(kinds))
        self.archive.writestr(
            "_rels/.rels", _rels((("rId1", "officeDocument", "xl/workbook.xml"),))
        )
        self.archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            "</Types>",
        )
        self.archive.close()


@lru_cache(maxsize=4096)  # dates repeat; strptime is slow
def _serial(text: str, fmt: str) -> float | None:
    try:
        moment = datetime.strptime(text, fmt)
    except ValueError:
        return None
    return (moment - EPOCH).total_seconds() / 86_400


def _rels(items: Iterable[tuple[str, str, str]]) -> str:
    inner = "".join(
        f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target="{target}"/>'
        for rid, kind, target in items
    )
    return f'<Relationships xmlns="{PKG}">{inner}</Relationships>'
