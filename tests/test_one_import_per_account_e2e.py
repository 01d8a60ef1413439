"""Issue 13, row 3 of its table: the same import started twice (two terminals, a cron
overlap). Old code (3732dbe) ran both: 502 opportunities for 287 rows, 35 calls in one
5-second window and 429s. Now the account's lock lets one run at a time: the second stops at
once naming the first (exit 2), or with ``--wait`` starts when the first ends, and the
sandbox never sees more calls in a window than the limit."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from importer.sandbox.testing import RunningSandbox
from tests.e2e_support import cli, finish, sample_subset, start_cli, valid_emails
from tests.exactly_once_support import assert_stored_once, import_args, summary, wait_stored

Factory = Callable[..., RunningSandbox]
LIMIT = "8/1s"  # the account's limit, given to the client as it is
ROWS = 80  # rows 2-81 of the sample: 4 bulk requests, a few captures
LATENCY = "100ms±50ms"
# While the second run starts, the first one's calls take this long.
STALLED = "5s"


@dataclass(frozen=True)
class FirstRun:
    box: RunningSandbox
    source: Path
    args: list[str | Path]
    child: subprocess.Popen[str]


def first_run_stalled(sandbox_factory: Factory, tmp_path: Path) -> FirstRun:
    """An import under way (a row stored, so it holds the account's lock) whose calls now
    take STALLED: a second run started next meets the lock, however slow the machine."""
    box = sandbox_factory(rate=LIMIT, latency=LATENCY, duplicate_detection=False)
    source = sample_subset(tmp_path, ROWS)
    args = import_args(source, tmp_path / "r.xlsx", "--rate", LIMIT)
    child = start_cli(*args, env=box.env())
    wait_stored(child, box, 1)
    box.reconfigure(latency=STALLED)
    return FirstRun(box, source, args, child)


def assert_within_the_limit(box: RunningSandbox) -> None:
    assert box.stats()["max_calls_in_window"] <= 8
    assert box.stats()["http_429"] == 0


def test_a_second_import_into_the_account_stops_at_once_naming_the_first(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    run = first_run_stalled(sandbox_factory, tmp_path)
    box, source, first = run.box, run.source, run.child
    second = cli(*run.args, env=box.env())
    assert first.poll() is None, "the second run must not wait for the first"
    box.reconfigure(latency=LATENCY)
    assert second.code == 2, second.stdout
    assert second.stdout == ""
    assert second.stderr.count("\n") == 1
    assert f"pid {first.pid}" in second.stderr
    assert source.name in second.stderr
    assert re.search(r"started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", second.stderr)
    assert "--wait" in second.stderr

    done = finish(first)
    assert summary(done)["aborted"] is None, done.stderr
    assert_stored_once(box, valid_emails(source))
    assert_within_the_limit(box)


def test_with_wait_the_second_import_starts_when_the_first_ends_and_sends_nothing(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    run = first_run_stalled(sandbox_factory, tmp_path)
    box, source, first = run.box, run.source, run.child
    second = start_cli(*run.args, "--wait", env=box.env())
    assert second.stderr is not None
    told = second.stderr.readline()
    assert "Waiting for another lsq-import sending to this account" in told
    assert f"pid {first.pid}" in told
    assert first.poll() is None
    box.reconfigure(latency=LATENCY)

    done, waited = finish(first), finish(second)
    assert summary(done)["aborted"] is None, done.stderr
    assert waited.stderr == "", "told once"
    report = summary(waited)
    assert (report["run"], report["counts"]) == (summary(done)["run"], summary(done)["counts"])
    assert report["sent_now"] == 0
    assert_stored_once(box, valid_emails(source))
    # The second run's first call follows the first run's last ones within the window:
    # it counted them (the ledger's call log), so the window never held more than allowed.
    assert_within_the_limit(box)
