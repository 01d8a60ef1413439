"""Run the sandbox inside a Python process: ``running_sandbox`` for benchmarks and
scripts, and pytest fixtures (this module is a pytest plugin, see tests/conftest.py).

    with running_sandbox(SandboxOptions(rate="3/1s")) as sandbox:
        requests.get(sandbox.url + "/_sandbox/stats")
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from importer.sandbox.app import Sandbox
from importer.sandbox.options import SandboxOptions
from importer.sandbox.server import SandboxServer

__all__ = ["RunningSandbox", "SandboxOptions", "running_sandbox"]

DEFAULT_OPTIONS = SandboxOptions()


class RunningSandbox:
    """A handle on a sandbox serving from a background thread."""

    def __init__(self, server: SandboxServer, options: SandboxOptions) -> None:
        self._server = server
        self._app = server.app
        self.initial_options = options
        self.url = server.url
        keys = self._app.account.keys
        self.access_key = keys.access_key
        self.secret_key = keys.secret_key
        self.api_key = keys.api_key
        self.noojee_api_key = self._app.noojee.account.api_key

    @property
    def options(self) -> SandboxOptions:
        return self._app.options

    def env(self) -> dict[str, str]:
        return {
            "LSQ_HOST": self.url,
            "LSQ_ACCESS_KEY": self.access_key,
            "LSQ_SECRET_KEY": self.secret_key,
            "LSQ_API_KEY": self.api_key,
            "NOOJEE_HOST": self.url,
            "NOOJEE_API_KEY": self.noojee_api_key,
        }

    def headers(self) -> dict[str, str]:
        """The auth headers a client sends (handy in tests)."""
        return {
            "x-LSQ-AccessKey": self.access_key,
            "x-LSQ-SecretKey": self.secret_key,
            "x-api-key": self.api_key,
        }

    def stats(self) -> dict[str, Any]:
        """What ``GET /_sandbox/stats`` answers, without the HTTP round trip."""
        return self._app.snapshot()

    def noojee_leads(self) -> list[dict[str, Any]]:
        """Every lead in the Noojee campaigns (``GET /_sandbox/noojee/leads``)."""
        return self._app.noojee.leads()

    def reset(self) -> None:
        self._app.reset()

    def opportunity_state(self, opportunity_id: str) -> str:
        """``live``, ``deleted`` (by the Delete endpoint) or ``unknown`` (never created);
        also ``GET /_sandbox/opportunity?Id=``."""
        return self._app.store.opportunity_state(opportunity_id)

    def reconfigure(self, **changes: Any) -> None:
        """Change options (faults, rate, shuffle, ...) while the server runs."""
        self._app.reconfigure(**changes)

    def restore(self) -> None:
        """Back to the options it started with, and an empty account."""
        self._app.configure(self.initial_options)
        self._app.reset()


@contextmanager
def running_sandbox(options: SandboxOptions = DEFAULT_OPTIONS) -> Iterator[RunningSandbox]:
    """Start a sandbox on 127.0.0.1 and a free port; stop it on exit."""
    server = SandboxServer(Sandbox(options))
    server.start()
    try:
        yield RunningSandbox(server, options)
    finally:
        server.stop()


# --- pytest fixtures; pytest is a test extra, so it is imported only when pytest loads
# this module as a plugin.
try:
    import pytest
except ImportError:  # pragma: no cover - plain library use without the test extra
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture(scope="session")
    def sandbox_server() -> Iterator[RunningSandbox]:
        """One sandbox for the whole session (default options)."""
        with running_sandbox() as running:
            yield running

    @pytest.fixture
    def sandbox(sandbox_server: RunningSandbox) -> RunningSandbox:
        """The session's sandbox, reset to its default options and an empty account."""
        sandbox_server.restore()
        return sandbox_server

    @pytest.fixture
    def sandbox_factory() -> Iterator[Callable[..., RunningSandbox]]:
        """``sandbox_factory(rate="3/1s", faults="500:1")`` or
        ``sandbox_factory(SandboxOptions(...))``: extra servers, stopped at teardown."""
        with ExitStack() as stack:

            def start(options: SandboxOptions | None = None, **changes: Any) -> RunningSandbox:
                chosen = dataclasses.replace(options or DEFAULT_OPTIONS, **changes)
                return stack.enter_context(running_sandbox(chosen))

            yield start
