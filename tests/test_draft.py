"""``lsq-import mapping-from-account``: a draft read from the sandbox's metadata loads as it
is, carries the account's own rules, and (keys renamed as its comments say) catches the
sample's bad rows; the metadata readers and the YAML quoting on their own; the command's
exits (listing, unknown code, no overwrite, 401)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from importer.dryrun import validate
from importer.mapping import Mapping, load_mapping
from importer.mapping.draft.fetch import account_client, fetch_plan
from importer.mapping.draft.metadata import (
    dependent_options,
    mapping_type,
    opportunity_field,
    option_values,
)
from importer.mapping.draft.plan import DraftPlan, plan_draft
from importer.mapping.draft.yaml_writer import render, scalar, values_list
from importer.sandbox.account import load_account
from importer.sandbox.testing import RunningSandbox
from importer.settings import load_settings
from tests.e2e_support import SAMPLE_CSV, bad_rows, cli

# --- against the sandbox -------------------------------------------------------------


def sandbox_plan(sandbox: RunningSandbox, event_code: int = 12000) -> DraftPlan:
    with account_client(load_settings(environ=sandbox.env())) as client:
        return fetch_plan(client, event_code, "EmailAddress")


def written(tmp_path: Path, text: str, name: str = "draft.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_draft_loads_as_written_and_holds_the_accounts_rules(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    text = render(sandbox_plan(sandbox))
    mapping = load_mapping(written(tmp_path, text))
    account = load_account()
    otype = account.opportunity_type(12000)
    assert otype is not None
    assert (mapping.event_code, mapping.search_by, mapping.target) == (
        12000,
        "EmailAddress",
        "auto",
    )
    assert mapping.comments_on_status_change  # the type has mx_Custom_19
    assert mapping.duplicate_key == otype.duplicate_rule
    assert not mapping.update_empty_fields
    assert not mapping.overwrite_fields
    for field in otype.fields:
        assert_same_rules(mapping, field.schema, field, dropdown=field.type == "Dropdown")
    for field in account.lead_fields:
        assert_same_rules(mapping, f"lead.{field.schema}", field, dropdown=False)
    spec = mapping.field_for("lead.EmailAddress")
    assert spec is not None
    assert spec.mandatory
    assert [(r.parent, r.child, dict(r.options)) for r in mapping.dependent_dropdowns] == [
        ("Status", "mx_Custom_2", dict(otype.fields[2].dependent))
    ]
    assert sandbox.access_key not in text
    assert sandbox.secret_key not in text
    assert sandbox.url not in text


def assert_same_rules(mapping: Mapping, key: str, field: Any, dropdown: bool) -> None:
    spec = mapping.field_for(key)
    assert spec is not None, key
    assert spec.type == field.type
    assert spec.mandatory == (field.mandatory or key == "lead.EmailAddress")
    assert spec.max_length == field.max_length
    assert spec.options == (field.options if dropdown else None)


def test_draft_renamed_to_the_samples_headers_finds_its_bad_rows(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """What an admin does with the draft: rename two keys, delete the two columns the
    sheet lacks, uncomment the country code and date format hints."""
    text = render(sandbox_plan(sandbox))
    text = text.replace("  Phone Number:\n", "  Mobile:\n")
    text = re.sub(r"  (Mobile Number|Intake):\n(    .*\n)*", "", text)
    text = text.replace('# country_code: "91"', 'country_code: "91"')
    text = text.replace('# date_format: "%d/%m/%Y"', 'date_format: "%d/%m/%Y"')
    report = validate(SAMPLE_CSV, written(tmp_path, text))
    expected = bad_rows()
    # Enquiry Date goes to OpportunityDateTime, which is not a field of the type: the
    # draft only suggests it in a comment, so its bad date is not checked.
    del expected[104]
    assert sorted(report.invalid) == sorted(expected)
    for row, code in expected.items():
        assert code in {p.code for p in report.invalid[row].problems}, row
    # The draft knows the account's rules as well as the hand-written mapping does.
    assert {p.code for p in report.invalid[73].problems} == {"child_without_parent"}


def test_types_without_dependent_dropdowns_draft_no_rule(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    mapping = load_mapping(written(tmp_path, render(sandbox_plan(sandbox, 12001))))
    assert mapping.dependent_dropdowns == ()
    assert mapping.duplicate_key == ()
    room = mapping.field_for("mx_Custom_2")
    assert room is not None
    assert room.options == ("Single", "Shared")


# --- the command ----------------------------------------------------------------------


def one_line_error(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    return lines[0]


def test_without_event_code_lists_the_types_and_exits_2(sandbox: RunningSandbox) -> None:
    result = cli("mapping-from-account", env=sandbox.env())
    assert result.code == 2
    assert result.stdout.splitlines() == ["12000  Course Enquiry", "12001  Hostel Booking"]
    assert "--event-code" in one_line_error(result.stderr)


def test_unknown_event_code_names_the_accounts_codes(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    out = tmp_path / "draft.yaml"
    result = cli("mapping-from-account", "--event-code", "999", "-o", out, env=sandbox.env())
    assert result.code == 2
    line = one_line_error(result.stderr)
    assert "999" in line
    assert "12000 (Course Enquiry)" in line
    assert "12001" in line
    assert not out.exists()


def test_an_existing_file_is_replaced_only_with_force(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    out = tmp_path / "mine.yaml"
    out.write_text("# my own mapping\n", encoding="utf-8")
    args = ("mapping-from-account", "--event-code", "12000", "--out", out)
    refused = cli(*args, env=sandbox.env())
    assert refused.code == 2
    assert "--force" in one_line_error(refused.stderr)
    assert out.read_text(encoding="utf-8") == "# my own mapping\n"
    replaced = cli(*args, "--force", env=sandbox.env())
    assert replaced.code == 0, replaced.stderr
    assert load_mapping(out).event_code == 12000
    assert not list(tmp_path.glob("*.partial"))


def test_refused_keys_exit_2_without_the_key(sandbox: RunningSandbox, tmp_path: Path) -> None:
    # Nothing was done (no draft written): a usage error, as `run` and `undo` say it.
    env = sandbox.env() | {"LSQ_SECRET_KEY": "wrong-secret-key"}
    out = tmp_path / "draft.yaml"
    result = cli("mapping-from-account", "--event-code", "12000", "-o", out, env=env)
    assert result.code == 2
    assert "401" in one_line_error(result.stderr)
    assert "wrong-secret-key" not in result.stderr
    assert not out.exists()


# --- reading the metadata -------------------------------------------------------------


@pytest.mark.parametrize(
    ("data_type", "expected"),
    [
        ("Text", "String"),
        ("String", "String"),
        ("Number", "Number"),
        ("Decimal", "Number"),
        ("Date", "Date"),
        ("DateTime", "DateTime"),
        ("Email", "Email"),
        ("Phone", "Phone"),
        ("Dropdown", "Dropdown"),
        ("Select", "Dropdown"),
        ("Boolean", "Boolean"),
        ("Checkbox", "Boolean"),
        (" dropdown ", "Dropdown"),
        ("ActiveUsers", None),
        ("", None),
        (None, None),
    ],
)
def test_leadsquared_types_map_to_the_mappings_types(data_type: Any, expected: Any) -> None:
    assert mapping_type(data_type) == expected


def test_unknown_and_multi_select_fields_are_checked_as_text() -> None:
    owner = opportunity_field({"SchemaName": "Owner", "DataType": "ActiveUsers"})
    multi = opportunity_field(
        {"SchemaName": "mx_Custom_9", "DataType": "Dropdown", "IsMultiSelectDropdown": True}
    )
    assert (owner.type, multi.type, multi.choices) == ("String", "String", ())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('[{"Value": "Open", "IsDefault": true}, {"Value": "Won"}]', ("Open", "Won")),
        ([{"Value": "A"}, {"Value": "A"}, {"Value": " "}, {"Text": "no value"}], ("A",)),
        (["x", "y"], ("x", "y")),
        ("", ()),
        (None, ()),
        ("not json", ()),
        ('{"Value": "a lone object"}', ()),
    ],
)
def test_option_values(raw: Any, expected: tuple[str, ...]) -> None:
    assert option_values(raw) == expected


SANDBOX_SHAPE = json.dumps(
    [
        {"ParentValue": "Open", "Options": [{"Value": "Prospecting", "Text": "Prospecting"}]},
        {"ParentValue": "Won", "Options": [{"Value": "Enrolled"}]},
    ]
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (SANDBOX_SHAPE, (("Open", ("Prospecting",)), ("Won", ("Enrolled",)))),
        ({"Open": ["a", "b"], "Lost": []}, (("Open", ("a", "b")), ("Lost", ()))),
        ([{"ParentOption": "P", "OptionSet": '[{"Value": "c"}]'}], (("P", ("c",)),)),
        ([{"ParentValue": "P", "Options": ["a"]}, {"ParentValue": "P", "Options": ["b"]}],
         (("P", ("a", "b")),)),
        ("", ()),
        (None, ()),
        ("[1, 2", ()),
        ([{"Options": ["orphan"]}], ()),
    ],
)  # fmt: skip
def test_dependent_options(raw: Any, expected: Any) -> None:
    assert dependent_options(raw) == expected


def field(schema: str, name: str, kind: str = "String", **extra: Any) -> dict[str, Any]:
    return {"SchemaName": schema, "DisplayName": name, "DataType": kind, **extra}


LEADS = [
    field("EmailAddress", "Email", "Email", IsUnique=True, ShowInImport=False),
    field("Phone", "Phone", "Phone", IsUnique=True),
    field("ProspectStage", "Stage", "Dropdown", Options=[{"Value": "Prospect"}]),
    field("mx_Secret", "Hidden", ShowInImport=False),
]


def test_awkward_metadata_still_drafts_a_loadable_mapping(tmp_path: Path) -> None:
    fields = [
        field("Status", "Status", "Dropdown", OptionSet='[{"Value":"Open"},{"Value":"Won"}]'),
        field("mx_custom_2", "Stage", "Dropdown", ParentField="Status"),  # no pairs
        field("mx_Custom_3", "Stage", "Dropdown", OptionSet=""),  # same name, no options
        field("mx_Custom_4", "Sub", "Dropdown", ParentField="Status",
              DependentOptionSet='[{"ParentValue":"Lost","Options":[{"Value":"x"}]}]'),
        field("mx_Custom_5", "Created", "DateTime", IsReadOnly=True),
        field("mx_Custom_6", "Owner", "ActiveUsers", MaxFieldLength="0"),
        field("Statsu", "Typo", "String"),  # the loader would take it for a typo of Status
        field("mx_custom_19", "Comment", "Text", MaxFieldLength=200),
    ]  # fmt: skip
    metadata = {"Name": 'Odd "type"', "EventCode": 7, "Fields": fields}
    plan = plan_draft(metadata, LEADS, "emailaddress")
    text = render(plan)
    mapping = load_mapping(written(tmp_path, text))
    assert [f.column for f in mapping.fields] == [
        "Email",  # the search field is kept though hidden from imports
        "Phone",
        "Stage",
        "Status",
        "Stage (mx_Custom_2)",  # the lead's Stage took the name first
        "Stage (mx_Custom_3)",
        "Sub",
        "Owner",
        "Comment",
    ]
    assert mapping.comments_on_status_change
    assert mapping.dependent_dropdowns == ()
    assert mapping.field_for("mx_Custom_19") is not None
    owner = mapping.field_for("mx_Custom_6")
    assert owner is not None
    assert owner.max_length is None
    for reason in ("read-only", "Statsu", "lists no Status value", "Lost: not options"):
        assert reason in text
    assert "1 lead field(s) LeadSquared hides" in text
    assert "'ActiveUsers' is not one the dry run knows" in text


def test_search_by_must_be_a_unique_lead_field() -> None:
    from importer.errors import UsageError

    with pytest.raises(UsageError, match="unique lead fields: EmailAddress, Phone"):
        plan_draft({"Fields": []}, LEADS, "ProspectStage")


# --- quoting --------------------------------------------------------------------------

TEXT = st.text(max_size=60)


def read(text: str) -> Any:
    """As the mapping loader reads YAML: every scalar a string."""
    return yaml.load(text, Loader=yaml.BaseLoader)


@given(key=TEXT, value=TEXT)
def test_any_text_round_trips_as_a_key_and_a_value(key: str, value: str) -> None:
    assert read(f"columns:\n  {scalar(key)}:\n    to: {scalar(value)}\n") == {
        "columns": {key: {"to": value}}
    }


@given(key=TEXT, values=st.lists(TEXT, max_size=8))
def test_any_option_list_round_trips(key: str, values: list[str]) -> None:
    text = "\n".join(["top:", *values_list(key, values, 2)]) + "\n"
    assert read(text) == {"top": {key: values}}


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=TEXT.filter(lambda name: name.strip() not in ("", "Email", "Phone", "Stage")),
    options=st.lists(TEXT.filter(str.strip), min_size=1, max_size=6, unique=True),
)
def test_any_option_text_survives_the_loader(tmp_path: Path, name: str, options: list[str]) -> None:
    """The whole way: metadata -> draft -> load_mapping gives back the account's options."""
    option_set = json.dumps([{"Value": o} for o in options])
    fields = [
        field("mx_Custom_1", name, "Dropdown", OptionSet=option_set),
        field("mx_Custom_2", "Child", "Dropdown", ParentField="mx_Custom_1",
              DependentOptionSet=json.dumps({options[0]: options})),
    ]  # fmt: skip
    plan = plan_draft({"Name": name, "EventCode": 1, "Fields": fields}, LEADS, "EmailAddress")
    mapping = load_mapping(written(tmp_path, render(plan), "property.yaml"))
    parent = mapping.field_for("mx_Custom_1")
    assert parent is not None
    assert parent.options == tuple(options)
    assert parent.column == name.strip()
    assert dict(mapping.dependent_dropdowns[0].options) == {options[0]: tuple(options)}


