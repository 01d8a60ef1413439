"""What `run` tells the admin while it works (issue 9): the plan and every note before the
first request; a progress display that ticks by itself and says when it waits."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path

from importer.cli.console import print_plan
from importer.cli.progress import ProgressReporter
from importer.model import Outcome
from importer.run import RunOptions, SendPlan, run_import
from importer.sandbox.testing import RunningSandbox
from importer.send.activity import Activity
from importer.send.sender import Progress
from importer.settings import load_settings, parse_rate
from tests.e2e_support import MAPPING, REPO, SAMPLE_XLSX, clean_env, cli, run_args, sample_subset

WRITES = ("Bulk/Add/ByLeadField", "Capture")


def test_the_plan_and_its_notes_come_before_the_first_request(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    seen: list[tuple[SendPlan, int]] = []

    def progress(plan: SendPlan) -> Progress:
        writes = sum(sandbox.stats()["calls"].get(name, 0) for name in WRITES)
        seen.append((plan, writes))
        return lambda done, counts: None

    settings = load_settings(environ=sandbox.env())
    options = RunOptions(out=tmp_path / "r.xlsx", rate=parse_rate("1000/1s"), target="bulk")
    run_import(SAMPLE_XLSX, MAPPING, settings, options, progress=progress)
    ((plan, writes_before),) = seen
    assert writes_before == 0
    assert (plan.rows, plan.target, plan.requests) == (287, "bulk", 12)
    # The effective target's notes, not the mapping's (its target is auto).
    assert any("OpportunityDateTime" in note and "target 'bulk'" in note for note in plan.notes)
    assert any("lead columns" in note for note in plan.notes)


def test_the_cli_prints_the_plan_before_any_progress(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    out = tmp_path / "r.xlsx"
    args = [a for a in run_args(sample_subset(tmp_path, 40), out) if a != "--quiet"]
    result = cli(*args, "--rate", "1000/1s", "--target", "bulk", env=sandbox.env())
    lines = result.stderr.splitlines()
    plan = next(i for i, line in enumerate(lines) if line.startswith("Sending "))
    notes = [i for i, line in enumerate(lines) if line.startswith("Note:")]
    progress = [i for i, line in enumerate(lines) if "rows sent" in line]
    assert notes
    assert progress
    assert max(notes) < plan < min(progress)
    assert "Note:" not in result.stdout, "notes are told once, before sending"


def test_a_terminal_shows_the_wait_for_the_rate_limit(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    source = sample_subset(tmp_path, 8)  # rows 2-9: one of them (7) is invalid
    args = run_args(source, tmp_path / "r.xlsx", "--rate", "2/1s", "--target", "capture")
    args = [str(a) for a in args if a != "--quiet"]
    leader, follower = pty.openpty()
    # A real terminal's size; the pty's own is 0 x 0.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 160, 0, 0))
    env = clean_env(sandbox.env()) | {"COLUMNS": "200"}
    child = subprocess.Popen(
        [sys.executable, "-m", "importer", *args],
        cwd=REPO,
        env=env,
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    shown = _read_all(leader)
    child.wait(timeout=60)
    assert child.returncode == 1, shown
    assert "waiting for the rate limit" in shown
    assert "7 created" in shown


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(fd)
    return b"".join(chunks).decode(errors="replace")


def test_speed_is_measured_after_the_first_window() -> None:
    now = [0.0]
    out = io.StringIO()
    progress = ProgressReporter(
        100, stream=out, window=5.0, clock=lambda: now[0], quiet=False, every=0
    )
    progress(25, {Outcome.CREATED: 25})  # the first window's burst
    assert "rows/s" not in out.getvalue()
    now[0] = 5.0
    progress.show()
    now[0] = 10.0
    progress(50, {Outcome.CREATED: 50})
    progress.show(force=True)
    progress.close()
    assert "5.0 rows/s, ETA 10s" in out.getvalue().splitlines()[-1]


def test_the_display_says_what_the_send_stage_is_doing() -> None:
    activity = Activity()
    out = io.StringIO()
    progress = ProgressReporter(10, stream=out, activity=activity, every=0)
    activity.checking(3)
    with activity.doing("waiting"):
        progress.show(force=True)
    progress.close()
    assert "checking 3 unclear rows, waiting for the rate limit" in out.getvalue()


def test_an_async_plan_counts_the_polls_and_a_collecting_run_counts_the_queue(
    sandbox_factory: Callable[..., RunningSandbox], tmp_path: Path
) -> None:
    box = sandbox_factory(rate="1000/1s", async_delay="0.3s±0.2s")
    plans: list[SendPlan] = []

    def progress(plan: SendPlan) -> Progress:
        plans.append(plan)
        return lambda done, counts: None

    source = sample_subset(tmp_path, 10)  # rows 2-11: row 7 is invalid
    settings = load_settings(environ=box.env())
    submit = RunOptions(out=tmp_path / "r.xlsx", target="async", wait_for_queue=False)
    run_import(source, MAPPING, settings, submit, progress=progress)
    collect = RunOptions(out=tmp_path / "r.xlsx", target="async")
    run_import(source, MAPPING, settings, collect, progress=progress)
    first, second = plans
    # --no-wait: a submit per row, no polls.
    assert (first.rows, first.total, first.requests) == (9, 9, 9)
    # Waiting: each row is a submit, then at least one status poll; both count.
    waiting = SendPlan(9, 0, "async", first.rate, (), Activity(), 1, polls_count=True)
    assert waiting.requests == 18
    # The second run sends nothing: it collects the 9 rows LeadSquared's queue holds.
    assert (second.rows, second.queued, second.total, second.requests) == (0, 9, 9, 9)
    said = io.StringIO()
    print_plan(second, stream=said)
    assert "Collecting the outcomes of 9 rows from LeadSquared's queue" in said.getvalue()


def test_a_plan_of_one_call_says_call() -> None:
    plan = SendPlan(1, 0, "bulk", parse_rate("25/5s"), (), Activity())
    said = io.StringIO()
    print_plan(plan, stream=said)
    assert "at least 1 call at 25 per 5 s" in said.getvalue()


def test_quiet_keeps_the_notes_but_not_the_plan(sandbox: RunningSandbox, tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    result = cli(*run_args(sample_subset(tmp_path, 5), out), "--rate", "1000/1s", env=sandbox.env())
    assert "Note:" in result.stderr
    assert "Sending " not in result.stderr
    assert "rows sent" not in result.stderr
