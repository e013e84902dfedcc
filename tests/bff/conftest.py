"""The BFF under test: the real app over the test's own sandbox, in-process (`portal`, `make_portal` and the
sandbox come from `tests/conftest.py`); the money tests' rig with the gateway (`money`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.app import Sandbox
from tests.harness.money import Money, money_rig


@pytest.fixture
async def money(sandbox: Sandbox, tmp_path: Path) -> AsyncIterator[Money]:
    async with money_rig(sandbox, tmp_path) as rig:
        yield rig