def test_a_field_with_options_is_a_dropdown_whatever_its_data_type(tmp_path: Path) -> None:
    """Issue 8: Status was drafted as plain text although the metadata lists its options
    (LeadSquared's Status is not typed "Dropdown")."""
    options = '[{"Value":"Open"},{"Value":"Won"},{"Value":"Lost"}]'
    fields = [field("Status", "Status", "ActivityStatus", OptionSet=options)]
    plan = plan_draft({"Name": "T", "EventCode": 1, "Fields": fields}, LEADS, "EmailAddress")
    mapping = load_mapping(written(tmp_path, render(plan)))
    status = mapping.field_for("Status")
    assert status is not None
    assert (status.type, status.options) == ("Dropdown", ("Open", "Won", "Lost"))


@pytest.mark.parametrize("told", [True, False])
def test_comments_on_status_change_is_what_the_metadata_says(tmp_path: Path, told: bool) -> None:
    """Issue 8: the draft inferred the setting from the mere presence of mx_Custom_19."""
    fields = [field("Status", "Status", "Dropdown", OptionSet='[{"Value":"Open"}]'),
              field("mx_Custom_19", "Comment")]  # fmt: skip
    metadata = {"Name": "T", "EventCode": 1, "Fields": fields, "CommentsOnStatusChange": told}
    text = render(plan_draft(metadata, LEADS, "EmailAddress"))
    assert load_mapping(written(tmp_path, text)).comments_on_status_change is told
    assert "as the account's settings say" in text
    assert "QUESTION: inferred" not in text


def test_every_inference_is_marked_as_a_question(tmp_path: Path) -> None:
    fields = [field("Status", "Status", "Dropdown", OptionSet='[{"Value":"Open"}]'),
              field("mx_Custom_19", "Comment")]  # fmt: skip
    text = render(plan_draft({"Name": "T", "EventCode": 1, "Fields": fields}, LEADS, "Phone"))
    account = text[text.index("account:") :].split("columns:")[0]
    assert "QUESTION" in account.split("comments_on_status_change")[0]
    assert "QUESTION" in text.split("timezone:")[0].splitlines()[-1]
    assert load_mapping(written(tmp_path, text)).comments_on_status_change
