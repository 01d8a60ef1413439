"""Files that used to be read silently wrong, or refused for the wrong reason: mixed
encodings, NUL bytes, short rows, title rows, Excel error cells, merged title rows, pipes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from importer.errors import InputFileError
from importer.reader import open_source


def write(tmp_path: Path, content: bytes, name: str = "leads.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def read_all(path: Path, **options: Any) -> pd.DataFrame:
    return pd.concat(list(open_source(path, **options).chunks()))


def test_a_utf8_file_with_one_windows_line_is_refused_naming_the_line(tmp_path: Path) -> None:
    content = "Name,City\nJosé,São Paulo\n".encode() + "Zoë,Zürich\n".encode("cp1252")
    path = write(tmp_path, content + b"Ann,Pune\n")
    with pytest.raises(InputFileError) as caught:
        open_source(path)
    message = str(caught.value)
    assert "line 3" in message
    assert "--encoding" in message
    assert "\n" not in message


def test_an_explicit_encoding_reads_what_detection_refuses(tmp_path: Path) -> None:
    content = "Name,City\nJosé,São Paulo\n".encode() + "Zoë,Zürich\n".encode("cp1252")
    path = write(tmp_path, content)
    frame = read_all(path, encoding="cp1252")
    assert list(frame.loc[3]) == ["Zoë", "Zürich"]
    assert open_source(path, encoding="cp1252").info.warnings == ()
    with pytest.raises(InputFileError, match="not an encoding"):
        open_source(path, encoding="klingon-8")


def test_reopen_reads_the_same_way(tmp_path: Path) -> None:
    from importer.reader import reopen

    path = write(tmp_path, "Report of 2026\n\nName,City\nZoë,Zürich\n".encode("cp1252"))
    source = open_source(path, header_row=3, encoding="latin-1")
    again = reopen(source.info)
    assert again.info.headers == ("Name", "City")
    assert list(pd.concat(list(again.chunks())).loc[4]) == ["Zoë", "Zürich"]


def test_a_nul_byte_early_in_a_csv_is_a_cell_not_a_refusal(tmp_path: Path) -> None:
    path = write(tmp_path, b"Name,City\nAsha,Pu\x00ne\nRavi,Delhi\n")
    frame = read_all(path)
    assert frame.loc[2, "City"] == "Pu\x00ne"


def test_a_short_row_is_a_row_problem_naming_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, b'Name,City,Phone\nAsha,Pune,1\n"Ravi\nKumar",Delhi\nSam,Goa,3\n')
    source = open_source(path)
    frames = list(source.chunks(2))
    problems = [p for frame in frames for p in source.problems_in(frame)]
    assert [(p.row, p.code) for p in problems] == [(3, "short_row")]
    assert "line 4" in problems[0].message  # the quoted newline makes row 3 end on line 4
    assert "2 cells" in problems[0].message
    assert "3" in problems[0].message
    assert source.problems_in(frames[0]) == ()  # handed out once


def test_a_trailing_empty_cell_is_not_a_short_row(tmp_path: Path) -> None:
    path = write(tmp_path, b"Name,City,Phone\nAsha,Pune,\n\nSam,Goa,3\n")
    source = open_source(path)
    frame = pd.concat(list(source.chunks()))
    assert source.problems_in(frame) == ()


def test_title_lines_above_a_csv_header(tmp_path: Path) -> None:
    path = write(tmp_path, b"Horizon Institute; export of 2026-11-01\n\nName;City\nAsha;Pune\n")
    source = open_source(path, header_row=3)
    assert source.info.headers == ("Name", "City")
    assert source.info.delimiter == ";"
    assert list(pd.concat(list(source.chunks())).loc[4]) == ["Asha", "Pune"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_not_called_a_folder(tmp_path: Path) -> None:
    fifo = tmp_path / "leads.csv"
    os.mkfifo(fifo)
    with pytest.raises(InputFileError) as caught:
        open_source(fifo)
    assert "folder" not in str(caught.value)
    assert "pipe" in str(caught.value)


def workbook(tmp_path: Path, rows: list[list[Any]], name: str = "leads.xlsx") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Enquiries"
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def with_errors(path: Path) -> None:
    """Turn text like '#REF!' into real error cells (openpyxl writes them as t="e")."""
    book = openpyxl.load_workbook(path)
    for row in book.active.iter_rows():  # type: ignore[union-attr]
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("#"):
                cell.data_type = "e"
    book.save(path)


@pytest.mark.parametrize("looks", [64, 1, 0])  # 1, 0: "e"s too many, the pattern searched
def test_excel_error_cells_read_as_what_they_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, looks: int
) -> None:
    from importer.reader import xlsx_slices

    monkeypatch.setattr(xlsx_slices, "ERROR_LOOKS", looks)
    path = workbook(
        tmp_path,
        [["Email", "Fee", "City"], ["a@x.com", "#DIV/0!", "Pune"], ["b@x.com", 5, "#N/A"]],
    )
    with_errors(path)
    frame = read_all(path)
    assert frame.loc[2, "Fee"] == "#DIV/0!"
    assert frame.loc[3, "City"] == "#N/A"
    assert frame.loc[3, "Fee"] == "5"


def test_slices_give_the_same_rows_as_one_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importer.reader import xlsx_slices

    rows: list[list[Any]] = [["N", "Code", "Note"]]
    rows += [[i, f"c{i}", "#REF!" if i % 17 == 0 else ""] if i % 5 else [] for i in range(1, 400)]
    path = workbook(tmp_path, rows)
    with_errors(path)
    whole = read_all(path)
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 500)  # a few rows a slice
    source = open_source(path)
    sliced = pd.concat(list(source.chunks(7)))
    pd.testing.assert_frame_equal(sliced, whole)
    assert sliced.loc[18, "Note"] == "#REF!"
    assert source.blank_rows == 79


def test_title_rows_above_an_excel_header(tmp_path: Path) -> None:
    path = workbook(tmp_path, [["Enquiries, November"], [], ["Email", "City"], ["a@x", "Pune"]])
    source = open_source(path, header_row=3)
    assert source.info.headers == ("Email", "City")
    assert source.info.header_row == 3
    frame = pd.concat(list(source.chunks()))
    assert frame.to_dict("index") == {4: {"Email": "a@x", "City": "Pune"}}
    assert source.blank_rows == 0


def test_a_merged_title_row_inside_the_data_is_skipped_like_a_blank_row(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["Email", "City", "Day"],
        ["a@x", "Pune", "1"],
        ["Day 2 — Pune"],
        ["b@x", "Pune", "2"],
        ["Note for row 5", None, None],  # one cell, but not merged: data
    ]
    path = workbook(tmp_path, rows)
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("A3:C3")  # type: ignore[union-attr]
    book.save(path)
    source = open_source(path)
    frame = pd.concat(list(source.chunks()))
    assert frame.index.tolist() == [2, 4, 5]
    assert source.blank_rows == 1


def handmade_xlsx(path: Path, sheet_xml: str, prefix: str = "x:") -> Path:
    """A workbook written the way other tools do: namespace prefixes, inline strings, no
    dimension, no shared strings part at all."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ns = prefix.rstrip(":")
    declare = f'xmlns:{ns}="{main}"' if ns else f'xmlns="{main}"'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="r1" Type="{rel}/officeDocument" '
            'Target="/xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<{prefix}workbook {declare} xmlns:r="{rel}"><{prefix}sheets>'
            f'<{prefix}sheet name="Data" sheetId="1" r:id="rId7"/></{prefix}sheets>'
            f"</{prefix}workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId7" Type="{rel}/worksheet" '
            'Target="sheets/data.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/sheets/data.xml",
            f"<{prefix}worksheet {declare}><{prefix}sheetData>{sheet_xml}"
            f"</{prefix}sheetData></{prefix}worksheet>",
        )
    return path


