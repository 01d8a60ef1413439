"""The dry run of a Noojee mapping knows what it can offline (stable problem codes), and
builds the very leads the import sends: Noojee's forms of dates, priorities and
dispositions, ``<NO CHANGE>`` kept on update, rows that name one lead twice refused."""

from __future__ import annotations

from pathlib import Path

from importer.dryrun import validate
from tests.noojee_support import (
    MAPPING,
    SAMPLE,
    WITH_DISPOSITION,
    enquiry,
    leads_of,
    mapping_with,
    sample_outcomes,
    write_csv,
)

DISPOSITION_COLUMN = "  Disposition:\n    to: njDisposition\n"


def codes(report_path: Path, mapping: Path) -> dict[int, list[str]]:
    report = validate(report_path, mapping)
    found: dict[int, list[str]] = {}
    for problem in report.problems:
        found.setdefault(problem.row, []).append(problem.code)
    return found


def test_the_sample_dry_run_finds_exactly_the_documented_invalid_rows() -> None:
    report = validate(SAMPLE, MAPPING)
    invalid = {row for row, outcome in sample_outcomes().items() if outcome == "invalid"}
    assert report.rows_read == 36
    assert set(report.invalid) == invalid == {6, 23}
    assert {p.row: p.code for p in report.problems} == {
        6: "no_phone_number",
        23: "no_change_on_insert",
    }
    by_row = {p.row: p for p in report.problems}
    assert by_row[6].column == "Mobile"
    assert "fill in 'Mobile' or 'Landline'" in by_row[6].message
    assert by_row[23].column == "Campus"
    assert report.target == "noojee"


def test_the_leads_are_what_noojee_takes() -> None:
    leads = {lead.row: lead for lead in leads_of(SAMPLE, MAPPING)}
    assert set(leads) == set(range(2, 38)) - {6, 23}
    third = dict(leads[3].fields)
    assert third == {
        "njExternalLeadId": "HZ-DL-1002",
        "FirstName": "Kavya",
        "LastName": "Iyer",
        "MobilePhone": "+91-9789904765",
        "Email": "kavya.iyer01@example.com",
        "Course": "B.Tech Computer Science",
        "Campus": "Bengaluru",
        "njCallBackDate": "2027/02/01 14:00",
        "njPriority": "10",
        "njContactHours": "Kolkata Office",
    }
    assert "njCallBackDate" not in dict(leads[2].fields)  # empty cells are left out
    assert leads[3].external_id == "HZ-DL-1002"
    assert leads[3].identity == "campaign 7, njExternalLeadId HZ-DL-1002"
    assert not leads[3].update


def test_call_back_moves_to_the_contact_hours_timezone(tmp_path: Path) -> None:
    mapping = mapping_with(tmp_path, contact_hours_timezone="Asia/Dubai")
    source = write_csv(tmp_path, [enquiry(1, **{"Call Back": "01/02/2027 14:00"})])
    (lead,) = leads_of(source, mapping)
    assert dict(lead.fields)["njCallBackDate"] == "2027/02/01 12:30"  # Kolkata is 1.5 h ahead


def test_insert_rules(tmp_path: Path) -> None:
    rows = [
        enquiry(1),
        enquiry(2, Mobile="", Landline=""),
        enquiry(3, Priority="150"),
        enquiry(4, Priority="-1"),
        enquiry(5, Priority="seven"),
        enquiry(6, Priority="7.0"),
        enquiry(7, **{"First Name": "<no change>"}),
        enquiry(8, Mobile="<NO CHANGE>", Landline=""),
        enquiry(9, **{"Lead Ref": "T-0001"}),
        enquiry(10, Landline="080 4120 0010", Mobile=""),
    ]
    found = codes(write_csv(tmp_path, rows), MAPPING)
    assert found == {
        3: ["no_phone_number"],
        4: ["bad_priority"],
        5: ["bad_priority"],
        6: ["bad_number"],
        8: ["no_change_on_insert"],
        9: ["no_change_on_insert", "no_phone_number"],
        10: ["same_lead_in_file"],
    }
    leads = {lead.row: dict(lead.fields) for lead in leads_of(write_csv(tmp_path, rows), MAPPING)}
    assert leads[7]["njPriority"] == "7"
    assert leads[11]["HomePhone"] == "+91-8041200010"


