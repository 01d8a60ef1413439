"""The command line as a user meets it: help on every command, ``--version``, and exit codes
through a real subprocess (``python -m importer``) — 0/1 for a finished dry run, 2 with one
line on stderr and never a traceback when nothing could be done."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from importer import __version__
from importer.cli import cli as cli_group
from tests.e2e_support import MAPPING, SAMPLE_CSV, SAMPLE_XLSX, Result, cli, sample_subset


def commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path of the group, subgroups walked (sqlite-utils' help test); commands
    that load lazily are asked for by name."""
    yield path
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name)


@pytest.mark.parametrize(
    "path", list(commands(cli_group)), ids=lambda path: " ".join(("lsq-import", *path))
)
def test_every_command_has_help_text(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli_group, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
    context = click.Context(cli_group)
    command: click.Command = cli_group
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(context, name)
        assert found is not None
        command = found
    assert command.help, f"{' '.join(path) or 'lsq-import'} has no help text"
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"option {param.name} of {' '.join(path)} has no help"


def test_version() -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.stdout.strip() == f"lsq-import, version {__version__}"


def test_validate_the_sample_exits_1(tmp_path: Path) -> None:
    result = cli("validate", SAMPLE_CSV, "-m", MAPPING, "--out", tmp_path / "r.xlsx")
    assert result.code == 1, result.stderr
    assert "287 valid, 13 invalid" in result.stdout


def test_validate_an_all_valid_file_exits_0(tmp_path: Path) -> None:
    source = sample_subset(tmp_path, 5)  # rows 2-6: the first bad row is row 7
    result = cli("validate", source, "-m", MAPPING, "--out", tmp_path / "r.xlsx")
    assert result.code == 0, result.stderr
    assert "5 valid, 0 invalid" in result.stdout
    assert (tmp_path / "r.xlsx").exists()


def assert_one_line_error(result: Result, *words: str) -> None:
    """Exit 2, one line on stderr naming what is wrong, no traceback, nothing on stdout."""
    assert result.code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = cli("validate", tmp_path / "nope.csv", "-m", MAPPING, "--out", out)
    assert_one_line_error(result, "nope.csv")
    assert not out.exists()


def test_bad_mapping_is_exit_2(tmp_path: Path) -> None:
    mapping = tmp_path / "bad.yaml"
    text = MAPPING.read_text(encoding="utf-8")
    mapping.write_text(text + "\nsurprise_key: 1\n", encoding="utf-8")
    result = cli("validate", SAMPLE_CSV, "-m", mapping, "--out", tmp_path / "r.xlsx")
    assert_one_line_error(result, "bad.yaml", "surprise_key")


def test_missing_mapping_is_exit_2(tmp_path: Path) -> None:
    result = cli("validate", SAMPLE_CSV, "-m", tmp_path / "none.yaml")
    assert_one_line_error(result, "none.yaml")


def test_binary_file_renamed_csv_is_exit_2(tmp_path: Path) -> None:
    fake = tmp_path / "photo.csv"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    result = cli("validate", fake, "-m", MAPPING, "--out", tmp_path / "r.xlsx")
    assert_one_line_error(result, "photo.csv")


def test_unknown_sheet_is_exit_2(tmp_path: Path) -> None:
    result = cli("validate", SAMPLE_XLSX, "-m", MAPPING, "--sheet", "Nope")
    assert_one_line_error(result, "Nope")


def test_run_without_lsq_host_is_exit_2(tmp_path: Path) -> None:
    env = {"LSQ_ACCESS_KEY": "u$abc", "LSQ_SECRET_KEY": "def"}
    out = tmp_path / "r.xlsx"
    result = cli("run", SAMPLE_CSV, "-m", MAPPING, "--out", out, env=env)
    assert_one_line_error(result, "LSQ_HOST")
    assert not out.exists()


def test_run_refuses_plain_http_to_another_machine(tmp_path: Path) -> None:
    # Refused before any connection is tried: example.com is never contacted.
    env = {"LSQ_HOST": "http://crm.example.com", "LSQ_ACCESS_KEY": "u$a", "LSQ_SECRET_KEY": "s"}
    result = cli("run", SAMPLE_CSV, "-m", MAPPING, "--out", tmp_path / "r.xlsx", env=env)
    assert_one_line_error(result, "http://", "https://")


def test_unknown_option_is_exit_2() -> None:
    result = cli("validate", SAMPLE_CSV, "-m", MAPPING, "--no-such-option")
    assert result.code == 2
    assert "Traceback" not in result.stderr
    assert "--no-such-option" in result.stderr


def test_the_import_commands_do_not_load_the_sandbox() -> None:
    """`lsq-import run` must stay lean: the sandbox loads only for `lsq-import sandbox`."""
    code = (
        "import sys; from importer.cli.main import cli; import click;"
        "cli.get_command(click.Context(cli), 'run');"
        "cli.get_command(click.Context(cli), 'validate');"
        "print(sorted(m for m in sys.modules if m.startswith('importer.sandbox')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
