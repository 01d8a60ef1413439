"""Helpers shared by the end-to-end tests: the sample files, the CLI run as a real
subprocess (``python -m importer``), a read-only look into the ledger, a sandbox
account with keys of the test's choosing, and a scan of every artefact for secrets."""

from __future__ import annotations

import csv
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

REPO = Path(__file__).resolve().parents[1]
SAMPLE_XLSX = REPO / "sample_data" / "opportunities.xlsx"
SAMPLE_CSV = REPO / "sample_data" / "opportunities.csv"
MAPPING = REPO / "mappings" / "opportunities.yaml"
ACCOUNT = REPO / "sample_data" / "sandbox_account.yaml"

SAMPLE_ROWS = 300
SAMPLE_VALID = 287
# Ledger states that are not an outcome yet, and the one that is never sent.
UNSENT = ("pending", "in_flight", "ambiguous", "invalid")


def bad_rows() -> dict[int, str]:
    """Row -> code, read from the table in sample_data/README.md (the documented truth)."""
    text = (REPO / "sample_data" / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"^\| (\d+) \|.*\| `([a-z_]+)` \|$", text, flags=re.MULTILINE)
    return {int(row): code for row, code in found}


def sample_subset(tmp_path: Path, rows: int) -> Path:
    """The sample CSV cut to its first ``rows`` data rows (row numbers stay the same)."""
    lines = SAMPLE_CSV.read_bytes().split(b"\n")
    out = tmp_path / f"sample-{rows}.csv"
    out.write_bytes(b"\n".join([*lines[: rows + 1], b""]))
    return out


def valid_emails(path: Path = SAMPLE_CSV) -> set[str]:
    """The lead of every valid sample row, as the sandbox's stats key it (lower case)."""
    bad = bad_rows()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        records = list(csv.DictReader(fh))
    return {r["Email"].strip().lower() for n, r in enumerate(records, start=2) if n not in bad}


def account_with_keys(
    tmp_path: Path, access_key: str, secret_key: str, name: str = "", api_key: str | None = None
) -> Path:
    """A copy of the sandbox's account whose keys are the given ones (and its async API
    key, given one)."""
    text = ACCOUNT.read_text(encoding="utf-8")
    text = text.replace("access_key: u$sandbox-access-key", f'access_key: "{access_key}"')
    text = text.replace("secret_key: sandbox-secret-key", f'secret_key: "{secret_key}"')
    if api_key is not None:
        text = text.replace("api_key: sandbox-api-key", f'api_key: "{api_key}"')
    leads = ACCOUNT.parent / "sandbox_leads.csv"
    text = text.replace("leads_file: sandbox_leads.csv", f'leads_file: "{leads}"')
    path = tmp_path / f"account{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def sheet_records(path: Path, sheet: str) -> list[dict[str, Any]]:
    """A workbook's sheet as one dict per row, keyed by the header row's names."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        header, *rows = workbook[sheet].iter_rows(values_only=True)
        names = [str(name) for name in header]
        return [dict(zip(names, row, strict=False)) for row in rows]
    finally:
        workbook.close()


# --- the CLI as a subprocess


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any LSQ_ setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LSQ_")}
    env.pop("COLUMNS", None)
    return {**env, **(extra or {})}


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


def cli(*args: str | Path, env: Mapping[str, str] | None = None) -> Result:
    """Run ``python -m importer ARGS`` to the end."""
    done = subprocess.run(
        [sys.executable, "-m", "importer", *map(str, args)],
        cwd=REPO,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def start_cli(*args: str | Path, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "importer", *map(str, args)],
        cwd=REPO,
        env=clean_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(child: subprocess.Popen[str]) -> Result:
    stdout, stderr = child.communicate(timeout=120)
    return Result(child.returncode, stdout, stderr)


def run_args(source: Path, out: Path, *extra: str) -> list[str | Path]:
    """`run` with its ledger beside the workbook (``ledger_of(out)``)."""
    ledger = ledger_of(out)
    return [
        "run",
        source,
        "--mapping",
        MAPPING,
        "--out",
        out,
        "--ledger",
        ledger,
        "--quiet",
        *extra,
    ]


def ledger_of(out: Path) -> Path:
    return out.parent / "ledger.sqlite"


# --- the ledger, read-only while another process writes it


def ledger_states(path: Path) -> dict[str, int]:
    """Keys per state (every run of the ledger); empty while the file does not exist yet."""
    if not path.exists():
        return {}
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)) as db:
            found = db.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall()
    except sqlite3.Error:  # not created yet, or busy: ask again on the next poll
        return {}
    return dict(found)


def with_outcome(states: Mapping[str, int]) -> int:
    return sum(n for state, n in states.items() if state not in UNSENT)


def wait_until(
    child: subprocess.Popen[str], ledger: Path, reached: str, count: int = 1
) -> dict[str, int]:
    """Poll the ledger until ``count`` rows have an outcome (``reached="outcome"``) or are
    in flight (``reached="in_flight"``); fails if the child ends first."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        states = ledger_states(ledger)
        seen = with_outcome(states) if reached == "outcome" else states.get(reached, 0)
        if seen >= count:
            return states
        assert child.poll() is None, f"the run ended before {count} rows were {reached}"
        time.sleep(0.005)
    raise AssertionError(f"no {count} rows {reached} within a minute: {states}")


def kill(child: subprocess.Popen[str], sig: signal.Signals = signal.SIGKILL) -> Result:
    child.send_signal(sig)
    return finish(child)


# --- secrets


def artefact_texts(paths: Iterable[Path]) -> dict[str, bytes]:
    """Every byte a user could read: each file, and each part inside the xlsx zips."""
    texts: dict[str, bytes] = {}
    for path in paths:
        if not path.exists():
            continue
        texts[str(path)] = path.read_bytes()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    texts[f"{path}!{name}"] = archive.read(name)
    return texts


def leaked(secrets: Sequence[str], texts: Mapping[str, bytes]) -> list[str]:
    """Where any secret appears (plain or UTF-16, as SQLite or Excel might store it)."""
    forms = [f for s in secrets for f in (s.encode(), s.encode("utf-16-le"))]
    return [where for where, data in texts.items() for form in forms if form in data]
