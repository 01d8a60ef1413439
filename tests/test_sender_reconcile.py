"""Reconciliation: which opportunity (if any) an unclear send produced - matched on the
identity fields, values compared as LeadSquared stores them, never guessing "absent"."""

from __future__ import annotations

import time
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from importer.model import OpportunityRow, Outcome
from importer.send.identity import canonical, idempotency_key
from importer.send.payloads import SendSettings
from importer.send.reconcile import CLOCK_SLACK_S, reconcile

KEYED = SendSettings("EmailAddress", 12000, duplicate_key=("mx_Custom_3", "mx_Custom_4"))
UNKEYED = SendSettings("EmailAddress", 12000)


def _row(n: int, course: str, campus: str = "Pune") -> OpportunityRow:
    fields = (("mx_Custom_1", f"name {n}"), ("mx_Custom_3", course), ("mx_Custom_4", campus))
    return OpportunityRow("s", n, "a@example.com", (), fields)


def _opp(oid: str, created: float | None, **fields: str) -> dict[str, object]:
    """A look-up item in LeadSquared's flat shape."""
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(created)) if created else None
    return {
        "OpportunityId": oid,
        "RelatedProspectId": "L1",
        "OpportunityEvent": "12000",
        "CreatedOn": stamp,
        **fields,
    }


def test_found_after_send_is_created_before_is_duplicate_else_absent() -> None:
    sent = time.time()
    rows = [_row(2, "MBA"), _row(3, "BBA"), _row(4, "B.Sc Nursing")]
    opportunities = [
        _opp("new", sent + 1, mx_Custom_3="mba", mx_Custom_4=" Pune "),
        _opp("old", sent - 3600, mx_Custom_3="BBA", mx_Custom_4="Pune"),
    ]
    result = reconcile(rows, [sent, sent, sent], opportunities, KEYED)
    by_row = {o.row: o for o in result.outcomes}
    assert (by_row[2].outcome, by_row[2].opportunity_id, by_row[2].lead_id) == (
        Outcome.CREATED,
        "new",
        "L1",
    )
    assert (by_row[3].outcome, by_row[3].opportunity_id) == (Outcome.DUPLICATE, "old")
    assert [r.row for r in result.absent] == [4]


def test_clock_slack_counts_a_slightly_earlier_stamp_as_ours() -> None:
    sent = time.time()
    found = [_opp("x", sent - CLOCK_SLACK_S + 1, mx_Custom_3="MBA", mx_Custom_4="Pune")]
    (outcome,) = reconcile([_row(2, "MBA")], [sent], found, KEYED).outcomes
    assert outcome.outcome is Outcome.CREATED


def test_one_opportunity_accounts_for_one_row_only() -> None:
    sent = time.time()
    rows = [_row(2, "MBA"), _row(3, "MBA")]
    found = [_opp("x", sent + 1, mx_Custom_3="MBA", mx_Custom_4="Pune")]
    result = reconcile(rows, [sent, sent], found, KEYED)
    assert [o.row for o in result.outcomes] == [2]
    assert [r.row for r in result.absent] == [3]


def test_without_key_every_sent_field_counts_as_stored_by_leadsquared() -> None:
    # The mapping's constants are among the row's fields (importer.pipeline).
    fields = (
        ("mx_Custom_1", "A"),
        ("mx_Custom_5", "50000"),
        ("mx_Custom_6", "2027-07-15"),
        ("mx_Custom_7", "Spring"),
    )
    row = OpportunityRow("s", 2, "a@x", (), fields)
    sent = time.time()
    stored = {"mx_Custom_1": "a ", "mx_Custom_5": "50000.00", "mx_Custom_6": "2027-07-15 00:00:00"}
    other = _opp("o", sent + 1, **stored, mx_Custom_7="Autumn")
    mine = _opp("m", sent + 1, **stored, mx_Custom_7="Spring")
    (outcome,) = reconcile([row], [sent], [other, mine], UNKEYED).outcomes
    assert (outcome.outcome, outcome.opportunity_id) == (Outcome.CREATED, "m")


