"""Mapping files a user gets wrong in big ways: the wrong file, an empty one, a huge one,
a YAML bomb. Each gets one short line (exit 2), quickly."""

from __future__ import annotations

from pathlib import Path

import pytest

from importer.errors import MappingError
from importer.mapping import check_headers, load_mapping
from tests.test_mapping_fixtures import BASE_YAML, write_mapping

ROOT = Path(__file__).resolve().parent.parent
SHORT = 400  # characters: a message is one readable line


def error_of(path: Path) -> str:
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    return str(caught.value)


def test_a_csv_passed_as_the_mapping_is_not_echoed_whole(tmp_path: Path) -> None:
    csv_text = (ROOT / "sample_data" / "opportunities.csv").read_text(encoding="utf-8-sig")
    message = error_of(write_mapping(tmp_path, csv_text, "opportunities.csv"))
    assert len(message) < SHORT, message
    assert "\n" not in message
    assert "characters" in message  # says how much was left out


def test_an_empty_mapping_says_it_is_empty(tmp_path: Path) -> None:
    for text in ("", "\n\n# only a comment\n"):
        message = error_of(write_mapping(tmp_path, text))
        assert "None" not in message
        assert "is empty" in message


def test_a_huge_mapping_gives_a_short_line(tmp_path: Path) -> None:
    columns = "".join(f"  Column {n}: {{to: mx_Custom_{n + 1000}}}\n" for n in range(20_000))
    mapping = load_mapping(write_mapping(tmp_path, BASE_YAML + columns))
    with pytest.raises(MappingError) as caught:
        check_headers(mapping, ["Email", "Mobile"], "enquiries.csv")
    message = str(caught.value)
    assert len(message) < SHORT, message
    assert "more" in message


def test_a_long_value_in_a_mapping_is_cut(tmp_path: Path) -> None:
    text = BASE_YAML.replace("target: auto", "target: " + "x" * 5000)
    message = error_of(write_mapping(tmp_path, text))
    assert len(message) < SHORT, message


@pytest.mark.timeout(20)
def test_a_yaml_bomb_is_refused_quickly(tmp_path: Path) -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 10):
        previous = chr(ord("a") + n - 1)
        levels.append(
            f"{chr(ord('a') + n)}: &{chr(ord('a') + n)} [" + ",".join([f"*{previous}"] * 9) + "]"
        )
    message = error_of(write_mapping(tmp_path, "\n".join(levels) + "\n"))
    assert "alias" in message
    assert len(message) < SHORT


def test_a_small_alias_still_works(tmp_path: Path) -> None:
    text = BASE_YAML.replace("options: [MBA, BBA]", "options: &courses [MBA, BBA]")
    text += "  Second Course: {to: mx_Custom_9, type: Dropdown, options: *courses}\n"
    mapping = load_mapping(write_mapping(tmp_path, text))
    second = mapping.field_for("mx_Custom_9")
    assert second is not None
    assert second.options == ("MBA", "BBA")
