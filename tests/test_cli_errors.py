"""Bad options and settings as a user types them (issue 8): one line on stderr, exit 2, no
traceback, nothing sent - and, once rows were sent, a failure is a stop (exit 3), never
"nothing done"."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from importer import results
from importer.errors import AbortedError
from importer.run import RunOptions, run_import
from importer.sandbox.testing import RunningSandbox
from importer.settings import Settings, load_settings, parse_rate
from tests.e2e_support import MAPPING, SAMPLE_CSV, cli, ledger_of, run_args, sample_subset


def one_line_exit_2(result: Any) -> str:
    assert result.code == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return str(lines[0])


def test_a_usage_mistake_is_one_line() -> None:
    line = one_line_exit_2(cli("run", SAMPLE_CSV))  # --mapping missing
    assert "--mapping" in line
    assert "lsq-import run --help" in line


@pytest.mark.parametrize("workers", ["0", "-3", "100000"])
def test_workers_out_of_range_are_refused(tmp_path: Path, workers: str) -> None:
    args = run_args(SAMPLE_CSV, tmp_path / "r.xlsx", "--workers", workers)
    assert "--workers" in one_line_exit_2(cli(*args))


@pytest.mark.parametrize("rate", ["99999999999999999999/1s", "25/99999999999999999999s", "0/5s"])
def test_an_absurd_rate_is_refused(tmp_path: Path, rate: str) -> None:
    args = run_args(SAMPLE_CSV, tmp_path / "r.xlsx", "--rate", rate)
    assert "--rate" in one_line_exit_2(cli(*args))


def test_the_workbook_must_be_xlsx(tmp_path: Path) -> None:
    result = cli("validate", SAMPLE_CSV, "-m", MAPPING, "--out", tmp_path / "r.csv")
    assert ".xlsx" in one_line_exit_2(result)
    assert not (tmp_path / "r.csv").exists()


def test_credentials_in_the_host_are_never_echoed(tmp_path: Path) -> None:
    env = {
        "LSQ_HOST": "ftp://admin:hunter2@example.com",
        "LSQ_ACCESS_KEY": "u$k",
        "LSQ_SECRET_KEY": "s",
    }
    line = one_line_exit_2(cli(*run_args(SAMPLE_CSV, tmp_path / "r.xlsx"), env=env))
    assert "hunter2" not in line
    assert "LSQ_HOST" in line


def test_a_short_key_does_not_mangle_messages() -> None:
    settings = Settings("https://api.leadsquared.com", "Le", "red")
    assert settings.scrub("LeadSquared refused the request") == "LeadSquared refused the request"
    assert settings.scrub("key Le was refused") == "key *** was refused"


def test_a_key_that_cannot_travel_in_a_header_is_a_config_error(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    env = {**sandbox.env(), "LSQ_SECRET_KEY": "sécret-ключ"}
    line = one_line_exit_2(cli(*run_args(SAMPLE_CSV, tmp_path / "r.xlsx"), env=env))
    assert "LSQ_SECRET_KEY" in line
    assert "ключ" not in line
    assert sandbox.stats()["calls_total"] == 0


def test_an_output_that_cannot_be_written_stops_before_anything_is_sent(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    (tmp_path / "r.xlsx.part").mkdir()  # where the workbook would be written
    line = one_line_exit_2(cli(*run_args(SAMPLE_CSV, tmp_path / "r.xlsx"), env=sandbox.env()))
    assert "r.xlsx.part" in line
    assert sandbox.stats()["calls_total"] == 0


def test_a_failure_after_sending_is_a_stop_and_the_outcomes_are_kept(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    source = sample_subset(tmp_path, 5)
    settings = load_settings(environ=sandbox.env())
    options = RunOptions(out=tmp_path / "r.xlsx", rate=parse_rate("1000/1s"))
    with monkeypatch.context() as patched:
        patched.setattr(results, "write_results", disk_full)
        with pytest.raises(AbortedError, match="5 rows were sent") as stopped:
            run_import(source, MAPPING, settings, options)
    assert stopped.value.exit_code == 3
    assert "run the same command again" in str(stopped.value)
    again = run_import(source, MAPPING, settings, options)
    assert (again.counts, again.sent_now) == ({"created": 5}, 0)


def closed_host() -> str:
    """A loopback address nothing listens on (a port just freed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_a_host_that_cannot_be_reached_is_named_and_no_run_is_recorded(tmp_path: Path) -> None:
    host = closed_host()
    env = {"LSQ_HOST": host, "LSQ_ACCESS_KEY": "u$k", "LSQ_SECRET_KEY": "s"}
    line = one_line_exit_2(cli(*run_args(SAMPLE_CSV, tmp_path / "r.xlsx"), env=env))
    assert host in line
    assert "LSQ_HOST" in line
    assert "resumes" not in line  # nothing was started, so nothing resumes
    history = cli("history", "--ledger", ledger_of(tmp_path / "r.xlsx"), "--host", host)
    assert "No runs" in history.stdout + history.stderr, history


def test_undo_against_a_host_that_cannot_be_reached_is_one_line(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    out = tmp_path / "r.xlsx"
    assert cli(*run_args(sample_subset(tmp_path, 3), out), env=sandbox.env()).code == 0
    ledger = ledger_of(out)
    # The same ledger, its host now unreachable (a copy claimed for another host).
    host = closed_host()
    env = {"LSQ_HOST": host, "LSQ_ACCESS_KEY": "u$k", "LSQ_SECRET_KEY": "s"}
    moved = tmp_path / "moved.sqlite"
    moved.write_bytes(ledger.read_bytes())
    with sqlite3.connect(moved) as db:
        db.execute("UPDATE ledger SET value = ? WHERE name = 'host'", (host,))
    line = one_line_exit_2(cli("undo", "last", "--ledger", moved, env=env))
    assert host in line


def test_history_without_a_host_names_every_way_to_give_one() -> None:
    line = one_line_exit_2(cli("history"))
    assert "--host" in line
    assert "--ledger" in line


@pytest.mark.parametrize("option", [["--no-wait"], ["--status-rate", "10/1s"]])
def test_async_options_for_another_target_are_refused(tmp_path: Path, option: list[str]) -> None:
    args = run_args(SAMPLE_CSV, tmp_path / "r.xlsx", "--target", "bulk", *option)
    line = one_line_exit_2(cli(*args))
    assert option[0] in line
    assert "async" in line


def test_a_damaged_ledger_is_one_line(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    with sqlite3.connect(ledger) as db:
        db.execute("CREATE TABLE t (x)")
        db.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 50)
    damaged = bytearray(ledger.read_bytes())
    damaged[100:4096] = b"\xff" * (4096 - 100)  # the schema page, overwritten
    ledger.write_bytes(bytes(damaged))
    args = [a for a in run_args(SAMPLE_CSV, tmp_path / "r.xlsx") if a != "--ledger"]
    env = {"LSQ_HOST": "http://127.0.0.1:9", "LSQ_ACCESS_KEY": "u$k", "LSQ_SECRET_KEY": "s"}
    line = one_line_exit_2(cli(*args, env=env | {"LSQ_LEDGER": str(ledger)}))
    assert str(ledger) in line or ledger.name in line
    assert "damaged" in line


def test_lsq_ledger_chooses_the_ledger(sandbox: RunningSandbox, tmp_path: Path) -> None:
    chosen = tmp_path / "elsewhere" / "account.sqlite"
    args = [str(a) for a in run_args(sample_subset(tmp_path, 3), tmp_path / "r.xlsx")]
    at = args.index("--ledger")
    del args[at : at + 2]
    done = cli(*args, "--json", env=sandbox.env() | {"LSQ_LEDGER": str(chosen)})
    assert done.code == 0, done.stderr
    assert chosen.is_file()
    assert not ledger_of(tmp_path / "r.xlsx").exists()


def test_an_event_code_the_account_lacks_stops_before_any_row(
    sandbox: RunningSandbox, tmp_path: Path
) -> None:
    mapping = tmp_path / "m.yaml"
    text = MAPPING.read_text(encoding="utf-8")
    assert "event_code: 12000" in text
    mapping.write_text(text.replace("event_code: 12000", "event_code: 99999"), encoding="utf-8")
    out = tmp_path / "r.xlsx"
    args = [str(a) for a in run_args(SAMPLE_CSV, out)]
    args[args.index(str(MAPPING))] = str(mapping)
    line = one_line_exit_2(cli(*args, env=sandbox.env()))
    assert "99999" in line
    assert "event_code" in line
    calls = sandbox.stats()["calls"]
    assert set(calls) == {"GetOpportunityTypeMetadata"}, calls
    history = cli("history", "--ledger", ledger_of(out), "--host", sandbox.url)
    assert "No runs" in history.stdout, history