def test_another_opportunity_type_never_matches() -> None:
    found = [{**_opp("t", time.time()), "OpportunityEvent": "12001", "mx_Custom_3": "MBA"}]
    found[0]["mx_Custom_4"] = "Pune"
    result = reconcile([_row(2, "MBA")], [time.time()], found, KEYED)
    assert not result.outcomes
    assert len(result.absent) == 1


def test_what_cannot_be_told_apart_needs_review_and_is_never_resent() -> None:
    sent = time.time()
    no_type = {k: v for k, v in _opp("a", sent + 1, mx_Custom_3="MBA").items()}
    no_type.pop("OpportunityEvent")
    no_type["mx_Custom_4"] = "Pune"
    no_field = _opp("b", sent + 1, mx_Custom_3="MBA")  # Campus not returned
    no_time = _opp("c", None, mx_Custom_3="MBA", mx_Custom_4="Pune")
    twice = [_opp(i, sent + 1, mx_Custom_3="MBA", mx_Custom_4="Pune") for i in ("d", "e")]
    for found in ([no_type], [no_field], [no_time], twice):
        result = reconcile([_row(2, "MBA")], [sent], found, KEYED)
        assert not result.absent, found
        (outcome,) = result.outcomes
        assert outcome.outcome is Outcome.NEEDS_REVIEW
        assert "was not sent again" in outcome.message


def test_a_row_never_sent_cannot_be_judged_so_it_needs_review() -> None:
    found = [_opp("x", time.time(), mx_Custom_3="MBA", mx_Custom_4="Pune")]
    (outcome,) = reconcile([_row(2, "MBA")], [None], found, KEYED).outcomes
    assert outcome.outcome is Outcome.NEEDS_REVIEW


def test_created_on_equal_to_the_rows_own_date_counts_as_ours() -> None:
    row = OpportunityRow(
        "s",
        2,
        "a@x",
        (),
        (("mx_Custom_3", "MBA"), ("mx_Custom_4", "Pune")),
        when="2020-01-01 10:00:00",
    )
    found = [{**_opp("w", None, mx_Custom_3="MBA", mx_Custom_4="Pune")}]
    found[0]["CreatedOn"] = "2020-01-01 10:00:00"
    (outcome,) = reconcile([row], [time.time()], found, KEYED).outcomes
    assert outcome.outcome is Outcome.CREATED


dates = st.dates().map(lambda d: d.isoformat())
numbers = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)
phones = st.from_regex(r"[6-9][0-9]{9}", fullmatch=True)
words = st.text(st.characters(categories=["L"]), min_size=1, max_size=12)


@given(date=dates, number=numbers, phone=phones, word=words)
def test_values_compare_as_leadsquared_stores_them(
    date: str, number: Decimal, phone: str, word: str
) -> None:
    assert canonical(f"{date} 00:00:00") == canonical(date)
    assert canonical(f"{number:.2f}") == canonical(f"{number.normalize():f}")
    assert canonical(f"+91-{phone}") == canonical(f"91{phone}")
    assert canonical(f"  {word.upper()} ") == canonical(word.lower()) or (
        word.upper().lower() != word.lower()  # letters whose case does not round-trip
    )


def test_the_key_is_what_is_sent_not_where_it_comes_from() -> None:
    row = _row(2, "MBA")
    moved = OpportunityRow("Other sheet", 900, "A@Example.com", (), row.fields)
    host = "https://api-in21.leadsquared.com"
    assert idempotency_key(host, row, KEYED) == idempotency_key(host, moved, KEYED)
    assert idempotency_key(host, row, KEYED) != idempotency_key(host, _row(2, "BBA"), KEYED)
    assert idempotency_key(host, row, KEYED) != idempotency_key("https://x", row, KEYED)
