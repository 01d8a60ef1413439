"""The sender over real HTTP against the sandbox: batching, RowNumber matching, bisection,
auto routing, capture outcomes, the stop flag and resuming from the ledger."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from importer.errors import AuthError, RetriesExhausted
from importer.model import OpportunityRow, Outcome, RowOutcome, Target
from importer.sandbox.testing import RunningSandbox, SandboxOptions
from importer.send.identity import identity_values
from importer.send.payloads import SendSettings, bulk_item
from importer.send.ratelimit import RateLimiter
from importer.send.retry import RetryPolicy
from importer.send.sender import send
from importer.send.transport import LsqClient
from importer.settings import load_settings, parse_rate
from tests.ledger_support import add_rows, open_run, outcomes, spec

LEADS_CSV = Path(__file__).resolve().parents[1] / "sample_data" / "sandbox_leads.csv"
LEADS = [line.split(",")[0] for line in LEADS_CSV.read_text().splitlines()[1:] if line]
COURSES = ("MBA", "BBA", "B.Tech Computer Science", "M.Sc Data Science", "B.Sc Nursing")
CAMPUSES = ("Mumbai", "Pune", "Bengaluru", "Hyderabad", "Online")

SETTINGS = SendSettings(
    search_by="EmailAddress",
    event_code=12000,
    duplicate_key=("mx_Custom_3", "mx_Custom_4"),
    columns=(
        ("mx_Custom_3", "Course"),
        ("mx_Custom_5", "Expected Fee"),
        ("mx_Custom_4", "Campus"),
        ("mx_Custom_2", "Stage"),
    ),
)
FAST_RETRY = RetryPolicy(attempts=12, base=0.01, cap=0.05, max_throttles=50)


def make_rows(count: int, *, missing_every: int = 0, first: int = 2) -> list[OpportunityRow]:
    """Valid rows: one lead each (cycling through the sandbox's leads, then course/campus
    combinations so no two rows are the same opportunity). Every ``missing_every``-th row's
    lead does not exist in the sandbox."""
    rows = []
    for i in range(count):
        combo = i // len(LEADS)
        email = LEADS[i % len(LEADS)]
        if missing_every and i % missing_every == missing_every - 1:
            email = f"new.lead{i}@example.org"
        fields = (
            ("mx_Custom_1", f"Enquiry {first + i}"),
            ("Status", "Open"),
            ("mx_Custom_2", "Prospecting"),
            ("mx_Custom_19", "call back"),
            ("mx_Custom_3", COURSES[combo % len(COURSES)]),
            ("mx_Custom_4", CAMPUSES[combo // len(COURSES) % len(CAMPUSES)]),
            ("mx_Custom_7", "Spring 2027 intake"),  # the mapping's constant, in the row
        )
        lead = (("EmailAddress", email), ("FirstName", f"Person {i}"))
        rows.append(OpportunityRow("Sheet1", first + i, email, lead, fields))
    return rows


def make_client(box: RunningSandbox, timeout: float = 5.0) -> LsqClient:
    settings = dataclasses.replace(load_settings(environ=box.env()), timeout=timeout)
    return LsqClient(settings, RateLimiter(parse_rate("1000/1s")), retry=FAST_RETRY)


def open_ledger(path: Path, box: RunningSandbox, target: Target = "bulk") -> Any:
    return open_run(path, box.url, spec(target))


def run(
    box: RunningSandbox,
    rows: list[OpportunityRow],
    path: Path,
    target: Target = "bulk",
    *,
    timeout: float = 5.0,
    **options: Any,
) -> dict[int, RowOutcome]:
    """Record the rows in a ledger run, send them, and return every row's outcome."""
    with open_ledger(path, box, target) as run, make_client(box, timeout) as client:
        add_rows(run, rows, SETTINGS)
        send(run, client, SETTINGS, target=target, **options)
        return outcomes(run)


def stored_copies(box: RunningSandbox, row: OpportunityRow) -> int:
    """How many opportunities on the server are this row's (by the duplicate key)."""
    with make_client(box) as client:
        wanted = dict(identity_values(row, SETTINGS))
        found = client.opportunities_by_unique_field("EmailAddress", row.search_value, [*wanted])
    return sum(_has_values(o, wanted) for o in found)


def _has_values(fields: dict[str, Any], wanted: dict[str, str]) -> bool:
    have = {name.casefold(): str(value).casefold() for name, value in fields.items()}
    return all(have.get(name, "") == value.casefold() for name, value in wanted.items())


