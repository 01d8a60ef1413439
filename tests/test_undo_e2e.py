"""`lsq-import undo` and `history` over real HTTP to the sandbox: the sample imported then
undone leaves the account as it was (a pre-existing opportunity untouched, the leads
Capture made listed and kept); the preview sends nothing; a type without deletion is
refused; an undone run sends nothing again and its file imports afresh; applied500 on the
deletes and a kill -9 part-way still delete every opportunity once."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from importer.run import RunOptions, run_import
from importer.sandbox.testing import RunningSandbox
from importer.settings import load_settings, parse_rate
from importer.undo import UndoOptions, UndoReport, undo_run
from tests.e2e_support import (
    MAPPING,
    SAMPLE_CSV,
    artefact_texts,
    cli,
    kill,
    leaked,
    ledger_of,
    ledger_states,
    run_args,
    sample_subset,
    sheet_records,
    start_cli,
    wait_until,
)
from tests.undo_support import FAST, created_ids, import_sample

Factory = Callable[..., RunningSandbox]
CREATED = 286  # the sample's 287 valid rows, less row 3, whose opportunity existed before
EXISTING_ROW = 3  # meera.das001: MBA at Bengaluru
LEADS_BY_CAPTURE = 22  # sample rows whose lead the sandbox does not have: auto -> capture


def add_existing_opportunity(box: RunningSandbox) -> str:
    """Row 3's opportunity, created before the import by something else than lsq-import."""
    item = {
        "SearchByValue": "meera.das001@example.com",
        "OpportunityEventCode": 12000,
        "Fields": [
            {"SchemaName": "mx_Custom_1", "Value": "Entered by hand"},
            {"SchemaName": "mx_Custom_3", "Value": "MBA"},
            {"SchemaName": "mx_Custom_4", "Value": "Bengaluru"},
        ],
    }
    reply = requests.post(
        box.url + "/v2/OpportunityManagement.svc/Bulk/Add/ByLeadField",
        params={"SearchBy": "EmailAddress"},
        json=[item],
        headers=box.headers(),
        timeout=10,
    )
    return str(reply.json()["Response"][0]["ProspectOpportunityId"])


def undo(box: RunningSandbox, out: Path, run: int | str = "last", **chosen: Any) -> UndoReport:
    settings = load_settings(environ=box.env())
    options = UndoOptions(
        run=run, out=out.with_name("undo.xlsx"), ledger=ledger_of(out), rate=parse_rate(FAST)
    )
    return undo_run(settings, replace(options, **chosen))


def writes(box: RunningSandbox) -> dict[str, int]:
    calls = box.stats()["calls"]
    return {k: n for k, n in calls.items() if k not in ("GetOpportunityTypeMetadata",)}


@pytest.fixture
def imported(sandbox_factory: Factory, tmp_path: Path) -> tuple[RunningSandbox, Path, str]:
    """The sample imported into a sandbox that had one of its opportunities already."""
    box = sandbox_factory(rate=FAST)
    existing = add_existing_opportunity(box)
    out = tmp_path / "import.xlsx"
    report = import_sample(box, out)
    assert report.counts == {"created": CREATED, "duplicate": 1, "invalid": 13}
    assert box.stats()["total_opportunities"] == CREATED + 1
    return box, out, existing


def test_undo_of_the_sample_leaves_the_account_as_it_was(
    imported: tuple[RunningSandbox, Path, str],
) -> None:
    box, out, existing = imported
    ids = created_ids(out)
    preview = undo(box, out)
    assert (preview.preview, preview.exit_code, preview.summary.to_delete) == (True, 0, CREATED)
    assert preview.summary.kept == {"existed_before": 1}
    assert preview.summary.refusals[0].row == EXISTING_ROW
    assert preview.summary.leads == LEADS_BY_CAPTURE

    report = undo(box, out, yes=True)
    assert (report.exit_code, report.aborted) == (0, None)
    assert dict(report.sent) == {"deleted": CREATED}
    stats = box.stats()
    assert (stats["total_opportunities"], stats["opportunities_deleted"]) == (1, CREATED)
    assert box.opportunity_state(existing) == "live"
    assert {box.opportunity_state(i) for i in ids} == {"deleted"}
    assert ledger_states(ledger_of(out)) == {"undone": CREATED, "duplicate": 1}

    assert report.files is not None
    rows = {r["Row"]: r for r in sheet_records(report.files.workbook, "Rows")}
    outcomes = [r["Outcome"] for r in rows.values()]
    assert (outcomes.count("undone"), outcomes.count("duplicate"), len(rows)) == (CREATED, 1, 287)
    assert "already had this opportunity before the import" in rows[EXISTING_ROW]["Problems"]
    problems = sheet_records(report.files.workbook, "Problems")
    leads = [p for p in problems if p["Code"] == "lead_kept"]
    assert len(leads) == LEADS_BY_CAPTURE
    assert all(rows[p["Row"]]["Lead ID"] in p["Message"] for p in leads)
    artefacts = artefact_texts([report.files.workbook, ledger_of(out)])
    assert not leaked([box.access_key, box.secret_key], artefacts)


