"""The OSS sandbox system: CPE devices, daily usage and add-ons per sub-service."""

from __future__ import annotations

from starlette.routing import BaseRoute

from sandbox.common.peers import SessionAccounting
from sandbox.common.system import System, SystemConfig
from sandbox.oss import api, seed
from sandbox.oss.service import OssService
from sandbox.oss.store import SCHEMA
from sandbox.world import World


class OssSystem(System):
    name = "oss"

    def __init__(self, config: SystemConfig, accounting: SessionAccounting | None = None) -> None:
        super().__init__(config)
        self.db.script(SCHEMA)
        self.service = OssService(self.db, accounting)

    def seed(self, world: World) -> None:
        seed.seed(self.db, world, self.config.currency)

    def routes(self) -> list[BaseRoute]:
        return api.routes(self.service)
