"""Target async over real HTTP against the sandbox: the sample gives the same outcomes row for
row as Capture; FAILURE, ERROR, Status 0 with no lead, forgotten requests and unclear
submits map as the issue says; polls never break the account's limit; and nothing is ever
created twice or sent again once it has a RequestID."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from importer.errors import ConfigError
from importer.model import OpportunityRow, Outcome, RowOutcome, Target
from importer.run import ImportReport, RunOptions, run_import
from importer.sandbox.testing import RunningSandbox
from importer.send.async_api import async_api
from importer.send.async_send import send_async
from importer.send.outcomes import SERVER_ERROR
from importer.send.sender import send
from importer.settings import load_settings, parse_rate
from importer.status import StatusOptions, collect_queued
from tests.e2e_support import MAPPING, SAMPLE_XLSX, ledger_of, sample_subset, valid_emails
from tests.ledger_support import add_rows, open_run, outcomes, spec
from tests.test_run_e2e import workbook_rows
from tests.test_sender import SETTINGS, make_client, make_rows

Factory = Callable[..., RunningSandbox]
FAST = "1000/1s"
QUICK_QUEUE = "0.3s±0.2s"


def run_sample(
    box: RunningSandbox, out: Path, target: Target, source: Path = SAMPLE_XLSX, **options: Any
) -> ImportReport:
    settings = load_settings(environ=box.env())
    rate = parse_rate(options.pop("rate", FAST))
    chosen = RunOptions(out=out, rate=rate, ledger=ledger_of(out), target=target, **options)
    return run_import(source, MAPPING, settings, chosen)


def sent_rows(
    box: RunningSandbox, rows: list[OpportunityRow], path: Path, target: Target
) -> dict[int, RowOutcome]:
    """Record ``rows`` in a ledger run and send them through ``target`` to the end."""
    with open_run(path, box.url, spec(target)) as run, make_client(box) as client:
        add_rows(run, rows, SETTINGS)
        if target == "async":
            with async_api(client) as api:
                send_async(run, client, api, SETTINGS, api.metrics(), workers=4)
        else:
            send(run, client, SETTINGS, target=target, workers=4)
        return outcomes(run)


def shapes(found: Mapping[int, RowOutcome]) -> dict[int, tuple[str, tuple[str, ...]]]:
    """Each row's outcome and problem codes: what must agree between the two targets."""
    return {row: (o.outcome, tuple(p.code for p in o.problems)) for row, o in found.items()}


