"""`lsq-import sandbox` prints Noojee's two lines after LeadSquared's four, and takes the
Noojee options."""

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

from importer.cli import cli, main
from importer.settings import read_env_file
from tests.sandbox.noojee_helpers import CAMPAIGN, INSERT, new_lead

NAMES = (
    "LSQ_HOST",
    "LSQ_ACCESS_KEY",
    "LSQ_SECRET_KEY",
    "LSQ_API_KEY",
    "NOOJEE_HOST",
    "NOOJEE_API_KEY",
)


def test_prints_six_lines_and_serves_noojee(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "importer", "sandbox", "--port", "0", "--noojee-batch=per_lead"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    try:
        lines = [proc.stdout.readline().rstrip("\n") for _ in NAMES]
        env = dict(shlex.split(line)[0].split("=", 1) for line in lines)
        assert list(env) == list(NAMES)
        assert env["NOOJEE_HOST"] == env["LSQ_HOST"]
        assert env["NOOJEE_API_KEY"] not in (env["LSQ_API_KEY"], env["LSQ_SECRET_KEY"])
        # The lines are a --config file as they are.
        config = tmp_path / "sandbox.env"
        config.write_text("\n".join(lines) + "\n")
        assert read_env_file(config) == env
        params = {"apiKey": env["NOOJEE_API_KEY"], **CAMPAIGN}
        url = env["NOOJEE_HOST"] + INSERT
        response = requests.post(url, json=[new_lead(1)], params=params, timeout=10)
        assert response.json() == {
            "code": 0,
            "message": "OK",
            "leads": [{"code": 0, "message": "OK"}],
        }
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--noojee-batch", "sometimes"], "'sometimes' is not one of"),
        (["--noojee-faults", "gremlins:0.5"], "unknown fault 'gremlins'"),
        (["--noojee-faults", "surprise429:0.5"], "unknown fault 'surprise429'"),
        (["--noojee-queue", "soon"], "--noojee-queue 'soon'"),
        (["--noojee-max-concurrent", "0"], "--noojee-max-concurrent"),
        (["--noojee-conflict", "2"], "--noojee-conflict"),
    ],
)
def test_bad_noojee_options_are_one_line_errors(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    assert _exit_code(monkeypatch, *args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1 or "Usage:" in err


def test_a_bad_noojee_account_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    account = tmp_path / "noojee.yaml"
    account.write_text("campaigns:\n  - {id: 7, template_id: 3}\n")
    assert _exit_code(monkeypatch, "--noojee-account", str(account)) == 2
    err = capsys.readouterr().err
    assert f"Noojee sandbox account {account}: invalid or missing" in err
    assert len(err.strip().splitlines()) == 1


def _exit_code(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """``lsq-import sandbox --port 0 ARGS`` in this process, as the console script runs it;
    every case here fails before the server starts."""
    monkeypatch.setattr(sys, "argv", ["lsq-import", "sandbox", "--port", "0", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    return int(stopped.value.code or 0)


def test_help_lists_the_noojee_options() -> None:
    result = CliRunner().invoke(cli, ["sandbox", "--help"])
    assert result.exit_code == 0
    for option in (
        "--noojee-account",
        "--noojee-batch",
        "--noojee-max-concurrent",
        "--noojee-queue",
        "--noojee-faults",
        "--noojee-conflict",
    ):
        assert option in result.output
