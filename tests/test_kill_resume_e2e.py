"""Issue 13, row 10 of its table and its soak: `lsq-import run` killed with SIGKILL while
requests are in flight, then the same command again. Old code (3732dbe) resent the rows in
flight at the kill (300 duplicates) and its resumed run fired a full window of calls at
once (33 calls in one 5-second window, 18 x 429); its journal lived beside the workbook and
had no call log, so neither test below can pass there.

Now the rows in flight are looked up before anything is resent, and the resumed run seeds
its rate limiter from the ledger's call log, so the sandbox never sees more calls in a
window than the limit, across the kill and the resume."""

from __future__ import annotations

import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from importer.sandbox.testing import RunningSandbox
from tests.e2e_support import cli, kill, ledger_states, start_cli, wait_until, with_outcome
from tests.exactly_once_support import (
    account_ledger,
    assert_stored_once,
    generated,
    import_args,
    summary,
)

Factory = Callable[..., RunningSandbox]


@pytest.mark.slow
def test_kill_9_at_latency_then_the_same_command_stays_within_the_limit_and_stores_once(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    # A 2-second window: longer than the resumed run takes to start, so its first calls
    # fall in the window of the killed run's last ones. One row per request (capture), so
    # the rows caught in flight are few and their look-ups quick.
    limit, rows = "20/2s", 50
    source, account, emails = generated(tmp_path, rows, missing_every=1)
    box = sandbox_factory(
        rate=limit, account=account, latency="300ms±50ms", duplicate_detection=False
    )
    args = import_args(source, tmp_path / "r.xlsx", "--rate", limit, "--target", "capture")
    child = start_cli(*args, env=box.env())
    ledger = account_ledger(box)
    wait_until(child, ledger, "outcome", 20)  # the first window's calls answered
    states = wait_until(child, ledger, "in_flight", 10)  # the second window's under way
    time.sleep(0.1)  # and on the wire
    assert kill(child).code == -signal.SIGKILL
    print(f"killed at {states}; stored {box.stats()['total_opportunities']}")

    resumed = cli(*args, env=box.env())
    report = summary(resumed)
    assert (resumed.code, report["counts"], report["aborted"]) == (0, {"created": rows}, None)
    assert_stored_once(box, emails)
    stats = box.stats()
    assert stats["max_calls_in_window"] <= 20
    assert stats["http_429"] == 0


KILLS = 10
SOAK_ROWS = 5000


@pytest.mark.slow
def test_ten_kills_at_random_points_then_a_finishing_run_store_every_row_once(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    source, account, emails = generated(tmp_path, SOAK_ROWS)
    box = sandbox_factory(
        rate="2000/1s",
        account=account,
        latency="20ms±15ms",
        faults="applied500:0.1",
        seed=11,
        shuffle=True,
        duplicate_detection=False,
    )
    args = import_args(source, tmp_path / "r.xlsx", "--rate", "2000/1s", "--workers", "4")
    ledger, rng = account_ledger(box), random.Random(2027)
    for kill_number in range(1, KILLS + 1):
        done = with_outcome(ledger_states(ledger))
        child = start_cli(*args, env=box.env())
        wait_until(child, ledger, "outcome", min(done + rng.randint(1, 400), SOAK_ROWS))
        time.sleep(rng.uniform(0, 0.1))  # anywhere: mid-request, mid-look-up, mid-commit
        assert kill(child).code == -signal.SIGKILL, f"kill {kill_number} came too late"
        print(f"kill {kill_number}: {ledger_states(ledger)}")
    assert box.stats()["total_opportunities"] < SOAK_ROWS, "the kills left nothing to finish"

    finishing = cli(*args, env=box.env())
    report = summary(finishing)
    stats = box.stats()
    print(f"faults {stats['faults_injected']}, calls {stats['calls']}")
    assert (finishing.code, report["counts"]) == (0, {"created": SOAK_ROWS})
    assert stats["faults_injected"]["applied500"] > 0
    assert_stored_once(box, emails)
