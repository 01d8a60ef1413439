"""The options several commands share, each defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def input_options(command: F) -> F:
    """The options of every command that reads a spreadsheet."""
    decorators = [
        click.argument("file", type=click.Path(path_type=Path, dir_okay=False)),
        click.option(
            "--mapping",
            "-m",
            required=True,
            type=click.Path(path_type=Path, dir_okay=False),
            help="Mapping file (YAML): spreadsheet columns -> LeadSquared fields and rules.",
        ),
        click.option(
            "--sheet",
            help="Excel sheet to read, by name or 0-based index [default: the mapping's "
            "sheet, else the first with a header row].",
        ),
        click.option(
            "--header-row",
            type=click.IntRange(min=1),
            help="Row holding the column names; rows above it are skipped "
            "[default: the mapping's header_row, else 1].",
        ),
        click.option("--encoding", help="Text encoding of a CSV, e.g. cp1252 [default: guessed]."),
        click.option(
            "--out",
            "-o",
            type=click.Path(path_type=Path, dir_okay=False),
            help="Results workbook to write [default: FILE's name + '-results.xlsx', here].",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON."),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def config_option(command: F) -> F:
    """``--config FILE``: the connection settings, instead of the environment."""
    return click.option(
        "--config",
        type=click.Path(path_type=Path, dir_okay=False, exists=True),
        help="File with LSQ_HOST, LSQ_ACCESS_KEY, LSQ_SECRET_KEY - or, for a Noojee mapping, "
        "NOOJEE_HOST, NOOJEE_API_KEY (else the environment).",
    )(command)


def ledger_option(command: F) -> F:
    """``--ledger FILE``: the account's ledger, instead of the one in the state folder."""
    return click.option(
        "--ledger",
        type=click.Path(path_type=Path, dir_okay=False),
        envvar="LSQ_LEDGER",
        help="The account's ledger (SQLite) of everything sent to it [default: one per host "
        "in ~/.local/state/lsq-import; env LSQ_LEDGER].",
    )(command)


def sheet_arg(sheet: str | None) -> str | int | None:
    """``--sheet 2`` means the third sheet; any other text is a sheet name."""
    return int(sheet) if sheet is not None and sheet.isdigit() else sheet


def async_options(command: F) -> F:
    """Target async's options: ``--no-wait`` and ``--status-rate``."""
    decorators = [
        click.option(
            "--no-wait",
            is_flag=True,
            help="Target async: submit every row to LeadSquared's queue and exit; collect the "
            "outcomes later with `lsq-import status` or by running the same command again.",
        ),
        status_rate_option,
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def status_rate_option(command: F) -> F:
    """``--status-rate RATE``: the Status API's own limit, when the account has one."""
    return click.option(
        "--status-rate",
        metavar="RATE",
        help="Target async: the limit of LeadSquared's Status API calls, for an account "
        "where they do not count towards --rate [default: they share --rate].",
    )(command)
