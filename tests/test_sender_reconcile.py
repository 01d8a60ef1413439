"""Reconciliation matching: which opportunity (if any) a sent row produced."""

from __future__ import annotations

import time

from importer.model import OpportunityRow, Outcome
from importer.send.payloads import SendSettings
from importer.send.reconcile import CLOCK_SLACK_S, key_fields, reconcile

KEYED = SendSettings("EmailAddress", 12000, duplicate_key=("mx_Custom_3", "mx_Custom_4"))
UNKEYED = SendSettings("EmailAddress", 12000)


def _row(n: int, course: str, campus: str = "Pune") -> OpportunityRow:
    fields = (("mx_Custom_1", f"name {n}"), ("mx_Custom_3", course), ("mx_Custom_4", campus))
    return OpportunityRow("s", n, "a@example.com", (), fields)


def _opp(oid: str, created: float, **fields: str) -> dict[str, object]:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(created))
    return {
        "ProspectOpportunityId": oid,
        "RelatedProspectId": "L1",
        "CreatedOn": stamp,
        "Fields": fields,
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
    found = [_opp("x", sent - CLOCK_SLACK_S + 2, mx_Custom_3="MBA", mx_Custom_4="Pune")]
    (outcome,) = reconcile([_row(2, "MBA")], [sent], found, KEYED).outcomes
    assert outcome.outcome is Outcome.CREATED


def test_one_opportunity_accounts_for_one_row_only() -> None:
    sent = time.time()
    rows = [_row(2, "MBA"), _row(3, "MBA")]
    found = [_opp("x", sent + 1, mx_Custom_3="MBA", mx_Custom_4="Pune")]
    result = reconcile(rows, [sent, sent], found, KEYED)
    assert [o.row for o in result.outcomes] == [2]
    assert [r.row for r in result.absent] == [3]


def test_without_key_all_fields_and_constants_must_match() -> None:
    # The mapping's constants are already among the row's fields (importer.pipeline).
    fields = (("mx_Custom_1", "A"), ("mx_Custom_5", "50000"), ("mx_Custom_7", "Spring"))
    row = OpportunityRow("s", 2, "a@x", (), fields)
    assert key_fields(row, UNKEYED) == {
        "mx_custom_1": "A",
        "mx_custom_5": "50000",
        "mx_custom_7": "Spring",
    }
    sent = time.time()
    other = _opp("o", sent + 1, mx_Custom_1="A", mx_Custom_5="50000.0", mx_Custom_7="Autumn")
    mine = _opp("m", sent + 1, mx_Custom_1="A", mx_Custom_5="50000.0", mx_Custom_7="Spring")
    (outcome,) = reconcile([row], [sent], [other, mine], UNKEYED).outcomes
    assert outcome.opportunity_id == "m"


def test_fields_as_a_list_of_schema_name_value() -> None:
    sent = time.time()
    found = [
        {
            "OpportunityId": "z",
            "CreatedOn": "not a date",
            "Fields": [
                {"SchemaName": "mx_Custom_3", "Value": "MBA"},
                {"SchemaName": "mx_Custom_4", "Value": "Pune"},
            ],
        }
    ]
    (outcome,) = reconcile([_row(2, "MBA")], [sent], found, KEYED).outcomes
    assert (outcome.outcome, outcome.opportunity_id) == (Outcome.CREATED, "z")


def test_created_on_equal_to_the_rows_own_date_counts_as_ours() -> None:
    row = OpportunityRow(
        "s",
        2,
        "a@x",
        (),
        (("mx_Custom_3", "MBA"), ("mx_Custom_4", "Pune")),
        when="2020-01-01 10:00:00",
    )
    found = [
        {
            "ProspectOpportunityId": "w",
            "CreatedOn": "2020-01-01 10:00:00",
            "Fields": {"mx_Custom_3": "MBA", "mx_Custom_4": "Pune"},
        }
    ]
    (outcome,) = reconcile([row], [time.time()], found, KEYED).outcomes
    assert outcome.outcome is Outcome.CREATED


def test_another_opportunity_type_never_matches() -> None:
    found = [
        {
            "ProspectOpportunityId": "t",
            "OpportunityEventCode": 12001,
            "Fields": {"mx_Custom_3": "MBA", "mx_Custom_4": "Pune"},
        }
    ]
    result = reconcile([_row(2, "MBA")], [time.time()], found, KEYED)
    assert not result.outcomes
    assert len(result.absent) == 1
