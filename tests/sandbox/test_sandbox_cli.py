"""`lsq-import sandbox` as a user (or another process) starts it."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from importer.cli import cli
from importer.errors import ConfigError
from importer.sandbox.app import Sandbox
from importer.sandbox.options import SandboxOptions
from importer.sandbox.server import SandboxServer
from tests.sandbox.sandbox_helpers import LEAD, SVC, bulk_item

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


def test_help_lists_the_options() -> None:
    result = CliRunner().invoke(cli, ["sandbox", "--help"])
    assert result.exit_code == 0
    for option in ("--port", "--rate", "--faults", "--seed", "--state", "--latency"):
        assert option in result.output


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
