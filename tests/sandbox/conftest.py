"""Fixtures for the sandbox's contract tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sandbox_helpers import Api

from importer.sandbox.testing import RunningSandbox


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[Api]:
    client = Api(sandbox)
    yield client
    client.session.close()
