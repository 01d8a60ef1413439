"""`lsq-import run` stopped the hard ways, as a real subprocess against a sandbox slow enough
(latency, two workers) for the run to last a few seconds: kill -9 at several points, Ctrl-C,
and the keys revoked mid-run. Each time the same command run again finishes the import and
the sandbox holds every valid row's opportunity exactly once."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from importer.sandbox.testing import RunningSandbox
from tests.e2e_support import (
    SAMPLE_CSV,
    SAMPLE_VALID,
    Result,
    account_with_keys,
    artefact_texts,
    cli,
    kill,
    leaked,
    ledger_of,
    run_args,
    start_cli,
    valid_emails,
    wait_until,
)

Factory = Callable[..., RunningSandbox]
SAMPLE_COUNTS = {"created": 287, "invalid": 13}
# Slow enough to stop part-way, fast enough to keep each test to a few seconds. Duplicate
# detection off: a resent row would be stored twice and counted, not quietly refused.
SLOW = {"rate": "1000/1s", "latency": "100ms±50ms", "duplicate_detection": False, "shuffle": True}


def args(out: Path, *extra: str) -> list[str | Path]:
    return run_args(SAMPLE_CSV, out, "--rate", "1000/1s", "--workers", "2", *extra)


def finish_run(box: RunningSandbox, out: Path, env: dict[str, str] | None = None) -> Result:
    """Run the same command again to the end; assert it completed the import."""
    result = cli(*args(out, "--json"), env=env or box.env())
    assert result.code == 1, result.stderr
    summary = json.loads(result.stdout)
    assert summary["counts"] == SAMPLE_COUNTS
    assert summary["aborted"] is None
    return result


def assert_each_valid_row_stored_once(box: RunningSandbox) -> None:
    stats = box.stats()
    assert stats["duplicates_created"] == 0
    assert stats["orphaned_opportunities"] == 0
    assert stats["opportunities_per_lead"] == dict.fromkeys(valid_emails(), 1)


@pytest.mark.parametrize(
    ("reached", "count"),
    [("outcome", 29), ("outcome", 144), ("outcome", 259), ("in_flight", 1)],
    ids=["10%", "50%", "90%", "in-flight"],
)
def test_kill_9_then_run_again_creates_every_row_once(
    sandbox_factory: Factory,
    tmp_path: Path,
    reached: str,
    count: int,
    capfd: pytest.CaptureFixture[str],
) -> None:
    box = sandbox_factory(**SLOW)
    out = tmp_path / "r.xlsx"
    child = start_cli(*args(out), env=box.env())
    states = wait_until(child, ledger_of(out), reached, count)
    killed = kill(child)
    print(f"killed at {states}; sandbox holds {box.stats()['total_opportunities']}")
    assert killed.code == -signal.SIGKILL
    assert box.stats()["total_opportunities"] < SAMPLE_VALID, "killed too late to matter"

    finish_run(box, out)
    assert_each_valid_row_stored_once(box)
    # The sandbox takes a client killed mid-reply in its stride: no traceback printed.
    assert "Traceback" not in capfd.readouterr().err


def test_ctrl_c_stops_with_exit_3_and_a_rerun_finishes(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(**SLOW)
    out = tmp_path / "r.xlsx"
    child = start_cli(*args(out), env=box.env())
    wait_until(child, ledger_of(out), "outcome", 100)
    stopped = kill(child, signal.SIGINT)
    assert stopped.code == 3, stopped.stderr
    assert "Traceback" not in stopped.stderr
    assert "run the same command again" in stopped.stderr.lower()
    assert "once that is fixed" not in stopped.stderr.lower(), "nothing needs fixing after Ctrl-C"
    assert out.exists(), "the workbook is written on the way out"
    assert box.stats()["total_opportunities"] < SAMPLE_VALID

    finish_run(box, out)
    assert_each_valid_row_stored_once(box)


OLD = ("u$e2e-Old-Access-4Fq9", "e2e-Old-Secret-Wz73Kp")
NEW = ("u$e2e-New-Access-8Ld2", "e2e-New-Secret-Hm50Qs")


def test_keys_revoked_mid_run_stop_with_exit_3_and_new_keys_finish(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    # The account keeps its data in a state file, so swapping it for the same account with
    # new keys (an admin regenerating them) keeps every opportunity already created.
    old, new = account_with_keys(tmp_path, *OLD, "-old"), account_with_keys(tmp_path, *NEW)
    box = sandbox_factory(**SLOW, account=old, state=tmp_path / "sandbox.sqlite")
    out = tmp_path / "r.xlsx"
    child = start_cli(*args(out), env=box.env())
    wait_until(child, ledger_of(out), "outcome", 60)
    box.reconfigure(account=new)
    stopped = child.communicate(timeout=120)
    assert child.returncode == 3, stopped[1]
    assert "Traceback" not in stopped[1]
    assert "LSQ_ACCESS_KEY" in stopped[1]
    assert box.stats()["http_401"] > 0
    assert out.exists(), "the workbook is written on the way out"

    files = [out, tmp_path / "r.fix.csv", *tmp_path.glob("ledger.sqlite*")]
    texts = artefact_texts(files) | {"stdout": stopped[0].encode(), "stderr": stopped[1].encode()}
    assert leaked([*OLD, *NEW], texts) == []

    env = box.env() | {"LSQ_ACCESS_KEY": NEW[0], "LSQ_SECRET_KEY": NEW[1]}
    finish_run(box, out, env)
    assert_each_valid_row_stored_once(box)