def test_the_preview_sends_nothing(imported: tuple[RunningSandbox, Path, str]) -> None:
    box, out, _ = imported
    before = writes(box)
    result = cli("undo", "last", "--ledger", ledger_of(out), "--rate", FAST, env=box.env())
    assert result.code == 0, result.stderr
    assert writes(box) == before
    assert box.stats()["opportunities_deleted"] == 0
    assert f"Would delete {CREATED} opportunities of type 'Course Enquiry'" in result.stdout
    assert "[existed_before] Row 3:" in result.stdout
    assert f"Leads kept: {LEADS_BY_CAPTURE}" in result.stdout
    assert "nothing was sent" in result.stdout
    assert not out.with_name("opportunities-undo-1-results.xlsx").exists()


def test_an_undo_of_an_undone_run_sends_nothing_and_the_file_imports_again(
    imported: tuple[RunningSandbox, Path, str],
) -> None:
    box, out, existing = imported
    undo(box, out, yes=True)
    before = writes(box)
    again = undo(box, out, run=1, yes=True)
    assert writes(box) == before
    assert (dict(again.sent), again.summary.deleted, again.exit_code) == ({}, CREATED, 0)

    reimport = import_sample(box, out.with_name("again.xlsx"))
    assert reimport.run_id == 2
    # Row 3's key stands for the opportunity that existed before: still there, not resent.
    assert reimport.counts == {"created": CREATED, "already_imported": 1, "invalid": 13}
    assert box.stats()["total_opportunities"] == CREATED + 1
    assert box.opportunity_state(existing) == "live"


def test_history_lists_the_runs_and_marks_the_undone_one(
    imported: tuple[RunningSandbox, Path, str],
) -> None:
    box, out, _ = imported
    import_sample(box, out.with_name("second.xlsx"), source=SAMPLE_CSV.with_suffix(".xlsx"))
    undo(box, out, run=1, yes=True)
    ledger = ledger_of(out)
    listed = cli("history", "--ledger", ledger, "--json", env=box.env())
    assert listed.code == 0, listed.stderr
    runs = {r["run"]: r for r in json.loads(listed.stdout)}
    assert set(runs) == {1, 2}
    assert runs[1]["undo"]["status"] == "finished"
    assert runs[1]["undone"].startswith("yes, ")
    assert runs[2]["undo"] is None
    assert runs[2]["counts"] == {"already_imported": CREATED + 1, "invalid": 13}

    table = cli("history", "--ledger", ledger)  # no LSQ_HOST: the ledger's own host
    assert table.code == 0, table.stderr
    lines = table.stdout.splitlines()
    assert f"({CREATED} deleted)" in next(line for line in lines if line.startswith("1 "))
    assert "  no  " in next(line for line in lines if line.startswith("2 "))


HOSTEL_MAPPING = """\
version: 1
target: bulk
search_by: EmailAddress
opportunity:
  event_code: 12001
columns:
  Email: {to: lead.EmailAddress, type: Email, mandatory: true}
  Booking: {to: mx_Custom_1, mandatory: true}
  Room: {to: mx_Custom_2, type: Dropdown, options: [Single, Shared]}
"""


