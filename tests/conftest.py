"""Shared fixtures. The sandbox fixtures live in importer.sandbox.testing so that
benchmarks and other projects' tests can use them too."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

pytest_plugins = ["importer.sandbox.testing"]


# The machines are shared and noisy: a property test may take its time (no deadline); what
# it checks is behaviour, never speed.
settings.register_profile("shared-machine", deadline=None)
settings.load_profile("shared-machine")


@pytest.fixture(autouse=True)
def own_state_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own state folder, so its ledgers (one per account host) start
    empty and nothing is ever written to the user's real ~/.local/state."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.delenv("LSQ_LEDGER", raising=False)
    return state
