"""typed_value: the one rule for which text cells a workbook holds as numbers or dates."""

from __future__ import annotations

from datetime import datetime

import pytest

from importer.report.typed import typed_value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0.0),
        ("150000", 150000.0),
        ("-12", -12.0),
        ("0.5", 0.5),
        ("123456789012345", 123456789012345.0),  # 15 digits: Excel holds them all
        ("2027-07-15 00:00:00", datetime(2027, 7, 15)),
        ("1900-03-01 00:00:00", datetime(1900, 3, 1)),
        ("9999-12-31 23:59:59", datetime(9999, 12, 31, 23, 59, 59)),
    ],
)
def test_typed_when_nothing_is_lost(text: str, value: object) -> None:
    assert typed_value(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "044",  # a leading zero would be lost
        "+91 98765 43210",
        "1.50",  # so would a trailing zero
        "-0",
        ".5",
        "1,000",
        "1e5",
        "1234567890123456",  # 16 digits: past Excel's precision
        "2027-02-30 00:00:00",  # no such day
        "1900-02-28 00:00:00",  # Excel's calendar is wrong before March 1900
        "2027-07-15",
        "15/01/2027",
        "2026-09-01 09:17",
    ],
)
def test_text_otherwise(text: str) -> None:
    assert typed_value(text) == text