def test_a_type_without_deletion_is_refused_in_the_preview(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(rate=FAST)
    mapping = tmp_path / "hostel.yaml"
    mapping.write_text(HOSTEL_MAPPING, encoding="utf-8")
    source = tmp_path / "hostel.csv"
    source.write_text(
        "Email,Booking,Room\nvivaan.khan000@example.com,Term 1,Single\n"
        "meera.das001@example.com,Term 1,Shared\n",
        encoding="utf-8",
    )
    out = tmp_path / "hostel-results.xlsx"
    ledger = ledger_of(out)
    args: list[str | Path] = ["run", source, "-m", mapping, "-o", out, "--ledger", ledger]
    args += ["--rate", FAST]
    imported = cli(*args, env=box.env())
    assert imported.code == 0, imported.stderr + imported.stdout

    preview = cli("undo", "last", "--ledger", ledger, env=box.env())
    assert preview.code == 0, preview.stderr
    assert "Nothing to delete" in preview.stdout
    assert "Will not delete 2:" in preview.stdout
    refused = [line for line in preview.stdout.splitlines() if "[delete_not_allowed]" in line]
    assert len(refused) == 2
    assert "type 'Hostel Booking' (event code 12001) cannot be deleted" in refused[0]
    assert "'Allow Delete' is off" in refused[0]

    done = cli(
        "undo", "last", "--yes", "--ledger", ledger, "-o", tmp_path / "u.xlsx", env=box.env()
    )
    assert done.code == 1, done.stderr
    assert box.stats()["calls"].get("Delete", 0) == 0
    assert box.stats()["total_opportunities"] == 2


@pytest.mark.slow
def test_applied500_on_deletes_still_deletes_each_once_and_says_so(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(rate=FAST, seed=7)
    out = tmp_path / "import.xlsx"
    import_sample(box, out)
    ids = created_ids(out)
    box.reconfigure(faults="applied500:0.3,reset:0.1,500:0.1")
    report = undo(box, out, yes=True, workers=4)
    stats = box.stats()
    assert stats["faults_injected"].get("applied500", 0) > 10
    assert (report.exit_code, report.aborted) == (0, None)
    # Honest: a delete LeadSquared applied before failing is reported deleted, not "gone".
    assert dict(report.sent) == {"deleted": len(ids)}
    assert (report.summary.deleted, report.summary.already_gone) == (len(ids), 0)
    assert (stats["total_opportunities"], stats["opportunities_deleted"]) == (0, len(ids))
    assert {box.opportunity_state(i) for i in ids} == {"deleted"}
    assert ledger_states(ledger_of(out)) == {"undone": len(ids)}


@pytest.mark.slow
def test_kill_9_during_undo_then_run_again_deletes_every_one_once(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    box = sandbox_factory(rate=FAST)
    out = tmp_path / "import.xlsx"
    import_sample(box, out)
    ids = created_ids(out)
    ledger = ledger_of(out)
    box.reconfigure(latency="100ms±50ms")
    command: list[str | Path] = [
        "undo",
        "1",
        "--yes",
        "--ledger",
        ledger,
        "-o",
        tmp_path / "u.xlsx",
    ]
    child = start_cli(*command, "--rate", FAST, "--workers", "3", env=box.env())
    wait_until(child, ledger, "undone", 60)
    assert kill(child).code == -signal.SIGKILL
    assert 0 < box.stats()["opportunities_deleted"] < len(ids), "killed too late to matter"

    history = json.loads(cli("history", "--ledger", ledger, "--json").stdout)
    assert history[0]["undone"] == "undo stopped part-way"
    blocked = cli(*run_args(SAMPLE_CSV, tmp_path / "again.xlsx", "--rate", FAST), env=box.env())
    assert blocked.code == 2
    assert "lsq-import undo 1 --yes" in blocked.stderr

    box.reconfigure(latency=None)
    finished = cli(*command, "--rate", FAST, "--json", env=box.env())
    assert finished.code == 0, finished.stderr
    summary = json.loads(finished.stdout)
    assert (summary["deleted"], summary["already_gone"], summary["aborted"]) == (len(ids), 0, None)
    stats = box.stats()
    assert (stats["total_opportunities"], stats["opportunities_deleted"]) == (0, len(ids))
    assert stats["calls"]["Delete"] >= len(ids)
    assert {box.opportunity_state(i) for i in ids} == {"deleted"}
    assert ledger_states(ledger) == {"undone": len(ids)}


def test_the_preview_s_call_counts_against_the_undo_s_rate(
    sandbox_factory: Factory, tmp_path: Path
) -> None:
    """`undo` right after its preview: the preview's metadata call is in the same window."""
    box = sandbox_factory(rate="10/1s")
    out = tmp_path / "import.xlsx"
    settings = load_settings(environ=box.env())
    source = sample_subset(tmp_path, 20)
    options = RunOptions(out=out, rate=parse_rate("10/1s"), ledger=ledger_of(out))
    run_import(source, MAPPING, settings, options)
    time.sleep(1.5)  # the import's own calls (its key check is not in the ledger) age out
    assert undo(box, out, rate=parse_rate("10/1s")).summary.to_delete == 18
    report = undo(box, out, yes=True, rate=parse_rate("10/1s"))
    assert dict(report.sent) == {"deleted": 18}
    stats = box.stats()
    assert (stats["http_429"], stats["max_calls_in_window"]) == (0, 10)
