"""`lsq-import run --target async` as a real subprocess: killed with -9 at several points
while requests are queued, then run again (nothing lost, nothing twice, no row with a
RequestID sent again); `--no-wait` then `status` (or the same command); no key in any
artefact."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from pathlib import Path
from subprocess import Popen

import pytest

from importer.sandbox.testing import RunningSandbox
from tests.e2e_support import (
    SAMPLE_CSV,
    account_with_keys,
    artefact_texts,
    bad_rows,
    cli,
    kill,
    leaked,
    ledger_of,
    ledger_states,
    run_args,
    sample_subset,
    sheet_records,
    start_cli,
    valid_emails,
)

Factory = Callable[..., RunningSandbox]
FAST = "1000/1s"
# Slow enough to stop part-way with requests in the queue, fast enough for a few seconds
# a run. Duplicate detection off: a row sent twice would be stored twice and counted.
SLOW = {
    "rate": FAST,
    "latency": "20ms±10ms",
    "async_delay": "0.6s±0.4s",
    "duplicate_detection": False,
}
FINISHED = ("created", "duplicate", "partial", "needs_review", "failed")


def async_args(source: Path, out: Path, *extra: str) -> list[str | Path]:
    return run_args(source, out, "--rate", FAST, "--target", "async", *extra)


def request_ids(ledger: Path) -> dict[str, tuple[str, str | None]]:
    """Key -> (state, RequestID) of every row in the ledger."""
    with closing(sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=5)) as db:
        found = db.execute("SELECT key, state, request_id FROM items").fetchall()
    return {key: (state, rid) for key, state, rid in found}


def wait_for(child: Popen[str], ledger: Path, reached: Callable[[Mapping[str, int]], bool]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if reached(ledger_states(ledger)):
            return
        assert child.poll() is None, "the run ended before the point to kill it at"
        time.sleep(0.005)
    raise AssertionError(f"not reached within a minute: {ledger_states(ledger)}")


def finished(states: Mapping[str, int]) -> int:
    return sum(states.get(s, 0) for s in FINISHED)


KILL_POINTS: dict[str, Callable[[Mapping[str, int]], bool]] = {
    "first-in-flight": lambda s: s.get("in_flight", 0) >= 1,
    "first-queued": lambda s: s.get("queued", 0) >= 1,
    "20-queued": lambda s: s.get("queued", 0) >= 20,
    "while-polling": lambda s: finished(s) >= 15 and s.get("queued", 0) >= 5,
    "all-submitted": lambda s: "pending" not in s and s.get("queued", 0) >= 5,
}


@pytest.mark.slow
@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_kill_9_while_queued_then_run_again_loses_and_repeats_nothing(
    sandbox_factory: Factory, tmp_path: Path, point: str
) -> None:
    box = sandbox_factory(**SLOW)
    source = sample_subset(tmp_path, 80)
    valid = len(valid_emails(source))
    out = tmp_path / "r.xlsx"
    child = start_cli(*async_args(source, out, "--workers", "2"), env=box.env())
    wait_for(child, ledger_of(out), KILL_POINTS[point])
    killed = kill(child)
    assert killed.code == -signal.SIGKILL
    before = request_ids(ledger_of(out))
    print(f"killed at {point}: {ledger_states(ledger_of(out))}; calls {box.stats()['calls']}")
    assert any(rid for _, rid in before.values()) or point == "first-in-flight"

    again = cli(*async_args(source, out, "--json"), env=box.env())
    assert again.code == 1, again.stderr
    summary = json.loads(again.stdout)
    assert summary["counts"] == {"created": valid, "invalid": 80 - valid}
    assert summary["aborted"] is None

    stats = box.stats()
    assert stats["duplicates_created"] == 0
    assert stats["opportunities_per_lead"] == dict.fromkeys(valid_emails(source), 1)
    after = request_ids(ledger_of(out))
    # A row that had its RequestID is never sent again: it keeps that very request.
    for key, (_, rid) in before.items():
        if rid:
            assert after[key][1] == rid
    # Only rows caught in flight (sent, no RequestID yet) may have gone out a second time,
    # and only once a look-up proved them absent.
    caught = sum(1 for state, _ in before.values() if state == "in_flight")
    assert valid <= stats["calls"]["async/capture"] <= valid + caught


def test_no_wait_queues_every_row_and_status_collects_them(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(rate=FAST, async_delay="0.3s±0.2s")
    out = tmp_path / "r.xlsx"
    submitted = cli(*async_args(SAMPLE_CSV, out, "--no-wait", "--json"), env=box.env())
    assert submitted.code == 1, submitted.stderr  # the 13 invalid rows; queued ones are fine
    assert json.loads(submitted.stdout)["counts"] == {"queued": 287, "invalid": 13}
    rows = {r["Row"]: r["Outcome"] for r in sheet_records(out, "Rows")}
    assert {n for n, o in rows.items() if o == "queued"} == set(range(2, 302)) - set(bad_rows())
    assert box.stats()["calls"].get("async/status", 0) == 0, "--no-wait polls nothing"

    ledger = ["--ledger", str(ledger_of(out)), "--rate", FAST]
    collected = cli("status", *ledger, "--json", env=box.env())
    assert collected.code == 1, collected.stderr
    (summary,) = json.loads(collected.stdout)
    assert summary["counts"] == {"created": 287, "invalid": 13}
    assert summary["workbook"] == str(out.resolve())
    rows = {r["Row"]: r["Outcome"] for r in sheet_records(out, "Rows")}
    assert sorted(set(rows.values())) == ["created", "invalid"]
    stats = box.stats()
    assert stats["calls"]["async/capture"] == 287
    assert stats["opportunities_per_lead"] == dict.fromkeys(valid_emails(), 1)

    nothing = cli("status", *ledger, env=box.env())
    assert nothing.code == 0, nothing.stderr
    assert "No row of this account's imports is waiting" in nothing.stdout


def test_after_no_wait_the_same_command_collects_without_sending_again(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(rate=FAST, async_delay="0.3s±0.2s")
    source = sample_subset(tmp_path, 5)  # rows 2-6, all valid
    out = tmp_path / "r.xlsx"
    submitted = cli(*async_args(source, out, "--no-wait"), env=box.env())
    assert submitted.code == 0, submitted.stderr
    assert "5 queued" in submitted.stdout
    assert "lsq-import status" in submitted.stdout
    again = cli(*async_args(source, out), env=box.env())
    assert again.code == 0, again.stderr
    assert "5 created" in again.stdout
    assert box.stats()["calls"]["async/capture"] == 5


ACCESS, SECRET, API = "u$async-Access-5Tz8", "async-Secret-Rw61Kd", "async-ApiKey-Qp38Lm"


def test_no_key_appears_in_any_artefact_of_an_async_run(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    account = account_with_keys(tmp_path, ACCESS, SECRET, api_key=API)
    box = sandbox_factory(rate=FAST, async_delay=0.1, account=account)
    assert box.api_key == API
    out = tmp_path / "r.xlsx"
    source = sample_subset(tmp_path, 30)
    result = cli(*async_args(source, out), env=box.env())
    assert result.code == 1, result.stderr
    refused = cli(*async_args(source, out), env=box.env() | {"LSQ_API_KEY": "x" + API})
    assert refused.code == 2
    assert "LSQ_API_KEY" in refused.stderr
    files = [out, tmp_path / "r.fix.csv", *tmp_path.glob("ledger.sqlite*")]
    texts = artefact_texts(files)
    for run in (result, refused):
        texts |= {"stdout": run.stdout.encode(), "stderr": run.stderr.encode()}
        assert leaked([ACCESS, SECRET, API], texts) == []
