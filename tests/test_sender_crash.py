"""Resume after kill -9: a sending process is killed at several points; the next run
reconciles what it left in flight and finishes, with every row created exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from importer.model import Outcome
from importer.sandbox.testing import RunningSandbox, SandboxOptions
from tests.test_sender import make_rows, open_ledger, run

ROWS = 120
# The child sends the same rows as make_rows(ROWS) in batches of 5, printing progress, until
# the parent kills it.
CHILD = """
import sys
sys.path.insert(0, {tests!r})
from importer.send import sender
from pathlib import Path
from tests.test_sender import make_rows, run
sender.BULK_LIMIT = 5
def progress(done, counts):
    print(done, flush=True)
run(BOX, make_rows({rows}), Path({ledger!r}), workers=4, progress=progress)
print("finished", flush=True)
"""


def _start_child(box: RunningSandbox, ledger: Path) -> subprocess.Popen[str]:
    code = CHILD.format(tests=str(Path(__file__).parents[1]), rows=ROWS, ledger=str(ledger))
    # The child talks to the same sandbox: it rebuilds the handle from the environment.
    prelude = (
        "import os, types\n"
        "BOX = types.SimpleNamespace(url=os.environ['LSQ_HOST'], env=lambda: dict(os.environ))\n"
    )
    env = {**os.environ, **box.env()}
    return subprocess.Popen(
        [sys.executable, "-c", prelude + code], stdout=subprocess.PIPE, text=True, env=env
    )


def _kill_after(child: subprocess.Popen[str], rows_done: int) -> None:
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == "finished" or int(line) >= rows_done:
            break
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()


@pytest.mark.parametrize("kill_at", [1, 40, 80])
def test_kill_9_then_resume_creates_every_row_once(
    sandbox_factory: Callable[[SandboxOptions], RunningSandbox], tmp_path: Path, kill_at: int
) -> None:
    box = sandbox_factory(
        SandboxOptions(
            rate="1000/1s",
            latency="60ms",
            shuffle=True,
            duplicate_detection=False,
            faults="applied500:0.1,applied-reset:0.05",
            seed=kill_at,
        )
    )
    ledger = tmp_path / "ledger.sqlite"
    _kill_after(_start_child(box, ledger), kill_at)
    with open_ledger(ledger, box) as opened:
        left = opened.state_counts()
    print(f"killed after {kill_at}: {left}")
    unfinished = sum(n for state, n in left.items() if not state.finished)
    assert unfinished > 0, "the child finished before the kill"

    rows = make_rows(ROWS)
    outcomes = run(box, rows, ledger, workers=4, timeout=1.0)
    assert {o.outcome for o in outcomes.values()} == {Outcome.CREATED}
    assert len(outcomes) == ROWS
    assert box.stats()["duplicates_created"] == 0
    # One lead per row here, so "each lead has one opportunity" is "each row is stored once".
    stats = box.stats()
    assert stats["total_opportunities"] == ROWS
    assert {stats["opportunities_per_lead"].get(r.search_value) for r in rows} == {1}