def test_shuffled_replies_are_matched_by_row_number(
    sandbox_factory: Callable[[SandboxOptions], RunningSandbox], tmp_path: Path
) -> None:
    box = sandbox_factory(SandboxOptions(rate="1000/1s", shuffle=True, seed=3))
    rows = make_rows(60)
    done = run(box, rows, tmp_path / "j", workers=4)
    assert {o.outcome for o in done.values()} == {Outcome.CREATED}
    stats = box.stats()
    assert stats["duplicates_created"] == 0
    ids = {o.opportunity_id for o in done.values()}
    assert len(ids) == 60
    # Each row got the id of the opportunity holding *its* values, not a neighbour's.
    with make_client(box) as client:
        for row in rows[:10]:
            found = client.opportunities_by_unique_field(
                "EmailAddress", row.search_value, ["mx_Custom_1"]
            )
            (mine,) = [o for o in found if o["OpportunityId"] == done[row.row].opportunity_id]
            assert mine["mx_Custom_1"] == f"Enquiry {row.row}"


def test_one_bad_item_is_isolated_by_bisection(
    sandbox_factory: Callable[[SandboxOptions], RunningSandbox], tmp_path: Path
) -> None:
    box = sandbox_factory(SandboxOptions(rate="1000/1s", bulk_all_or_nothing=True))
    rows = make_rows(12)
    bad = dataclasses.replace(
        rows[6], fields=(*rows[6].fields[:4], ("mx_Custom_3", "Astrology"), rows[6].fields[5])
    )
    rows[6] = bad
    outcomes = run(box, rows, tmp_path / "j", workers=2)
    failed = [o for o in outcomes.values() if o.outcome is Outcome.FAILED]
    assert [o.row for o in failed] == [bad.row]
    assert f"Row {bad.row}" in failed[0].message
    assert "Course" in failed[0].message
    assert sum(o.outcome is Outcome.CREATED for o in outcomes.values()) == 11