@pytest.mark.parametrize("prefix", ["x:", ""])
def test_workbooks_from_other_tools_read_in_slices(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefix: str
) -> None:
    from importer.reader import xlsx_slices

    def cell(ref: str, text: str) -> str:
        return f'<{prefix}c r="{ref}" t="inlineStr"><{prefix}is><{prefix}t>{text}</{prefix}t>' \
            f"</{prefix}is></{prefix}c>"  # fmt: skip

    rows = [f'<{prefix}row r="1">{cell("A1", "Email")}{cell("B1", "Fee")}</{prefix}row>']
    for n in range(2, 60):
        fee = f'<{prefix}c r="B{n}"><{prefix}v>{n * 100}</{prefix}v></{prefix}c>'
        rows.append(
            f'<{prefix}row r="{n}">{cell(f"A{n}", f"a{n}@x.com &amp; co")}{fee}</{prefix}row>'
        )
    path = handmade_xlsx(tmp_path / "other.xlsx", "".join(rows), prefix)
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 400)
    frame = read_all(path)
    assert frame.index.tolist() == list(range(2, 60))
    assert list(frame.loc[2]) == ["a2@x.com & co", "200"]
    assert list(frame.loc[59]) == ["a59@x.com & co", "5900"]


def test_a_stray_cell_past_the_table_stops_the_read_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from importer.reader import xlsx_slices

    def cell(ref: str, text: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'

    rows = [f'<row r="1">{cell("A1", "Email")}</row>']
    rows += [f'<row r="{n}">{cell(f"A{n}", f"a{n}@x.com")}</row>' for n in range(2, 80)]
    rows.append(f'<row r="80">{cell("A80", "z@x.com")}{cell("D80", "stray note")}</row>')
    path = handmade_xlsx(tmp_path / "stray.xlsx", "".join(rows), prefix="")
    monkeypatch.setattr(xlsx_slices, "SLICE_BYTES", 300)
    with pytest.raises(InputFileError, match=r"cell D80 has a value outside the table"):
        read_all(path)
    assert not [t for t in threading.enumerate() if t.name == "calamine-slices"]
