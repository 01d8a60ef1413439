"""`lsq-import sandbox` as a user (or another process) starts it."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import requests
from click.testing import CliRunner

from importer.cli import cli
from importer.errors import ConfigError
from importer.sandbox.app import Sandbox
from importer.sandbox.options import FAULT_KINDS, SandboxOptions
from importer.sandbox.server import SandboxServer
from tests.sandbox.sandbox_helpers import LEAD, SVC, bulk_item, capture_body, lookup_body

KEYS = ("LSQ_HOST", "LSQ_ACCESS_KEY", "LSQ_SECRET_KEY", "LSQ_API_KEY")


def _start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "importer", "sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
    )
    assert proc.stdout is not None
    lines = [proc.stdout.readline().rstrip("\n") for _ in KEYS]
    return proc, dict(shlex.split(line)[0].split("=", 1) for line in lines)


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=10)
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()
    proc.stderr.close()
    return code


def test_prints_the_four_lines_first_and_serves_until_sigterm() -> None:
    proc, env = _start()
    try:
        assert list(env) == list(KEYS)
        assert env["LSQ_HOST"].startswith("http://127.0.0.1:")
        headers = {
            "x-LSQ-AccessKey": env["LSQ_ACCESS_KEY"],
            "x-LSQ-SecretKey": env["LSQ_SECRET_KEY"],
        }
        reply = requests.post(
            env["LSQ_HOST"] + SVC + "/Bulk/Add/ByLeadField",
            params={"SearchBy": "EmailAddress"},
            json=[bulk_item(LEAD)],
            headers=headers,
            timeout=10,
        )
        assert reply.json()["Response"][0]["OpportunityCreated"] is True
    finally:
        assert _stop(proc) == 0


def test_state_file_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.sqlite"
    for expected in (1, 2):
        proc, env = _start("--state", str(state), "--rate", "100/5s")
        try:
            headers = {
                "x-LSQ-AccessKey": env["LSQ_ACCESS_KEY"],
                "x-LSQ-SecretKey": env["LSQ_SECRET_KEY"],
            }
            requests.post(
                env["LSQ_HOST"] + SVC + "/Bulk/Add/ByLeadField?SearchBy=EmailAddress",
                json=[bulk_item(LEAD, mx_Custom_4=["Pune", "Online"][expected - 1])],
                headers=headers,
                timeout=10,
            )
            stats = requests.get(env["LSQ_HOST"] + "/_sandbox/stats", timeout=10).json()
            assert stats["total_opportunities"] == expected
        finally:
            _stop(proc)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0"], "loopback only"),
        (["--rate", "fast"], "rate 'fast'"),
        (["--faults", "gremlins:0.5"], "unknown fault"),
        (["--latency", "soon"], "latency 'soon'"),
        (["--async-delay", "soon"], "async delay 'soon'"),
        (["--async-ttl", "forever"], "--async-ttl 'forever'"),
        (["--lead-not-found-wording", "9"], "--lead-not-found-wording"),
        (["--max-body-bytes", "0"], "--max-body-bytes"),
    ],
)
def test_bad_options_are_one_line_errors(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "importer", "sandbox", "--port", "0", *args],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_remote_host_needs_the_explicit_flag() -> None:
    with pytest.raises(ConfigError):
        SandboxServer(Sandbox(SandboxOptions()), host="0.0.0.0")


def test_help_lists_every_option_with_its_help() -> None:
    from importer.sandbox.cli import sandbox

    result = CliRunner().invoke(cli, ["sandbox", "--help"])
    assert result.exit_code == 0
    for param in sandbox.params:
        assert isinstance(param, click.Option)
        assert param.help, f"{param.opts} has no help text"
        for flag in param.opts + param.secondary_opts:
            assert flag in result.output
    for kind in FAULT_KINDS:
        assert kind in result.output.replace("\n", " ").replace(" ", "")


def test_the_strict_flags_reach_the_server(tmp_path: Path) -> None:
    proc, env = _start(
        "--strict-lookups",
        "--server-form-values",
        "--lead-not-found-wording",
        "3",
        "--max-body-bytes",
        "5000",
        "--async-delay",
        "5s±1s",
        "--async-ttl",
        "60s",
    )
    try:
        session = requests.Session()
        session.headers.update(
            {
                "x-LSQ-AccessKey": env["LSQ_ACCESS_KEY"],
                "x-LSQ-SecretKey": env["LSQ_SECRET_KEY"],
                "x-api-key": env["LSQ_API_KEY"],
            }
        )
        host = env["LSQ_HOST"]
        bulk = host + SVC + "/Bulk/Add/ByLeadField?SearchBy=EmailAddress"
        item = session.post(bulk, json=[bulk_item("nobody@example.com")], timeout=10).json()
        assert "ExceptionType" not in item["Response"][0]  # wording 3
        session.post(bulk, json=[bulk_item(LEAD, mx_Custom_5="7")], timeout=10)
        old = {"SearchBy": "EmailAddress", "SearchByValue": LEAD}
        by_field = host + SVC + "/GetOpportunitiesByUniqueLeadField"
        assert session.post(by_field, json=old, timeout=10).status_code == 400
        found = session.post(by_field, json=lookup_body(Columns=None), timeout=10).json()
        assert found["List"][0]["mx_Custom_5"] == "7.00"
        assert session.post(bulk, data=b"[" + b" " * 5000 + b"]", timeout=10).status_code == 413
        capture = session.post(host + "/opportunity/capture", json=capture_body(LEAD), timeout=10)
        assert capture.status_code == 200
        metrics = session.get(host + "/opportunity/capture/metrics", timeout=10).json()
        assert 4 <= metrics["MaxDelayInSeconds"] <= 6
    finally:
        assert _stop(proc) == 0


def test_an_error_inside_the_sandbox_is_a_500_not_a_crash(monkeypatch: Any) -> None:
    from importer.sandbox import app as app_module
    from importer.sandbox.request import Request

    sandbox = Sandbox()

    def broken(app: Sandbox, req: Request) -> None:
        raise RuntimeError("boom")

    key = ("GET", "/v2/opportunitymanagement.svc/getopportunitytypes")
    monkeypatch.setitem(app_module.ROUTES, key, app_module.Route("Broken", broken))
    monkeypatch.setattr("traceback.print_exc", lambda **_: None)
    keys = sandbox.account.keys
    headers = {"x-lsq-accesskey": keys.access_key, "x-lsq-secretkey": keys.secret_key}
    reply = sandbox.handle(Request("GET", key[1], headers=headers))
    assert reply.status == 500
    assert "boom" in reply.body["ExceptionMessage"]