def test_the_sample_through_async_ends_as_through_capture_row_for_row(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    capture_box = sandbox_factory(rate=FAST)
    capture = run_sample(capture_box, tmp_path / "capture" / "r.xlsx", "capture")
    async_box = sandbox_factory(rate=FAST, async_delay=QUICK_QUEUE)
    queued = run_sample(async_box, tmp_path / "async" / "r.xlsx", "async")
    assert queued.counts == capture.counts == {"created": 287, "invalid": 13}
    assert queued.exit_code == capture.exit_code == 1
    by_capture = workbook_rows(tmp_path / "capture" / "r.xlsx")
    by_async = workbook_rows(tmp_path / "async" / "r.xlsx")
    assert {n: r["Outcome"] for n, r in by_async.items()} == {
        n: r["Outcome"] for n, r in by_capture.items()
    }
    stats = async_box.stats()
    assert stats["calls"]["async/capture"] == 287
    assert stats["calls"].get("Capture", 0) == 0
    assert stats["opportunities_per_lead"] == dict.fromkeys(valid_emails(), 1)
    # Polls are timed from the queue's delay: hardly more than one per row.
    assert stats["calls"]["async/status"] <= 287 * 1.3


def test_each_kind_of_capture_reply_maps_as_through_capture(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    rows = make_rows(6, missing_every=3)
    rows[1] = dataclasses.replace(rows[1], fields=(*rows[1].fields, ("mx_Custom_5", "lots")))
    rows[2] = dataclasses.replace(rows[2], fields=(*rows[2].fields, ("mx_Custom_99", "x")))
    by_capture = sent_rows(sandbox_factory(rate=FAST), rows, tmp_path / "c", "capture")
    box = sandbox_factory(rate=FAST, async_delay=QUICK_QUEUE)
    by_async = sent_rows(box, rows, tmp_path / "a", "async")
    assert shapes(by_async) == shapes(by_capture)
    kinds = {o.outcome for o in by_async.values()}
    assert {Outcome.CREATED, Outcome.NEEDS_REVIEW, Outcome.FAILED} <= kinds
    assert by_async[rows[1].row].outcome is Outcome.NEEDS_REVIEW  # Status 0, no lead (seed 000)
    failure = by_async[rows[2].row]
    assert failure.outcome is Outcome.FAILED
    assert failure.problems[0].detail  # LeadSquared's own words, from StatusReason


def test_error_after_leadsquareds_own_retries_is_a_system_failure(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(rate=FAST, async_delay=QUICK_QUEUE, faults="async_error:1")
    done = sent_rows(box, make_rows(4), tmp_path / "j", "async")
    assert {o.outcome for o in done.values()} == {Outcome.FAILED}
    assert {o.problems[0].code for o in done.values()} == {SERVER_ERROR}
    stats = box.stats()
    assert (stats["total_opportunities"], stats["calls"]["async/capture"]) == (0, 4)


def test_a_request_the_server_forgot_is_looked_up_not_resent(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    # Finished requests are forgotten at once: every poll answers 404.
    box = sandbox_factory(rate=FAST, async_delay=0.0, async_ttl=0.0)
    rows = make_rows(5)
    done = sent_rows(box, rows, tmp_path / "j", "async")
    assert {o.outcome for o in done.values()} == {Outcome.CREATED}
    stats = box.stats()
    assert stats["calls"]["async/capture"] == 5
    assert stats["calls"]["GetOpportunitiesByUniqueLeadField"] >= 5
    assert stats["opportunities_per_lead"] == {r.search_value.lower(): 1 for r in rows}


@pytest.mark.parametrize("seed", [1, 2])
def test_unclear_submits_and_failing_polls_still_create_every_row_once(
    sandbox_factory: Factory, tmp_path: Path, seed: int
) -> None:
    faults = "applied500:0.2,500:0.1,reset:0.05,applied-reset:0.05,status500:0.2,status_reset:0.1"
    box = sandbox_factory(
        rate=FAST, async_delay=QUICK_QUEUE, faults=faults, seed=seed, duplicate_detection=False
    )
    rows = make_rows(30)
    done = sent_rows(box, rows, tmp_path / "j", "async")
    stats = box.stats()
    print(f"seed {seed}: faults {stats['faults_injected']}, calls {stats['calls']}")
    assert {o.outcome for o in done.values()} == {Outcome.CREATED}
    assert stats["faults_injected"].get("applied500", 0) > 0
    assert stats["duplicates_created"] == 0
    assert stats["opportunities_per_lead"] == {r.search_value.lower(): 1 for r in rows}


def test_polls_keep_the_account_under_its_limit(sandbox_factory: Factory, tmp_path: Path) -> None:
    box = sandbox_factory(rate="20/1s", async_delay="0.5s±0.3s")
    source = sample_subset(tmp_path, 25)
    report = run_sample(box, tmp_path / "r.xlsx", "async", source, rate="20/1s")
    stats = box.stats()
    assert report.aborted is None
    assert report.counts.get(Outcome.CREATED) == len(valid_emails(source))
    assert stats["calls"]["async/status"] >= report.counts[Outcome.CREATED]
    assert stats["http_429"] == 0
    assert stats["max_calls_in_window"] <= 20


def test_async_needs_its_key_and_says_so_before_sending(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(rate=FAST)
    settings = load_settings(environ={k: v for k, v in box.env().items() if k != "LSQ_API_KEY"})
    options = RunOptions(out=tmp_path / "r.xlsx", ledger=tmp_path / "l.sqlite", target="async")
    with pytest.raises(ConfigError, match="LSQ_API_KEY not set"):
        run_import(SAMPLE_XLSX, MAPPING, settings, options)
    wrong = load_settings(environ={**box.env(), "LSQ_API_KEY": "not-the-key-0451"})
    with pytest.raises(ConfigError, match="LSQ_API_KEY") as caught:
        run_import(SAMPLE_XLSX, MAPPING, wrong, options)
    assert "not-the-key-0451" not in str(caught.value)
    assert box.stats()["calls"].get("async/capture", 0) == 0


def test_a_status_rate_gives_polls_a_limiter_of_their_own(sandbox: RunningSandbox) -> None:
    with make_client(sandbox) as client:
        with async_api(client) as shared:
            assert shared.polls is shared.writes
        with async_api(client, parse_rate("5/1s")) as apart:
            assert apart.polls is not apart.writes
            assert apart.polls.limiter.rate == parse_rate("5/1s")
            assert apart.metrics().pending == 0


def test_status_refuses_a_run_whose_file_changed(sandbox_factory: Factory, tmp_path: Path) -> None:
    box = sandbox_factory(rate=FAST, async_delay="1000s")  # the rows stay queued
    source = sample_subset(tmp_path, 5)
    out = tmp_path / "r.xlsx"
    queued = run_sample(box, out, "async", source, wait_for_queue=False)
    assert queued.counts == {Outcome.QUEUED: 5}
    assert queued.exit_code == 0
    source.write_bytes(source.read_bytes() + b"\n")
    settings = load_settings(environ=box.env())
    options = StatusOptions(ledger=ledger_of(out), rate=parse_rate(FAST))
    (found,) = collect_queued(settings, options)
    assert found.report is None
    assert found.exit_code == 2
    assert found.problem is not None
    assert "missing or changed" in found.problem
    assert box.stats()["calls"].get("async/status", 0) == 0


def test_an_unclear_submit_waits_for_the_queue_that_holds_it(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    # The queue was empty when the run began; each request is applied and queued for 1.5 to
    # 2.5 s, but its reply is a 500. A look-up before the queue processed it would find
    # nothing and send the row again.
    box = sandbox_factory(
        rate=FAST, async_delay="2s±0.5s", faults="applied500:1", duplicate_detection=False
    )
    rows = make_rows(3)
    done = sent_rows(box, rows, tmp_path / "j", "async")
    stats = box.stats()
    assert {o.outcome for o in done.values()} == {Outcome.CREATED}
    assert stats["calls"]["async/capture"] == 3
    assert stats["opportunities_per_lead"] == {r.search_value.lower(): 1 for r in rows}
