"""The OSS sandbox system: CPE devices (and their ACS: parameter trees, task queue, sessions), daily usage,
add-ons per sub-service, and network incidents by area or access point."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute

from sandbox.common.peers import SessionAccounting
from sandbox.common.system import System, SystemConfig
from sandbox.oss import api, cpe_store, incidents, seed
from sandbox.oss.cpe import CpeService
from sandbox.oss.incidents import IncidentService
from sandbox.oss.nbi import NbiApi, NbiService
from sandbox.oss.service import OssService
from sandbox.oss.store import SCHEMA
from sandbox.world import World

SESSION_POLL_S = 0.2  # how often the ACS looks for CPE sessions that are due


class OssSystem(System):
    name = "oss"

    def __init__(
        self, config: SystemConfig, accounting: SessionAccounting | None = None, cpe_latency_s: float = 1.0
    ) -> None:
        super().__init__(config)
        self.db.script(SCHEMA)
        self.db.script(cpe_store.SCHEMA)
        self.db.script(incidents.SCHEMA)
        self.cpe = CpeService(self.db, self.outbox, cpe_latency_s)
        self.incidents = IncidentService(self.db, self.outbox)
        self.service = OssService(self.db, accounting, self.cpe)

    def seed(self, world: World) -> None:
        seed.seed(self.db, world, self.config.currency)

    def nbi_asgi(self) -> Starlette:
        """The ACS as GenieACS's NBI presents it (`sandbox.oss.nbi`), for the GenieACS adapter."""
        return NbiApi(NbiService(self.db, self.cpe)).app(self.config.service_key)

    def routes(self) -> list[BaseRoute]:
        return api.routes(self.service, self.cpe, self.incidents)

    def background(self) -> list[Callable[[], Coroutine[Any, Any, None]]]:
        async def sessions() -> None:
            while True:
                self.cpe.run_due()
                await asyncio.sleep(SESSION_POLL_S)

        return [sessions]