def test_a_text_call_back_must_already_be_noojees_form(tmp_path: Path) -> None:
    mapping = mapping_with(tmp_path)
    text = mapping.read_text().replace(
        '    type: DateTime\n    date_format: "%d/%m/%Y %H:%M"\n', "    type: String\n"
    )
    mapping.write_text(text)
    rows = [enquiry(1, **{"Call Back": "2027/02/05 10:30"}), enquiry(2, **{"Call Back": "5 Feb"})]
    assert codes(write_csv(tmp_path, rows), mapping) == {3: ["bad_datetime"]}
    (lead,) = leads_of(write_csv(tmp_path, rows[:1]), mapping)
    assert dict(lead.fields)["njCallBackDate"] == "2027/02/05 10:30"


def test_update_rules(tmp_path: Path) -> None:
    mapping = mapping_with(tmp_path, mode="update", columns_extra=DISPOSITION_COLUMN)
    update = {key: "" for key in enquiry(0)}
    rows = [
        {
            **update,
            "Lead Ref": WITH_DISPOSITION,
            "Mobile": "<no change>",
            "Disposition": "interested",
        },
        {**update, "Lead Ref": "", "Disposition": "Interested"},
        {**update, "Lead Ref": WITH_DISPOSITION, "Disposition": "Enrolled"},
        {**update, "Lead Ref": "HZ-DL-0903", "Disposition": "Maybe later"},
        {**update, "Lead Ref": "<NO CHANGE>"},
        {**update, "Lead Ref": "HZ-DL-0904", "Email": "<No Change>", "Call Back": "<NO CHANGE>"},
        {**update, "Lead Ref": "HZ-DL-0905", "Priority": "101"},
    ]
    source = write_csv(tmp_path, rows)
    assert codes(source, mapping) == {
        3: ["mandatory_missing"],  # the mapping says so; else missing_unique_field
        4: ["same_lead_in_file"],
        5: ["unknown_disposition"],
        6: ["missing_unique_field"],
        8: ["bad_priority"],
    }
    leads = {lead.row: lead for lead in leads_of(source, mapping)}
    first = dict(leads[2].fields)
    assert leads[2].update
    assert first["njDisposition"] == "Interested"  # as the campaign spells it
    assert first["MobilePhone"] == "<NO CHANGE>"
    assert first["FirstName"] == "<NO CHANGE>"  # an empty cell keeps the lead's value
    assert dict(leads[7].fields)["Email"] == "<NO CHANGE>"
    assert dict(leads[7].fields)["njCallBackDate"] == "<NO CHANGE>"


def test_leads_without_an_external_id_are_known_by_their_numbers(tmp_path: Path) -> None:
    mapping = tmp_path / "phones.yaml"
    mapping.write_text(
        "destination: noojee\n"
        "noojee: {template_id: 3, campaign_id: 7, allocation_id: 11,"
        " template_fields: [FirstName, MobilePhone, HomePhone],"
        " phone_fields: [MobilePhone, HomePhone]}\n"
        "columns:\n"
        "  First Name: {to: FirstName}\n"
        "  Mobile: {to: MobilePhone, type: Phone, country_code: '91'}\n"
        "  Landline: {to: HomePhone, type: Phone, country_code: '91'}\n",
        encoding="utf-8",
    )
    rows = [
        enquiry(1, Landline="080 4120 0001"),
        enquiry(2, **{"First Name": "Sibling"}, Mobile="+91 80 4120 0001"),
        enquiry(3, Mobile="97000 00001", Landline="080 41200001", **{"First Name": "Again"}),
    ]
    found = validate(write_csv(tmp_path, rows), mapping)
    (problem,) = found.problems
    assert (problem.row, problem.code, problem.column) == (4, "same_lead_in_file", "Mobile")
    assert "same phone numbers and no njExternalLeadId as row 2" in problem.message
