"""Fixtures every test area shares: a pinned `today` and the seed world built on it."""

from __future__ import annotations

from datetime import date

import pytest

from sandbox.world import World, demo_world


@pytest.fixture(scope="session")
def today() -> date:
    # Pinned so seeded dates ("due in 5 days") are reproducible; systems take `today` from the world.
    return date(2026, 11, 25)


@pytest.fixture(scope="session")
def world(today: date) -> World:
    return demo_world(today)
