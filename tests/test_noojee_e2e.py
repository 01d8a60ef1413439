"""`lsq-import validate` / `run` with mappings/noojee.yaml end to end, over real HTTP to the
sandbox: the sample ends with exactly the outcomes sample_data/README.md lists, a second
run sends nothing, the Noojee key (a URL query parameter) appears in no artefact and no
log, and a run killed with -9 while faults answer 103 after saving leads, run again until
done, leaves every lead in the campaign once."""

from __future__ import annotations

import json
import logging
import signal
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from importer.model import Outcome
from importer.run import RunOptions, run_import
from importer.sandbox.testing import RunningSandbox
from importer.send.noojee.settings import load_noojee_settings
from importer.settings import parse_rate
from tests.e2e_support import (
    artefact_texts,
    cli,
    finish,
    kill,
    leaked,
    sheet_records,
    start_cli,
    wait_until,
)
from tests.noojee_support import (
    MAPPING,
    REPO,
    SAMPLE,
    campaign_ids,
    enquiry,
    mapping_with,
    noojee_stats,
    sample_counts,
    sample_outcomes,
    write_csv,
)

Factory = Callable[..., RunningSandbox]
# A key with every character a query string must encode.
ODD_KEY = "nj$Key/with+plus and&amp=eq%25"


def run_args(source: Path, out: Path, mapping: Path = MAPPING, *extra: str) -> list[str | Path]:
    ledger = out.parent / "ledger.sqlite"
    fast = ("--rate", "1000/1s")
    return ["run", source, "--mapping", mapping, "--out", out, "--ledger", ledger, *fast, *extra]


def test_the_sample_ends_as_documented(sandbox: RunningSandbox, tmp_path: Path) -> None:
    out = tmp_path / "dialer.xlsx"
    result = cli(*run_args(SAMPLE, out, MAPPING, "--json"), env=sandbox.env())
    assert result.code == 1, result.stderr
    summary = json.loads(result.stdout)
    assert (
        summary["counts"]
        == sample_counts()
        == {
            "created": 31,
            "duplicate": 2,
            "failed": 1,
            "invalid": 2,
        }
    )
    rows = {int(r["Row"]): str(r["Outcome"]).lower() for r in sheet_records(out, "Rows")}
    listed = sample_outcomes()
    assert {row: outcome for row, outcome in rows.items() if outcome != "created"} == listed
    assert noojee_stats(sandbox)["leads_created"] == 31
    assert "Do-Not-Call" in (tmp_path / "dialer.fix.csv").read_text(encoding="utf-8")
    said = [r for r in sheet_records(out, "Problems") if r.get("Noojee said")]
    assert said, "Noojee's own words sit under its name, not LeadSquared's"

    calls = noojee_stats(sandbox)["calls_total"]
    again = cli(*run_args(SAMPLE, out, MAPPING, "--json"), env=sandbox.env())
    assert again.code == 1, again.stderr
    assert json.loads(again.stdout)["sent_now"] == 0
    assert noojee_stats(sandbox)["calls_total"] == calls + 1  # the key check only


def test_the_sample_dry_run(tmp_path: Path) -> None:
    result = cli("validate", SAMPLE, "--mapping", MAPPING, "--out", tmp_path / "v.xlsx", "--json")
    assert result.code == 1, result.stderr
    report = json.loads(result.stdout)
    assert (report["valid"], report["invalid"]) == (34, 2)
    assert report["problem_counts"] == {"no_phone_number": 1, "no_change_on_insert": 1}


def test_without_noojee_settings_nothing_is_done(tmp_path: Path) -> None:
    result = cli(*run_args(SAMPLE, tmp_path / "r.xlsx"))
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: NOOJEE_HOST and NOOJEE_API_KEY not set: the mapping sends to Noojee Contact; "
        "put them in the environment (Noojee Support issues the API key for your server)."
    ]


def _account_with_key(tmp_path: Path, key: str) -> Path:
    text = (REPO / "sample_data" / "noojee_account.yaml").read_text(encoding="utf-8")
    path = tmp_path / "noojee_account.yaml"
    path.write_text(text.replace("api_key: noojee-sandbox-api-key", f"api_key: '{key}'"))
    return path


def _forms(key: str) -> list[str]:
    return [key, quote(key, safe=""), quote_plus(key)]


