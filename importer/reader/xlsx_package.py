"""The parts of an .xlsx package that slicing needs: where the worksheets, the shared
strings and the styles are, and the small workbook written around the slices so that
calamine can read them (its shared strings, styles, 1904 dates and relationships)."""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO
from xml.etree import ElementTree

_BLOCK = 1024 * 1024
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_DATE1904 = re.compile(rb"<(?:[\w.-]+:)?workbookPr\b[^>]*\bdate1904=\"(1|true)\"")
_SST_ROOT = re.compile(rb"<([\w.-]+:)?sst\b")


@dataclass(frozen=True)
class SheetPart:
    """A worksheet as the workbook lists it."""

    name: str
    path: str  # of its XML inside the zip; "" when it is not a worksheet (a chart sheet)
    visible: bool


class Package:
    """Where the parts of an .xlsx are: its worksheets, shared strings, styles."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        names = set(archive.namelist())
        workbook = self._office_document(names)
        self.folder = str(PurePosixPath(workbook).parent)
        rels = self._relationships(f"{self.folder}/_rels/{PurePosixPath(workbook).name}.rels")
        self.date1904 = bool(_DATE1904.search(archive.read(workbook)))
        self.sheets = self._sheets(archive.read(workbook), rels, names)
        self.shared_strings = self._part(rels, "/sharedStrings", "sharedStrings.xml", names)
        self.styles = self._part(rels, "/styles", "styles.xml", names)

    def _office_document(self, names: set[str]) -> str:
        for target, kind in self._relationships("_rels/.rels").values():
            if kind.endswith("/officeDocument"):
                return target.lstrip("/")
        return "xl/workbook.xml" if "xl/workbook.xml" in names else ""

    def _relationships(self, path: str) -> dict[str, tuple[str, str]]:
        """Id -> (target, type) of a .rels part (targets as written)."""
        try:
            root = ElementTree.fromstring(self.archive.read(path))
        except (KeyError, ElementTree.ParseError):
            return {}
        return {
            rel.get("Id", ""): (rel.get("Target", ""), rel.get("Type", ""))
            for rel in root.iter(f"{{{_PKG}}}Relationship")
        }

    def _resolve(self, target: str) -> str:
        if target.startswith("/"):
            return target.lstrip("/")
        parts: list[str] = self.folder.split("/") if self.folder not in ("", ".") else []
        for piece in target.split("/"):
            if piece == "..":
                parts = parts[:-1]
            elif piece not in ("", "."):
                parts.append(piece)
        return "/".join(parts)

    def _sheets(
        self, workbook: bytes, rels: dict[str, tuple[str, str]], names: set[str]
    ) -> list[SheetPart]:
        sheets = []
        for element in ElementTree.fromstring(workbook).iter():
            if element.tag.rpartition("}")[2] != "sheet":
                continue
            target, kind = rels.get(element.get(f"{{{_REL}}}id", ""), ("", ""))
            path = self._resolve(target) if kind.endswith("/worksheet") else ""
            visible = element.get("state", "visible") == "visible"
            sheets.append(
                SheetPart(element.get("name", ""), path if path in names else "", visible)
            )
        return sheets

    def _part(
        self, rels: dict[str, tuple[str, str]], kind: str, usual: str, names: set[str]
    ) -> str | None:
        for target, rel_kind in rels.values():
            if rel_kind.endswith(kind) and self._resolve(target) in names:
                return self._resolve(target)
        fallback = f"{self.folder}/{usual}"
        return fallback if fallback in names else None


def write_frame(
    package: Package, out: zipfile.ZipFile, slices: list[str], strings: int | None
) -> None:
    """Everything around the slices that calamine needs to read them; only the first
    ``strings`` shared strings when that is all the slices use."""
    if package.shared_strings:
        with (
            package.archive.open(package.shared_strings) as part,
            out.open("xl/sharedStrings.xml", "w", force_zip64=True) as copy,
        ):
            if strings is None:
                shutil.copyfileobj(part, copy, _BLOCK)
            else:
                copy.write(_first_strings(part, strings))
    if package.styles:
        out.writestr("xl/styles.xml", package.archive.read(package.styles))
    sheets = "".join(
        f'<sheet name="{name}" sheetId="{n + 1}" r:id="rIdS{n}"/>' for n, name in enumerate(slices)
    )
    pr = '<workbookPr date1904="1"/>' if package.date1904 else ""
    out.writestr(
        "xl/workbook.xml",
        f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
        f"{pr}<sheets>{sheets}</sheets></workbook>",
    )
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    rels = "".join(
        f'<Relationship Id="rIdS{n}" Type="{base}worksheet" Target="worksheets/{name}.xml"/>'
        for n, name in enumerate(slices)
    )
    for source, name in ((package.shared_strings, "sharedStrings"), (package.styles, "styles")):
        if source:
            rels += f'<Relationship Id="rId{name}" Type="{base}{name}" Target="{name}.xml"/>'
    out.writestr("xl/_rels/workbook.xml.rels", _relationships(rels))
    out.writestr(
        "_rels/.rels",
        _relationships(
            f'<Relationship Id="rId1" Type="{base}officeDocument" Target="xl/workbook.xml"/>'
        ),
    )


def _first_strings(part: IO[bytes], count: int) -> bytes:
    """The shared strings table cut after its first ``count`` entries."""
    text = part.read(_BLOCK)
    root = _SST_ROOT.search(text)
    prefix = (root.group(1) or b"") if root else b""
    closing = b"</" + prefix + b"si>"
    end, found = 0, 0
    while found < count:
        at = text.find(closing, end)
        if at < 0:
            more = part.read(_BLOCK)
            if not more:
                break
            text += more
            continue
        end, found = at + len(closing), found + 1
    if count == 0:
        opening = text.find(b">", root.end()) + 1 if root else 0
        return text[:opening] + b"</" + prefix + b"sst>"
    return text[:end] + b"</" + prefix + b"sst>"


def _relationships(inner: str) -> str:
    declaration = '<?xml version="1.0" encoding="UTF-8"?>\n'
    return f'{declaration}<Relationships xmlns="{_PKG}">{inner}</Relationships>'
