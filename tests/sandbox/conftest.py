"""Fixtures for the sandbox's contract tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from importer.sandbox.testing import RunningSandbox
from tests.sandbox.sandbox_helpers import Api


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[Api]:
    client = Api(sandbox)
    yield client
    client.session.close()
