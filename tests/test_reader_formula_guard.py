"""The reader undoes the report's formula guard only in files the report wrote: CSVs that
carry its Problems column. A user's own CSV, or a workbook, is read exactly as it is."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

from importer.reader import open_source

GUARDED = ["'=1+1", "''@x", "'-5", "'", "it's", "'plain"]
ORIGINAL = ["=1+1", "'@x", "-5", "'", "it's", "'plain"]


def _column(path: Path, name: str) -> list[str]:
    return pd.concat(list(open_source(path).chunks()))[name].tolist()


def _csv(tmp_path: Path, headers: str) -> Path:
    path = tmp_path / "leads.csv"
    lines = [headers] + [f"{cell},why" for cell in GUARDED]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_our_fix_file_is_restored(tmp_path: Path) -> None:
    assert _column(_csv(tmp_path, "Phone,Problems"), "Phone") == ORIGINAL


def test_a_users_csv_is_read_as_it_is(tmp_path: Path) -> None:
    assert _column(_csv(tmp_path, "Phone,Notes"), "Phone") == GUARDED


def test_a_workbook_is_read_as_it_is(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Phone", "Problems"])
    for cell in GUARDED:
        sheet.append([cell, "why"])
    book.save(tmp_path / "leads.xlsx")
    assert _column(tmp_path / "leads.xlsx", "Phone") == GUARDED
