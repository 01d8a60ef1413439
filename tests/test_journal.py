"""The journal: states survive reopening, identity checks, resume keeps known outcomes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer.errors import UsageError
from importer.journal import AMBIGUOUS, IN_FLIGHT, PENDING, Journal, row_from_json, row_to_json
from importer.model import OpportunityRow, Outcome, Problem, RowOutcome

IDENTITY = {
    "input_hash": "abc",
    "mapping_digest": "def",
    "host": "http://127.0.0.1:9/",
    "target": "bulk",
}


def _rows(n: int) -> list[OpportunityRow]:
    return [
        OpportunityRow("s", r, f"p{r}@example.com", (), (("mx_Custom_3", "MBA"),))
        for r in range(2, 2 + n)
    ]


def _open(path: Path, **changes: object) -> Journal:
    return Journal.open(path, **{**IDENTITY, **changes})  # type: ignore[arg-type]


def test_states_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "run.journal"
    rows = _rows(4)
    with _open(path) as journal:
        journal.add_rows(rows)
        journal.add_invalid([RowOutcome("s", 9, Outcome.INVALID, message="bad email")])
        journal.mark_in_flight(rows[:3], "b1")
        journal.record([RowOutcome("s", 2, Outcome.CREATED, "opp-2", "lead-2")])
        journal.mark(rows[1:2], AMBIGUOUS, "timed out")
    with _open(path) as journal:
        journal.add_rows(rows)  # a resumed run adds the same rows again: states are kept
        assert journal.counts() == {
            "created": 1,
            AMBIGUOUS: 1,
            IN_FLIGHT: 1,
            PENDING: 1,
            "invalid": 1,
        }
        unfinished = journal.unfinished()
        assert [(u.row.row, u.state) for u in unfinished] == [
            (3, AMBIGUOUS),
            (4, IN_FLIGHT),
            (5, PENDING),
        ]
        assert unfinished[0].row == rows[1]
        assert unfinished[0].sent_at is not None
        assert unfinished[0].attempts == 1
        outcomes = journal.outcomes()
    assert outcomes[2].opportunity_id == "opp-2"
    assert outcomes[3].outcome is Outcome.PENDING
    assert "run the same command again" in outcomes[3].message
    assert outcomes[9].outcome is Outcome.INVALID


def test_problems_and_exception_type_are_kept(tmp_path: Path) -> None:
    problem = Problem("s", 2, "Course", "mx_Custom_3", "MXInvalidInputException", "Row 2: no")
    with _open(tmp_path / "j") as journal:
        journal.add_rows(_rows(1))
        journal.record([RowOutcome("s", 2, Outcome.FAILED, message="no", problems=(problem,))])
        assert journal.outcomes()[2].problems == (problem,)
    db = sqlite3.connect(tmp_path / "j")
    assert db.execute("SELECT exception_type FROM rows").fetchone() == ("MXInvalidInputException",)
    db.close()


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("input_hash", "zzz", "input file"),
        ("mapping_digest", "x", "mapping"),
        ("host", "h", "host"),
    ],
)
def test_other_run_refused_unless_fresh(tmp_path: Path, key: str, value: str, words: str) -> None:
    path = tmp_path / "j"
    with _open(path) as journal:
        journal.add_rows(_rows(2))
    with pytest.raises(UsageError, match=f"different {words}.*--fresh.*--journal") as refused:
        _open(path, **{key: value})
    # Only a changed input file points to the fix file (and warns about --fresh).
    assert ("run the fix file" in str(refused.value)) == (key == "input_hash")
    with _open(path, fresh=True, **{key: value}) as journal:
        assert journal.counts() == {}


def test_wal_durability_settings_and_no_secrets(tmp_path: Path) -> None:
    path = tmp_path / "j"
    with _open(path, host="https://user:s3cret@api-in21.leadsquared.com/v2?accessKey=u$k") as j:
        j.add_rows(_rows(1))
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    (host,) = db.execute("SELECT host FROM run").fetchone()
    db.close()
    assert host == "https://api-in21.leadsquared.com"
    assert b"s3cret" not in path.read_bytes()


def test_mark_rejects_final_states(tmp_path: Path) -> None:
    with _open(tmp_path / "j") as journal, pytest.raises(ValueError, match="pending/ambiguous"):
        journal.mark(_rows(1), "created")  # type: ignore[arg-type]


pairs = st.lists(st.tuples(st.text(max_size=8), st.text()), max_size=5).map(tuple)
optional = st.none() | st.text()


@given(
    row=st.builds(
        OpportunityRow,
        sheet=st.text(),
        row=st.integers(min_value=2, max_value=2_000_000),
        search_value=st.text(),
        lead=pairs,
        fields=pairs,
        note=optional,
        when=optional,
        owner_email=optional,
    )
)
def test_journal_json_round_trips_any_row(row: OpportunityRow) -> None:
    assert row_from_json(row_to_json(row)) == row
