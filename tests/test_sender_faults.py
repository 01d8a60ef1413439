"""Exactly once under every fault the sandbox injects (promise 2): with the account's
duplicate rule switched off, any double send would show up in the sandbox's
``duplicates_created`` and as a second stored copy of a row."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from importer.model import Outcome, Target
from importer.sandbox.testing import RunningSandbox, SandboxOptions
from importer.send import sender
from tests.test_sender import make_rows, run, stored_copies

# Every way a write can fail, including the ones that apply it first (applied500,
# applied-reset, ambiguous, badjson): only a look-up may decide whether to resend.
# One write in five ends unclear; MAX_ATTEMPTS unclear answers in a row for one row must
# stay unlikely even in `auto`, where a row of a missing lead needs two writes.
FAULTS = (
    "500:0.05,reset:0.03,ambiguous:0.03,surprise429:0.05,badjson:0.02,"
    "applied500:0.05,applied-reset:0.03"
)


@pytest.mark.parametrize(
    ("target", "seed", "count"),
    [("bulk", 1, 80), ("bulk", 2, 80), ("auto", 3, 80), ("capture", 4, 40)],
)
def test_every_row_created_exactly_once_under_faults(
    sandbox_factory: Callable[[SandboxOptions], RunningSandbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    target: Target,
    seed: int,
    count: int,
) -> None:
    # Small batches: more requests, so every fault kind gets its turn with few rows.
    monkeypatch.setattr(sender, "BULK_LIMIT", 4)
    box = sandbox_factory(
        SandboxOptions(
            rate="1000/1s",
            faults=FAULTS,
            seed=seed,
            shuffle=True,
            ambiguous_delay=0.6,
            duplicate_detection=False,
        )
    )
    rows = make_rows(count, missing_every=8 if target == "auto" else 0)
    outcomes = run(box, rows, tmp_path / "j", target, timeout=0.3, workers=6)

    assert sorted(outcomes) == [r.row for r in rows]
    assert {o.outcome for o in outcomes.values()} == {Outcome.CREATED}, [
        o.message for o in outcomes.values() if o.outcome is not Outcome.CREATED
    ]
    stats = box.stats()
    assert stats["duplicates_created"] == 0
    assert stats["faults_injected"], "the seed injected no fault at all"
    assert [r.row for r in rows if stored_copies(box, r) != 1] == []
    print(f"{target} seed={seed}: faults {stats['faults_injected']}, calls {stats['calls']}")


def test_a_row_that_never_gets_a_clear_answer_is_given_up_after_max_attempts(
    sandbox_factory: Callable[[SandboxOptions], RunningSandbox], tmp_path: Path
) -> None:
    # Every write drops the connection before it is applied: each send is unclear, each
    # check finds nothing, so the row is resent until it runs out of chances.
    box = sandbox_factory(SandboxOptions(rate="1000/1s", faults="reset:1.0", seed=5))
    rows = make_rows(1)
    outcomes = run(box, rows, tmp_path / "j", "bulk", timeout=0.3, workers=2)

    (outcome,) = outcomes.values()
    assert outcome.outcome is Outcome.FAILED
    assert f"sent {sender.MAX_ATTEMPTS} times without a clear answer" in outcome.message
    # Running the same command again does not resend a failed row: the fix file does.
    assert "fix file" in outcome.message
    assert "import again" not in outcome.message
    (problem,) = outcome.problems
    assert problem.detail  # the last answer, for whoever looks into it
    assert box.stats()["calls"]["Bulk/Add/ByLeadField"] == sender.MAX_ATTEMPTS
    assert stored_copies(box, rows[0]) == 0


def test_in_auto_a_missing_leads_row_without_a_clear_answer_is_given_up_too(
    sandbox_factory: Callable[[SandboxOptions], RunningSandbox], tmp_path: Path
) -> None:
    # Every write drops the connection: bulk never says "no such lead", the look-up does, so
    # the row goes to capture - whose every answer is unclear again. It must run out of
    # chances like any other row, not go round bulk, look-up, capture, look-up forever.
    box = sandbox_factory(SandboxOptions(rate="1000/1s", faults="reset:1.0", seed=5))
    rows = make_rows(1, missing_every=1)
    outcomes = run(box, rows, tmp_path / "j", "auto", timeout=0.3, workers=2)

    (outcome,) = outcomes.values()
    assert outcome.outcome is Outcome.FAILED
    assert f"sent {sender.MAX_ATTEMPTS} times without a clear answer" in outcome.message
    calls = box.stats()["calls"]
    assert calls["Bulk/Add/ByLeadField"] + calls["Capture"] == sender.MAX_ATTEMPTS
    assert box.stats()["total_opportunities"] == 0
