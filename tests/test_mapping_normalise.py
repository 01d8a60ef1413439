"""Normalisers: examples of each decision, and properties over wide inputs (never crash,
idempotent, and the distinct-value shortcut gives the same answer as the full path)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from importer.mapping.model import FieldSpec
from importer.mapping.normalise import normalise, valid

PHONE = FieldSpec(column="M", target="Phone", place="lead", type="Phone", country_code="91")
PHONE_NO_CODE = FieldSpec(column="M", target="Phone", place="lead", type="Phone")
NUMBER = FieldSpec(column="F", target="mx_Custom_5", place="opportunity", type="Number")
DATE = FieldSpec(
    column="S", target="mx_Custom_6", place="opportunity", type="Date", date_format="%d/%m/%Y"
)
DATETIME = FieldSpec(column="W", target="OpportunityDateTime", place="meta", type="DateTime")
EMAIL = FieldSpec(column="E", target="EmailAddress", place="lead", type="Email")
BOOLEAN = FieldSpec(column="B", target="mx_Custom_8", place="opportunity", type="Boolean")
SPECS = [PHONE, PHONE_NO_CODE, NUMBER, DATE, DATETIME, EMAIL, BOOLEAN]


def one(spec: FieldSpec, cell: str, zone: str = "UTC") -> str:
    return str(normalise(pd.Series([cell], dtype=object), spec, zone).iloc[0])


def ok(spec: FieldSpec, cell: str) -> bool:
    return bool(valid(pd.Series([one(spec, cell)]), spec).iloc[0])


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("98765 43210", "+91-9876543210"),
        ("(987) 654-3210", "+91-9876543210"),
        ("09876543210", "+91-9876543210"),  # trunk zero dropped
        ("919876543210", "+91-9876543210"),  # Excel ate the "+"
        ("+91 98765 43210", "+91-9876543210"),
        ("+919876543210", "+91-9876543210"),
        ("+91-9876543210", "+91-9876543210"),
        ("+44 7700 900123", "+44-7700900123"),
        ("", ""),
    ],
)
def test_phone_examples(cell: str, expected: str) -> None:
    assert one(PHONE, cell) == expected
    assert ok(PHONE, cell)


@pytest.mark.parametrize("cell", ["98765", "+447700900123", "98765432101", "call me", "+91-98x"])
def test_phone_refused(cell: str) -> None:
    assert not ok(PHONE, cell)


def test_phone_without_country_code_needs_a_plus() -> None:
    assert not ok(PHONE_NO_CODE, "9876543210")
    assert one(PHONE_NO_CODE, "+44 7700 900123") == "+44-7700900123"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("1,200.50", "1200.50"), ("1 200", "1200"), ("+5", "5"), ("-3.25", "-3.25"), ("007", "007")],
)
def test_number_examples(cell: str, expected: str) -> None:
    assert one(NUMBER, cell) == expected
    assert ok(NUMBER, cell)


@pytest.mark.parametrize("cell", ["1.200,50", "12,00", "₹500", "1e5", "+-5", "twelve"])
def test_number_refused(cell: str) -> None:
    assert not ok(NUMBER, cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("15/01/2027", "2027-01-15"),
        ("2027-01-15", "2027-01-15"),
        ("2027-01-15 00:00:00", "2027-01-15"),
    ],
)
def test_date_examples(cell: str, expected: str) -> None:
    assert one(DATE, cell) == expected


def test_datetime_converts_local_time_to_utc() -> None:
    assert one(DATETIME, "2026-09-01 09:17", "Asia/Kolkata") == "2026-09-01 03:47:00"
    assert one(DATETIME, "2026-09-01T09:17:05") == "2026-09-01 09:17:05"
    assert one(DATETIME, "2026-09-01") == "2026-09-01 00:00:00"


def test_datetime_in_a_gap_or_overlap_stays_importable() -> None:
    # London: the clocks skip 01:00-02:00 local in March and repeat it in October.
    assert one(DATETIME, "2026-03-29 01:30", "Europe/London") == "2026-03-29 01:00:00"
    assert one(DATETIME, "2026-10-25 01:30", "Europe/London") == "2026-10-25 01:30:00"


def test_email_and_boolean_examples() -> None:
    assert one(EMAIL, " Asha.Rao@Example.COM ") == "asha.rao@example.com"
    assert not ok(EMAIL, "asha@example")
    assert [one(BOOLEAN, c) for c in ("Yes", "N", "TRUE", "0")] == [
        "true",
        "false",
        "true",
        "false",
    ]


cells = st.lists(st.text(max_size=25), min_size=1, max_size=12)
phone_like = st.lists(st.text(alphabet="0123456789 +-().", max_size=18), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(values=st.one_of(cells, phone_like), spec=st.sampled_from(SPECS))
def test_never_crashes_and_is_idempotent(values: list[str], spec: FieldSpec) -> None:
    once = normalise(pd.Series(values, dtype=object), spec)
    mask = valid(once, spec)
    assert len(once) == len(values)
    assert mask.dtype == bool
    twice = normalise(once, spec)
    assert twice[mask].tolist() == once[mask].tolist()
    assert valid(twice, spec)[mask].all()


@settings(max_examples=30, deadline=None)
@given(values=st.lists(st.text(alphabet="0123456789 +-/:,.", max_size=12), min_size=1, max_size=5))
def test_distinct_value_shortcut_matches_full_path(values: list[str]) -> None:
    repeated = values * 10  # repeats enough for the shortcut to be taken
    for spec in SPECS:
        fast = normalise(pd.Series(repeated, dtype=object), spec).tolist()
        singly = {v: one(spec, v) for v in set(values)}
        assert fast == [singly[v] for v in repeated]


@pytest.mark.parametrize(
    "cells",
    [
        [f"98765{n:05d}" for n in range(400)] + ["98765 43210", "+91 98765 43210"] * 800,
        ["98765 43210", "09876543210", "", "12 34"] * 300
        + [f"+44 7700 {n:06d}" for n in range(900)],
    ],
    ids=["distinct first, repeats later", "repeats first, distinct later"],
)
@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.column or "")
def test_long_columns_give_the_answers_of_short_pieces(cells: list[str], spec: FieldSpec) -> None:
    """Whether a long column looks repeating from its first cells changes only the route."""

    def in_pieces(fn: Callable[[pd.Series], pd.Series], column: list[str]) -> list[object]:
        pieces = [pd.Series(column[n : n + 100], dtype=object) for n in range(0, len(column), 100)]
        return [value for piece in pieces for value in fn(piece).tolist()]

    column = normalise(pd.Series(cells, dtype=object), spec)
    assert column.tolist() == in_pieces(lambda piece: normalise(piece, spec), cells)
    expected = in_pieces(lambda piece: valid(piece, spec), column.tolist())
    assert valid(column, spec).tolist() == expected


@settings(max_examples=60, deadline=None)
@given(
    digits=st.from_regex(r"[6-9]\d{9}", fullmatch=True),
    style=st.sampled_from(["{}", "0{}", "91{}", "+91 {}", "+91{}", "+91-{}", "({}) "]),
)
def test_valid_indian_mobiles_are_accepted(digits: str, style: str) -> None:
    assert one(PHONE, style.format(digits)) == f"+91-{digits}"


@settings(max_examples=60, deadline=None)
@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_dates_in_both_formats(day: dt.date) -> None:
    iso = day.isoformat()
    assert one(DATE, day.strftime("%d/%m/%Y")) == iso
    assert one(DATE, iso) == iso


@settings(max_examples=60, deadline=None)
@given(amount=st.integers(min_value=-(10**12), max_value=10**12), cents=st.integers(0, 99))
def test_grouped_numbers(amount: int, cents: int) -> None:
    assert one(NUMBER, f"{amount:,}.{cents:02d}") == f"{amount}.{cents:02d}"
