"""Replies -> row outcomes: RowNumber matching, bulk items, capture statuses, messages."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from importer.model import OpportunityRow, Outcome
from importer.sandbox.replies import LEAD_NOT_FOUND_WORDINGS
from importer.send.outcomes import (
    bulk_outcome,
    capture_outcome,
    failed,
    field_named_in,
    match_items,
)
from importer.send.payloads import SendSettings
from importer.send.recognise import is_lead_missing, is_whole_request_refusal

SETTINGS = SendSettings(
    search_by="EmailAddress",
    event_code=12000,
    columns=(("mx_Custom_19", "Status Comment"), ("mx_Custom_3", "Course")),
)
ROW = OpportunityRow("sheet1", 7, "asha@example.com", (), (("mx_Custom_3", "MBA"),))


@given(count=st.integers(min_value=1, max_value=25), seed=st.integers())
def test_shuffled_reply_matched_by_row_number(count: int, seed: int) -> None:
    reply = [{"RowNumber": n, "tag": n} for n in range(1, count + 1)]
    random.Random(seed).shuffle(reply)
    matched = match_items(count, reply)
    assert not matched.ambiguous
    assert all(item["tag"] == i + 1 for i, item in matched.items.items())


def test_missing_and_repeated_row_numbers_are_ambiguous() -> None:
    matched = match_items(4, [{"RowNumber": 1}, {"RowNumber": 2}, {"RowNumber": 2}])
    assert set(matched.items) == {0}
    assert matched.ambiguous == {1, 2, 3}


def test_out_of_range_or_malformed_row_number_distrusts_whole_reply() -> None:
    for bad in ({"RowNumber": 5}, {"RowNumber": "1"}, {"RowNumber": True}, {}, "x"):
        matched = match_items(3, [{"RowNumber": 1}, bad])
        assert not matched.items
        assert matched.ambiguous == {0, 1, 2}


def test_bulk_created() -> None:
    item = {"ProspectOpportunityId": "opp-1", "RowNumber": 1, "OpportunityCreated": True}
    outcome = bulk_outcome(ROW, item, SETTINGS)
    assert (outcome.outcome, outcome.opportunity_id, outcome.row) == (Outcome.CREATED, "opp-1", 7)


def test_bulk_duplicate_keeps_conflicting_id() -> None:
    item = {
        "ProspectOpportunityId": None,
        "RowNumber": 1,
        "OpportunityCreated": False,
        "ExceptionType": "MXDuplicateEntryException",
        "ExceptionMessage": "duplicate",
        "ConflictedOpportunityId": "opp-9",
    }
    outcome = bulk_outcome(ROW, item, SETTINGS)
    assert (outcome.outcome, outcome.opportunity_id) == (Outcome.DUPLICATE, "opp-9")


def test_bulk_failure_names_row_column_and_code() -> None:
    item = {
        "ProspectOpportunityId": None,
        "RowNumber": 1,
        "OpportunityCreated": False,
        "ExceptionType": "MXInvalidActivityFieldsException",
        "ExceptionMessage": "Field name : 'mx_Custom_19' of datatype : 'String' is mandatory.",
    }
    outcome = bulk_outcome(ROW, item, SETTINGS)
    assert outcome.outcome is Outcome.FAILED
    assert "Row 7" in outcome.message
    assert "Status Comment" in outcome.message
    (problem,) = outcome.problems
    assert (problem.column, problem.field) == ("Status Comment", "mx_Custom_19")
    assert problem.code == "rejected_value"  # a stable code; LeadSquared's own words apart
    assert problem.detail.startswith("MXInvalidActivityFieldsException: Field name")


def test_every_wording_of_a_missing_lead_is_recognised_and_explained_once() -> None:
    """LeadSquared's wording is not documented: every one the sandbox can produce is
    recognised (issue: `auto` relied on one guessed exception name)."""
    for wording in LEAD_NOT_FOUND_WORDINGS:
        said = wording.template.format(field="EmailAddress", value="asha@example.com")
        assert is_lead_missing(wording.exception_type, said), wording
        assert not is_whole_request_refusal(500, wording.exception_type, said)
        item = {"RowNumber": 1, "OpportunityCreated": False, "ExceptionMessage": said}
        if wording.exception_type:
            item["ExceptionType"] = wording.exception_type
        outcome = bulk_outcome(ROW, item, SETTINGS)
        assert outcome.problems[0].code == "lead_not_found"
        assert outcome.message.count("asha@example.com") == 1, "said once, not twice"
        assert "capture" in outcome.message
        assert said in outcome.problems[0].detail


def test_other_refusals_are_not_read_as_a_missing_lead() -> None:
    for said in (
        "Field name : 'mx_Custom_19' of datatype : 'String' is mandatory.",
        "Attribute(s) does not exist - lead.Source",
        "Value 'X' of field 'mx_Custom_2' is not configured for 'Status' = 'Open'.",
    ):
        assert not is_lead_missing("MXInvalidInputException", said), said


def test_refusals_of_the_request_itself_are_recognised() -> None:
    assert is_whole_request_refusal(
        500, "MXInvalidInputException", "SearchBy 'Foo' is not a unique lead field."
    )
    assert is_whole_request_refusal(404, None, "No such API.")
    assert is_whole_request_refusal(413, None, "")
    assert not is_whole_request_refusal(
        500, "MXInvalidActivityFieldsException", "Field name : 'mx_Custom_19' is mandatory."
    )


def test_bulk_unexplained_failure_keeps_raw_item() -> None:
    outcome = bulk_outcome(ROW, {"RowNumber": 1, "OpportunityCreated": False, "Odd": 1}, SETTINGS)
    assert outcome.outcome is Outcome.FAILED
    assert '"Odd": 1' in outcome.message


def _capture(**values: object) -> dict[str, object]:
    reply: dict[str, object] = {
        "Status": 0,
        "CreatedOpportunityId": "opp-2",
        "ConflictedOpportunityId": None,
        "RelatedProspectId": "lead-1",
        "AdditionalDetails": [{"ActivityId": "a", "PostDeDupActionPerformed": 1}],
    }
    reply.update(values)
    return reply


def test_capture_statuses() -> None:
    created = capture_outcome(ROW, _capture(), SETTINGS)
    assert (created.outcome, created.opportunity_id, created.lead_id) == (
        Outcome.CREATED,
        "opp-2",
        "lead-1",
    )
    duplicate = capture_outcome(
        ROW,
        _capture(
            CreatedOpportunityId=None,
            ConflictedOpportunityId="opp-0",
            AdditionalDetails=[{"PostDeDupActionPerformed": 3}],
        ),
        SETTINGS,
    )
    assert (duplicate.outcome, duplicate.opportunity_id) == (Outcome.DUPLICATE, "opp-0")
    partial = capture_outcome(ROW, _capture(Status=2, ExceptionMessage="activity"), SETTINGS)
    assert partial.outcome is Outcome.PARTIAL
    failure = capture_outcome(
        ROW, _capture(Status=1, ExceptionType="MXX", ExceptionMessage="no"), SETTINGS
    )
    assert failure.outcome is Outcome.FAILED
    assert failure.problems[0].code == "rejected"
    assert failure.problems[0].detail == "MXX: no"


def test_capture_status_zero_without_lead_needs_review() -> None:
    outcome = capture_outcome(ROW, _capture(RelatedProspectId=None), SETTINGS)
    assert outcome.outcome is Outcome.NEEDS_REVIEW
    assert "Course" in outcome.message
    assert "not linked" in outcome.message


def test_capture_dedup_action_without_conflict_id_is_duplicate() -> None:
    reply = _capture(CreatedOpportunityId=None, AdditionalDetails=[{"PostDeDupActionPerformed": 3}])
    assert capture_outcome(ROW, reply, SETTINGS).outcome is Outcome.DUPLICATE


def test_field_names_found_in_server_messages() -> None:
    assert field_named_in("Attribute(s) does not exist - mx_Foo,mx_Bar") == "mx_Foo"
    assert field_named_in("Field name : 'mx_Custom_19' of datatype") == "mx_Custom_19"
    assert field_named_in("invalid value for mx_Custom_2 under Status") == "mx_Custom_2"
    assert field_named_in("something went wrong") is None
    message = "Invalid value 'Astrology' for field 'mx_Custom_3' of type Dropdown."
    assert field_named_in(message, ["mx_Custom_3"]) == "mx_Custom_3"
    assert field_named_in("Invalid value 'x' for field 'Status'", ["Status"]) == "Status"


def test_request_position_is_not_shown_as_a_spreadsheet_row() -> None:
    outcome = failed(ROW, "MXInvalidInputException", "Row 3: Invalid value 'X'", SETTINGS)
    assert "Row 3" not in outcome.message
    assert outcome.message.startswith("Row 7: ")


def test_failed_without_field_still_says_what_to_do() -> None:
    outcome = failed(ROW, "MXInvalidInputException", "bad input", SETTINGS)
    assert outcome.message.startswith("Row 7: LeadSquared refused this opportunity: bad input")
    assert outcome.message.endswith("Fix the row and import it again.")
