"""Header rules shared by CSV and Excel: cleaning, duplicates, unnamed columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from importer.errors import InputFileError
from importer.reader import column_letter, open_source


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "leads.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("position", "letters"), [(0, "A"), (5, "F"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")]
)
def test_column_letter(position: int, letters: str) -> None:
    assert column_letter(position) == letters


def test_headers_are_stripped_of_spaces_and_bom(tmp_path: Path) -> None:
    path = write(tmp_path, " Email ,\u00a0Phone\t, \ufeffCity\na,b,c\n")
    assert open_source(path).info.headers == ("Email", "Phone", "City")


def test_duplicated_headers_are_named_with_their_letters(tmp_path: Path) -> None:
    path = write(tmp_path, "Email,Phone,City,Email ,Phone,Note\n1,2,3,4,5,6\n")
    with pytest.raises(InputFileError) as caught:
        open_source(path)
    message = str(caught.value)
    assert "leads.csv" in message
    assert "'Email' in columns A, D" in message
    assert "'Phone' in columns B, E" in message
    assert "\n" not in message


def test_empty_header_over_data_gets_a_column_name_and_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "Email,,Phone\na,x,1\nb,,2\n")
    source = open_source(path)
    assert source.info.headers == ("Email", "Column B", "Phone")
    assert len(source.info.warnings) == 1
    assert "Column B" in source.info.warnings[0]
    frame = pd.concat(list(source.chunks()))
    assert frame["Column B"].tolist() == ["x", ""]


def test_data_late_in_an_unnamed_column_is_still_kept(tmp_path: Path) -> None:
    rows = ["a,"] * 120_000 + ["b,late"]
    path = write(tmp_path, "Email,\n" + "\n".join(rows) + "\n")
    source = open_source(path)
    assert source.info.headers == ("Email", "Column B")


def test_trailing_unnamed_empty_columns_are_dropped_silently(tmp_path: Path) -> None:
    path = write(tmp_path, "Email,Phone,,\na,1,,\nb,2,,\n")
    source = open_source(path)
    assert source.info.headers == ("Email", "Phone")
    assert source.info.warnings == ()
    frame = pd.concat(list(source.chunks()))
    assert frame.to_numpy().tolist() == [["a", "1"], ["b", "2"]]


def test_generated_name_never_collides_with_a_real_header(tmp_path: Path) -> None:
    path = write(tmp_path, "Column B,\nx,y\n")
    assert open_source(path).info.headers == ("Column B", "Column B (2)")