def test_auto_sends_rows_of_missing_leads_through_capture(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    rows = make_rows(30, missing_every=5)
    outcomes = run(sandbox, rows, tmp_path / "j", "auto", workers=4)
    assert {o.outcome for o in outcomes.values()} == {Outcome.CREATED}
    new_leads = [r for r in rows if r.search_value.startswith("new.lead")]
    assert len(new_leads) == 6
    assert all(outcomes[r.row].lead_id for r in new_leads)
    assert sandbox.stats()["duplicates_created"] == 0


def test_bulk_target_explains_a_missing_lead(sandbox: RunningSandbox, tmp_path: Path) -> None:
    rows = make_rows(5, missing_every=5)
    outcomes = run(sandbox, rows, tmp_path / "j", "bulk")
    missing = outcomes[rows[4].row]
    assert missing.outcome is Outcome.FAILED
    assert rows[4].search_value in missing.message
    assert missing.problems[0].code == "lead_not_found"
    assert "MXLeadNotFoundException" in missing.problems[0].detail


def test_existing_opportunity_is_a_duplicate(sandbox: RunningSandbox, tmp_path: Path) -> None:
    rows = make_rows(4)
    first = run(sandbox, rows, tmp_path / "a")
    again = run(sandbox, rows, tmp_path / "b", "capture")
    assert all(o.outcome is Outcome.DUPLICATE for o in again.values())
    assert {r: o.opportunity_id for r, o in again.items()} == {
        r: o.opportunity_id for r, o in first.items()
    }


def test_capture_invalid_value_needs_review(sandbox: RunningSandbox, tmp_path: Path) -> None:
    (row,) = make_rows(1, missing_every=1)
    # A Number field that is not a number: the lead is saved, the opportunity not linked.
    row = dataclasses.replace(row, fields=(*row.fields, ("mx_Custom_5", "lots")))
    outcome = run(sandbox, [row], tmp_path / "j", "capture")[row.row]
    assert outcome.outcome is Outcome.NEEDS_REVIEW
    assert "not linked" in outcome.message
    assert "Expected Fee" in outcome.message
    assert f"Row {row.row}" in outcome.message


def test_capture_partial(
    sandbox_factory: Callable[[SandboxOptions], RunningSandbox], tmp_path: Path
) -> None:
    box = sandbox_factory(SandboxOptions(rate="1000/1s", faults="partial:1.0"))
    outcomes = run(box, make_rows(3), tmp_path / "j", "capture")
    assert {o.outcome for o in outcomes.values()} == {Outcome.PARTIAL}
    assert all(o.opportunity_id for o in outcomes.values())


def test_stop_flag_finishes_in_flight_and_resume_completes(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    rows = make_rows(100)
    stop = threading.Event()
    seen: list[int] = []

    def progress(done: int, counts: Mapping[str, int]) -> None:
        seen.append(done)
        stop.set()

    path = tmp_path / "j"
    first = run(sandbox, rows, path, workers=2, progress=progress, stop=stop)
    with open_ledger(path, sandbox) as ledger_run:
        counts = ledger_run.state_counts()
    assert Outcome.IN_FLIGHT not in counts
    assert 0 < counts[Outcome.CREATED] < 100
    assert counts[Outcome.CREATED] + counts[Outcome.PENDING] == 100
    assert seen
    assert seen[-1] == counts[Outcome.CREATED]
    assert sum(o.outcome is Outcome.PENDING for o in first.values()) == counts[Outcome.PENDING]
    second = run(sandbox, rows, path, workers=2)
    assert {o.outcome for o in second.values()} == {Outcome.CREATED}
    assert sandbox.stats()["duplicates_created"] == 0


def test_resume_reconciles_rows_left_in_flight(sandbox: RunningSandbox, tmp_path: Path) -> None:
    """A crash after the request left but before its outcome was committed: the resumed run
    finds the opportunities instead of creating them again, and sends the rest."""
    rows = make_rows(10)
    path = tmp_path / "j"
    with open_ledger(path, sandbox) as ledger_run, make_client(sandbox) as client:
        keyed = add_rows(ledger_run, rows, SETTINGS)
        ledger_run.claim(keyed[:6], "crashed", client.server_now())
        client.bulk_add("EmailAddress", [bulk_item(r, SETTINGS) for r in rows[:4]])
    outcomes = run(sandbox, rows, path)
    assert {o.outcome for o in outcomes.values()} == {Outcome.CREATED}
    assert sandbox.stats()["duplicates_created"] == 0
    assert all(stored_copies(sandbox, r) == 1 for r in rows)


def test_finished_run_sends_nothing(sandbox: RunningSandbox, tmp_path: Path) -> None:
    rows = make_rows(5)
    run(sandbox, rows, tmp_path / "j")
    before = sandbox.stats()["total_opportunities"]
    outcomes = run(sandbox, rows, tmp_path / "j")
    assert sandbox.stats()["total_opportunities"] == before
    assert len(outcomes) == 5


def test_wrong_keys_stop_the_run(sandbox: RunningSandbox, tmp_path: Path) -> None:
    rows = make_rows(30)
    path = tmp_path / "j"
    with open_ledger(path, sandbox) as ledger_run:
        add_rows(ledger_run, rows, SETTINGS)
        env = {**sandbox.env(), "LSQ_SECRET_KEY": "wrong"}
        client = LsqClient(load_settings(environ=env), RateLimiter(parse_rate("1000/1s")))
        with client, pytest.raises(AuthError):
            send(ledger_run, client, SETTINGS, target="bulk", workers=2)
        counts = ledger_run.state_counts()
    # A 401 means nothing was applied: the rows wait as pending, with no check needed.
    assert counts == {Outcome.PENDING: 30}


def test_a_500_to_every_write_is_looked_up_never_resent_blindly(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    """Each unclear answer is checked with a look-up before the row goes again; a row that
    never gets a clear answer ends failed (server_error), and a later run sends it."""
    rows = make_rows(3)
    sandbox.reconfigure(faults="500:1.0")
    done = run(sandbox, rows, tmp_path / "j", workers=1)
    stats = sandbox.stats()
    assert {o.outcome for o in done.values()} == {Outcome.FAILED}
    assert {o.problems[0].code for o in done.values()} == {"server_error"}
    writes = stats["calls"]["Bulk/Add/ByLeadField"]
    assert stats["calls"]["GetOpportunitiesByUniqueLeadField"] >= writes, "a look-up per try"
    assert stats["total_opportunities"] == 0
    sandbox.reconfigure(faults=None)
    with open_run(tmp_path / "j", sandbox.url, spec(name="fix.csv")) as later:
        add_rows(later, rows, SETTINGS)
        with make_client(sandbox) as client:
            send(later, client, SETTINGS, target="bulk")
        assert {o.outcome for o in outcomes(later).values()} == {Outcome.CREATED}
    assert sandbox.stats()["total_opportunities"] == 3


def test_retries_exhausted_leaves_rows_ambiguous_and_resume_finishes(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    rows = make_rows(8)
    path = tmp_path / "j"
    sandbox.reconfigure(faults="surprise429:1.0")
    with open_ledger(path, sandbox) as ledger_run:
        add_rows(ledger_run, rows, SETTINGS)
        client = LsqClient(
            load_settings(environ=sandbox.env()),
            RateLimiter(parse_rate("1000/1s")),
            retry=RetryPolicy(attempts=2, base=0.0, cap=0.0, max_throttles=1),
        )
        with client, pytest.raises(RetriesExhausted, match="Run the same command again"):
            send(ledger_run, client, SETTINGS, target="bulk", workers=1)
        assert ledger_run.state_counts() == {Outcome.AMBIGUOUS: 8}
    sandbox.reconfigure(faults=None)
    done = run(sandbox, rows, path)
    assert {o.outcome for o in done.values()} == {Outcome.CREATED}
    assert sandbox.stats()["total_opportunities"] == 8
