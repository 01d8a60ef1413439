"""A mapping with ``destination: noojee``: the shipped one loads as documented, and every
mistake that would make a run impossible stops with one line naming the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from importer.errors import MappingError
from importer.mapping import load_mapping
from tests.noojee_support import MAPPING, mapping_with


def test_the_shipped_mapping_loads() -> None:
    mapping = load_mapping(MAPPING)
    section = mapping.noojee
    assert section is not None
    assert mapping.target == "noojee"
    assert (section.mode, section.template_id, section.campaign_id, section.allocation_id) == (
        "insert",
        3,
        7,
        11,
    )
    assert section.allow_duplicates is False
    assert section.phone_fields == ("MobilePhone", "HomePhone")
    assert (section.batch_size, section.concurrency) == (25, 2)
    assert section.call_back_timezone == "Asia/Kolkata"
    assert {f.column: f.target for f in mapping.fields}["Lead Ref"] == "njExternalLeadId"
    assert all(f.place == "noojee" for f in mapping.fields)
    assert mapping.constants == (("njContactHours", "Kolkata Office"),)


def test_the_campaign_is_part_of_the_run_identity(tmp_path: Path) -> None:
    other = load_mapping(mapping_with(tmp_path, campaign_id="8"))
    assert other.digest != load_mapping(MAPPING).digest
    comment_only = tmp_path / "same.yaml"
    comment_only.write_text("# a comment\n" + MAPPING.read_text(encoding="utf-8"))
    assert load_mapping(comment_only).digest == load_mapping(MAPPING).digest


def test_a_leadsquared_mapping_may_say_so(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[1] / "mappings" / "opportunities.yaml"
    path = tmp_path / "lsq.yaml"
    path.write_text("destination: leadsquared\n" + source.read_text(encoding="utf-8"))
    assert load_mapping(path).noojee is None


BAD = [
    ("typo-destination", {"destination_line": "noojy"}, "destination", "did you mean 'noojee'"),
    ("unknown-key", {"campain_id": "7"}, "noojee.campain_id", "did you mean 'campaign_id'"),
    ("mode", {"mode": "upsert"}, "noojee.mode", "not one of insert, update"),
    ("id-not-a-number", {"template_id": "three"}, "noojee.template_id", "whole number"),
    ("phone-not-in-template", {"phone_fields": "[Mobile]"}, "noojee.phone_fields", "MobilePhone"),
    ("no-template-fields", {"template_fields": "[]"}, "noojee.template_fields", "list"),
    ("batch-too-big", {"batch_size": "5000"}, "noojee.batch_size", "at most 500"),
    ("concurrency-too-high", {"concurrency": "50"}, "noojee.concurrency", "at most 10"),
    (
        "timezone",
        {"contact_hours_timezone": "Asia/Kolkatta"},
        "noojee.contact_hours_timezone",
        "Kolkata",
    ),
    (
        "field-not-in-template",
        {"columns_extra": "  Nick:\n    to: NickName\n"},
        "columns.Nick.to",
        "not a field of template 3",
    ),
    (
        "system-field-case",
        {"columns_extra": "  Ref2:\n    to: njexternalleadid\n"},
        "columns.Ref2.to",
        "did you mean 'njExternalLeadId'",
    ),
    (
        "disposition-on-insert",
        {"columns_extra": "  Outcome:\n    to: njDisposition\n"},
        "columns.Outcome.to",
        "only sent with mode: update",
    ),
]


@pytest.mark.parametrize(
    ("changes", "where", "says"), [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_a_bad_noojee_mapping_is_one_line(
    tmp_path: Path, changes: dict[str, str], where: str, says: str
) -> None:
    changes = dict(changes)
    destination = changes.pop("destination_line", None)
    path = mapping_with(tmp_path, **changes)
    if destination:
        text = path.read_text().replace("destination: noojee", f"destination: {destination}")
        path.write_text(text)
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {where}")
    assert says in message


def test_two_columns_for_one_field_are_refused(tmp_path: Path) -> None:
    path = mapping_with(tmp_path, columns_extra="  Ref2:\n    to: njExternalLeadId\n")
    with pytest.raises(MappingError, match="'Ref2' and 'Lead Ref' both go to njExternalLeadId"):
        load_mapping(path)


def small(tmp_path: Path, noojee: str, columns: str) -> Path:
    """A short Noojee mapping: the sample campaign, with ``noojee`` lines and ``columns``."""
    path = tmp_path / "small.yaml"
    path.write_text(
        "destination: noojee\n"
        "noojee:\n"
        "  template_id: 3\n  campaign_id: 7\n  allocation_id: 11\n"
        "  template_fields: [FirstName, MobilePhone, Campus]\n"
        "  phone_fields: [MobilePhone]\n"
        f"{noojee}"
        "columns:\n"
        f"{columns}",
        encoding="utf-8",
    )
    return path


MOBILE = "  Mobile: {to: MobilePhone}\n"


def test_update_needs_the_external_id_mapped(tmp_path: Path) -> None:
    path = small(tmp_path, "  mode: update\n", MOBILE)
    with pytest.raises(MappingError, match="mode: update finds each lead by njExternalLeadId"):
        load_mapping(path)


def test_a_mapping_without_a_phone_column_is_refused(tmp_path: Path) -> None:
    path = small(tmp_path, "", "  Name: {to: FirstName}\n")
    with pytest.raises(MappingError, match="no column is mapped to a phone field"):
        load_mapping(path)
    with_constant = small(tmp_path, "", "  Name: {to: FirstName}\n")
    text = with_constant.read_text().replace(
        "columns:", "constants: {MobilePhone: '+61 3 9000 0000'}\ncolumns:"
    )
    with_constant.write_text(text)
    assert load_mapping(with_constant).noojee is not None


def test_constants_name_template_fields_and_never_the_external_id(tmp_path: Path) -> None:
    clash = small(tmp_path, "", MOBILE + "  Where: {to: Campus}\n")
    clash.write_text(clash.read_text().replace("columns:", "constants: {Campus: x}\ncolumns:"))
    with pytest.raises(MappingError, match="Campus is also mapped from column 'Where'"):
        load_mapping(clash)
    own = small(tmp_path, "", MOBILE)
    own.write_text(
        own.read_text().replace("columns:", "constants: {njExternalLeadId: X}\ncolumns:")
    )
    with pytest.raises(MappingError, match="every lead needs its own njExternalLeadId"):
        load_mapping(own)
    hours = small(
        tmp_path, "  contact_hours: Kolkata Office\n", MOBILE + "  H: {to: njContactHours}\n"
    )
    with pytest.raises(MappingError, match="njContactHours is also given by a column"):
        load_mapping(hours)


def test_a_call_back_column_is_a_date_time_or_text(tmp_path: Path) -> None:
    path = small(tmp_path, "", MOBILE + "  Next: {to: njCallBackDate, type: Date}\n")
    with pytest.raises(MappingError, match=r"columns\.Next\.type .*DateTime or String"):
        load_mapping(path)
