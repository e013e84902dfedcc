"""The gateway's part of the seed world: nothing. Gateway customers and their cards are created by the BFF
as subscribers first pay or save a card, exactly as with a real Stripe account that starts empty."""

from __future__ import annotations

from sandbox.common.db import Database
from sandbox.world import World


def seed(_db: Database, _world: World) -> None:
    """Nothing to load (see the module docstring)."""