def test_no_key_appears_in_any_artefact(sandbox_factory: Factory, tmp_path: Path) -> None:
    box = sandbox_factory(
        noojee_account=_account_with_key(tmp_path, ODD_KEY), noojee_faults="reset:0.3", seed=5
    )
    assert box.noojee_api_key == ODD_KEY
    config = tmp_path / "noojee.env"
    config.write_text(f"NOOJEE_HOST={box.url}\nNOOJEE_API_KEY='{ODD_KEY}'\n", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    result = cli(*run_args(SAMPLE, out, MAPPING, "--config", str(config)))
    assert result.code in (1, 3), result.stderr
    assert noojee_stats(box)["faults_injected"].get("reset", 0) >= 1, "resets were met"
    files = [out, tmp_path / "r.fix.csv", *tmp_path.glob("ledger.sqlite*")]
    texts = artefact_texts(files) | {
        "stdout": result.stdout.encode(),
        "stderr": result.stderr.encode(),
    }
    assert len(texts) > 10, "the workbook's XML parts are scanned too"
    assert leaked(_forms(ODD_KEY), texts) == []


def test_no_key_appears_in_library_logs(
    sandbox_factory: Factory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    box = sandbox_factory(
        noojee_account=_account_with_key(tmp_path, ODD_KEY), noojee_faults="reset:0.4", seed=9
    )
    caplog.set_level(logging.DEBUG)
    settings = load_noojee_settings(environ=box.env())
    assert ODD_KEY not in repr(settings)
    options = RunOptions(
        out=tmp_path / "r.xlsx", ledger=tmp_path / "ledger.sqlite", rate=parse_rate("1000/1s")
    )
    report = run_import(SAMPLE, MAPPING, settings, options)
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert "apiKey=***" in logged, "urllib3 logged each URL, scrubbed"
    assert [form for form in _forms(ODD_KEY) if form in logged] == []
    assert ODD_KEY not in json.dumps(report.to_dict())


@pytest.mark.slow
@pytest.mark.parametrize("allow", ["false", "true"])
def test_kill_9_then_run_again_saves_no_lead_twice(
    sandbox_factory: Factory, tmp_path: Path, allow: str
) -> None:
    box = sandbox_factory(latency="60ms±30ms", noojee_faults="applied500:0.2", seed=11)
    mapping = mapping_with(tmp_path, allow_duplicates=allow, batch_size="3")
    source = write_csv(tmp_path, [enquiry(n) for n in range(1, 61)])
    out = tmp_path / "r.xlsx"
    child = start_cli(*run_args(source, out, mapping, "--quiet"), env=box.env())
    wait_until(child, tmp_path / "ledger.sqlite", "outcome", 12)
    assert kill(child).code == -signal.SIGKILL
    assert noojee_stats(box)["leads_created"] < 60, "killed too late to matter"
    for _ in range(6):  # a run left unclear rows (exit 3): the next one checks them
        result = finish(start_cli(*run_args(source, out, mapping, "--json"), env=box.env()))
        if result.code != 3:
            break
    assert result.code in (0, 1), result.stderr
    counts = json.loads(result.stdout)["counts"]
    held = Counter(campaign_ids(box))
    assert noojee_stats(box)["duplicates_created"] == 0
    assert all(held[f"T-{n:04d}"] <= 1 for n in range(1, 61))
    if allow == "false":  # every unclear send was checked by resending it: all there, once
        assert counts == {str(Outcome.CREATED): 60}
        assert all(held[f"T-{n:04d}"] == 1 for n in range(1, 61))
    else:  # an unclear send could not be checked: for a person, never resent
        assert set(counts) <= {str(Outcome.CREATED), str(Outcome.NEEDS_REVIEW)}


def test_an_update_run(sandbox: RunningSandbox, tmp_path: Path) -> None:
    mapping = mapping_with(
        tmp_path, mode="update", columns_extra="  Disposition:\n    to: njDisposition\n"
    )
    blank = dict.fromkeys(enquiry(0), "")
    rows = [
        {**blank, "Lead Ref": "HZ-DL-0901", "Campus": "Pune"},
        {**blank, "Lead Ref": "HZ-DL-0902", "Disposition": "interested"},
        {**blank, "Lead Ref": "HZ-DL-0903", "Priority": "90", "Disposition": "<no change>"},
    ]
    out = tmp_path / "u.xlsx"
    result = cli(*run_args(write_csv(tmp_path, rows), out, mapping, "--json"), env=sandbox.env())
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["counts"] == {"updated": 3}
    leads = {lead["njExternalLeadId"]: lead for lead in sandbox.noojee_leads()}
    assert leads["HZ-DL-0901"]["fields"]["Campus"] == "Pune"
    assert leads["HZ-DL-0902"]["njDisposition"] == "Interested"
    assert leads["HZ-DL-0903"]["fields"]["njPriority"] == "90"
    assert leads["HZ-DL-0903"]["njDisposition"] == "Interested"  # kept

    edited = [{**blank, "Lead Ref": "HZ-DL-0905", "Disposition": "Enrolled"}]
    second = cli(
        *run_args(write_csv(tmp_path, edited, "e.csv"), tmp_path / "e.xlsx", mapping, "--json"),
        env=sandbox.env(),
    )
    assert second.code == 1
    assert json.loads(second.stdout)["counts"] == {"needs_review": 1}
    assert noojee_stats(sandbox)["resends_of_conflicted"] == 0


def test_an_import_into_a_dialer_campaign_cannot_be_undone_and_says_so(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    out = tmp_path / "dialer.xlsx"
    assert cli(*run_args(SAMPLE, out), env=sandbox.env()).code == 1
    ledger = out.parent / "ledger.sqlite"
    undone = cli("undo", "last", "--ledger", ledger, "--yes", env=sandbox.env())
    assert undone.code == 2, undone.stderr
    assert "Traceback" not in undone.stderr
    assert "Noojee" in undone.stderr
    assert noojee_stats(sandbox)["leads_created"] == 31
