"""The dry run says which mapped columns the chosen endpoint will not send."""

from __future__ import annotations

from pathlib import Path

import pytest

from importer.dryrun import validate
from importer.mapping import load_mapping
from importer.pipeline import mapping_notes

SAMPLE_MAPPING = Path("mappings/opportunities.yaml")


def mapping_with_target(tmp_path: Path, target: str) -> Path:
    text = SAMPLE_MAPPING.read_text(encoding="utf-8").replace("target: auto", f"target: {target}")
    path = tmp_path / f"{target}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_capture_sends_everything_so_there_is_nothing_to_say(tmp_path: Path) -> None:
    assert mapping_notes(load_mapping(mapping_with_target(tmp_path, "capture"))) == ()


@pytest.mark.parametrize("target", ["auto", "bulk"])
def test_the_date_column_is_named_when_rows_may_go_through_bulk(
    tmp_path: Path, target: str
) -> None:
    found = mapping_notes(load_mapping(mapping_with_target(tmp_path, target)))
    assert any("'Enquiry Date'" in note and "OpportunityDateTime" in note for note in found)


def test_bulk_names_the_lead_columns_it_will_not_send(tmp_path: Path) -> None:
    found = mapping_notes(load_mapping(mapping_with_target(tmp_path, "bulk")))
    (lead_note,) = [note for note in found if "lead columns" in note]
    for column in ("'First Name'", "'Mobile'", "'City'"):
        assert column in lead_note
    assert "'Email'" not in lead_note  # the search field is sent, as SearchByValue


def test_the_notes_reach_the_json_report(tmp_path: Path) -> None:
    report = validate("sample_data/opportunities.csv", mapping_with_target(tmp_path, "bulk"))
    warnings = report.to_dict()["warnings"]
    assert any("lead columns" in w for w in warnings)
