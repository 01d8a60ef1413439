"""Helpers of the exactly-once tests (issue 13): `run` as a user types it (no ``--ledger``:
the account's ledger in the state folder, which tests/conftest.py makes the test's own), its
JSON summary, and what the sandbox stored."""

from __future__ import annotations

import csv
import json
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from importer.ledger import Ledger, RunInfo, ledger_path
from importer.sandbox.testing import RunningSandbox
from sample_data.make_samples import write_import
from tests.e2e_support import MAPPING, Result

WRITES = ("Bulk/Add/ByLeadField", "Capture")
LOOKUP = "GetOpportunitiesByUniqueLeadField"


def import_args(
    source: Path, out: Path, *extra: str | Path, mapping: Path = MAPPING
) -> list[str | Path]:
    """`lsq-import run` with a JSON summary and the account's default ledger."""
    return ["run", source, "--mapping", mapping, "--out", out, "--quiet", "--json", *extra]


def summary(result: Result) -> dict[str, Any]:
    """The run's JSON summary; fails with the run's stderr when there is none."""
    assert result.stdout.strip(), f"exit {result.code}, no summary: {result.stderr}"
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def account_ledger(box: RunningSandbox) -> Path:
    """Where `run` keeps the sandbox account's ledger when no --ledger is given."""
    return ledger_path(box.url)


def runs_of(box: RunningSandbox) -> list[RunInfo]:
    """The runs the account's ledger remembers, newest first."""
    with Ledger.open(account_ledger(box), box.url) as ledger:
        return ledger.history()


def wait_stored(child: subprocess.Popen[str], box: RunningSandbox, count: int) -> None:
    """Wait until the sandbox holds ``count`` opportunities (what the account sees, whatever
    the client keeps); fails if the child ends first."""
    deadline = time.monotonic() + 60
    while box.stats()["total_opportunities"] < count:
        assert child.poll() is None, f"the run ended before {count} opportunities were stored"
        assert time.monotonic() < deadline, f"{count} opportunities not stored within a minute"
        time.sleep(0.005)


def writes(stats: Mapping[str, Any]) -> int:
    """Write calls the sandbox received (refused or not)."""
    calls: Mapping[str, int] = stats["calls"]
    return sum(calls.get(name, 0) for name in WRITES)


def assert_stored_once(box: RunningSandbox, emails: set[str]) -> None:
    """Every lead in ``emails`` holds exactly one opportunity, and no other lead any."""
    stats = box.stats()
    assert stats["duplicates_created"] == 0
    assert stats["orphaned_opportunities"] == 0
    per_lead = {str(k).casefold(): n for k, n in stats["opportunities_per_lead"].items()}
    assert per_lead == dict.fromkeys(emails, 1)


def generated(
    folder: Path, rows: int, seed: int = 13, *, missing_every: int = 0
) -> tuple[Path, Path, set[str]]:
    """``rows`` valid rows (one lead each) as a CSV, a sandbox account holding their leads
    but every ``missing_every``-th (for `auto` to capture), and the rows' e-mails."""
    made = write_import(folder, rows, seed)
    with made.csv.open(encoding="utf-8-sig", newline="") as fh:
        emails = {r["Email"].casefold() for r in csv.DictReader(fh)}
    if missing_every:
        header, *lines = made.leads.read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [line for n, line in enumerate(lines, start=1) if n % missing_every]
        made.leads.write_text("".join([header, *kept]), encoding="utf-8")
    return made.csv, made.account, emails
